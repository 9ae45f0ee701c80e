// Runs transcribe-child.cjs in a separate Node process and collects its JSON lines.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface ClipTranscript {
  readonly wav: string;
  readonly text: string;
  /** Wall time of the transcription alone (model already loaded). */
  readonly ms: number;
  readonly seconds: number;
}

export const TRANSCRIBE_CHILD = join(__dirname, 'transcribe-child.cjs');

export function transcribeClipsInChild(modelPath: string, wavs: readonly string[], options: { timeoutMs?: number; threads?: number } = {}): Promise<ClipTranscript[]> {
  return new Promise((resolve, reject) => {
    const args = [TRANSCRIBE_CHILD, '--model', modelPath, ...(options.threads ? ['--threads', String(options.threads)] : []), ...wavs];
    // Bounded glibc arenas keep the child's RSS stable (see shared/FINDINGS.md).
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MALLOC_ARENA_MAX: '2' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 10 * 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const lines = stdout.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as ClipTranscript & { error?: string });
      const failure = lines.find((line) => line.error !== undefined);
      if (code !== 0 || failure) {
        reject(new Error(`transcription child failed (exit ${code ?? signal}): ${failure?.error ?? ''}\n${stderr.split('\n').slice(-15).join('\n')}`));
        return;
      }
      resolve(lines);
    });
  });
}
