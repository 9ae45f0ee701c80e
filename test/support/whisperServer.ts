// The real remote engine for tests and bench:remote: whisper.cpp's own HTTP server (scripts/build-whisper-server.mjs,
// the same sources and flags as the addon) on 127.0.0.1, a free port, the fixture model, and the OpenAI route.
// No stand-in: what the remote engine meets here is what a team's whisper.cpp server answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

// Bundled into dist/test/integration for the extension host, where the run script names the repository.
const root = process.env.DICTATION_REPO_ROOT ?? resolve(__dirname, '../..');

export const INFERENCE_PATH = '/v1/audio/transcriptions';

/** The built server binary for this CPU (AVX2 when the machine has it, as the addon), or undefined. */
export function whisperServerBinary(): string | undefined {
  for (const variant of ['avx2', 'baseline']) {
    const path = join(root, '.cache/whisper-server', variant, 'whisper-server');
    if (existsSync(path)) return path;
  }
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface RunningWhisperServer {
  readonly port: number;
  /** The OpenAI-style base URL: http://127.0.0.1:<port>/v1 */
  readonly baseUrl: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** SIGKILL (a crash) and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after 3 s; waits for the exit. */
  stop(): Promise<void>;
  readonly output: () => string;
}

export async function startWhisperServer(options: { model: string; threads?: number; port?: number; binary?: string }): Promise<RunningWhisperServer> {
  const binary = options.binary ?? whisperServerBinary();
  if (!binary) throw new Error('whisper-server is not built (npm run build:whisper-server)');
  const port = options.port ?? (await freePort());
  const args = ['-m', options.model, '--host', '127.0.0.1', '--port', String(port), '-t', String(options.threads ?? 2), '--inference-path', INFERENCE_PATH];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const waitExit = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited;
  };
  const server: RunningWhisperServer = {
    port,
    baseUrl: `http://127.0.0.1:${port}/v1`,
    process: child,
    pid: child.pid!,
    kill: () => waitExit('SIGKILL'),
    stop: async () => {
      const force = setTimeout(() => child.kill('SIGKILL'), 3000);
      await waitExit('SIGTERM');
      clearTimeout(force);
    },
    output: () => output,
  };
  // Ready when it answers HTTP (it binds only after the model has loaded).
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`whisper-server exited during start:\n${output.slice(-2000)}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      return server;
    } catch {
      if (Date.now() > deadline) {
        await server.kill();
        throw new Error(`whisper-server did not start within 60 s:\n${output.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
