// Property-based fuzzing of what the extension reads from disk: real WAV files mutated (header fields, chunk sizes,
// inserted chunks, truncation, random bytes) through the streaming reader and the CLI, and the transcript job
// cache's index and chunk records mutated on disk. Shared by test/unit/fuzz.test.ts (a few hundred cases) and
// bench/fuzz (1,000). What must hold: never a crash or a hang — a coded error or audio/text — and nothing left in
// the temp folder.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { CodedError } from '../../src/core/codedError';
import { openAudioSource } from '../../src/node/transcription/audioSource';
import { JobCache, type JobKey } from '../../src/node/transcription/jobCache';

/** Offsets of the canonical 44-byte header's fields (RIFF size, fmt size, format, channels, rate…, data size). */
const FIELDS: readonly { at: number; bytes: 2 | 4 }[] = [
  { at: 4, bytes: 4 }, { at: 16, bytes: 4 }, { at: 20, bytes: 2 }, { at: 22, bytes: 2 }, { at: 24, bytes: 4 },
  { at: 28, bytes: 4 }, { at: 32, bytes: 2 }, { at: 34, bytes: 2 }, { at: 40, bytes: 4 },
];

export type Mutation =
  | { kind: 'field'; field: number; value: number }
  | { kind: 'truncate'; keep: number }
  | { kind: 'bytes'; at: number; bytes: number[] }
  | { kind: 'chunk'; id: string; size: number; body: number };

const interesting = fc.oneof(fc.constantFrom(0, 1, 2, 3, 8, 16, 24, 32, 44, 0x7fff, 0xffff, 0x7fffffff, 0xffffffff, 0xfffffffe, 16000, 44100, 48000), fc.nat(0xffffffff));

export function mutationArbitrary(): fc.Arbitrary<Mutation[]> {
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant('field' as const), field: fc.nat(FIELDS.length - 1), value: interesting }),
    fc.record({ kind: fc.constant('truncate' as const), keep: fc.oneof(fc.nat(64), fc.nat(200_000)) }),
    fc.record({ kind: fc.constant('bytes' as const), at: fc.oneof(fc.nat(64), fc.nat(200_000)), bytes: fc.array(fc.nat(255), { minLength: 1, maxLength: 16 }) }),
    fc.record({ kind: fc.constant('chunk' as const), id: fc.constantFrom('LIST', 'fact', 'data', 'fmt ', 'JUNK', 'bext'), size: interesting, body: fc.nat(64) }),
  );
  return fc.array(mutation, { minLength: 1, maxLength: 4 });
}

export function mutate(original: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes: Uint8Array = original.slice();
  for (const m of mutations) {
    if (m.kind === 'field') {
      const { at, bytes: width } = FIELDS[m.field];
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (at + width <= bytes.length) width === 2 ? view.setUint16(at, m.value & 0xffff, true) : view.setUint32(at, m.value >>> 0, true);
    } else if (m.kind === 'truncate') {
      bytes = bytes.slice(0, Math.min(bytes.length, m.keep));
    } else if (m.kind === 'bytes') {
      if (m.at < bytes.length) m.bytes.forEach((b, i) => { if (m.at + i < bytes.length) bytes[m.at + i] = b; });
    } else {
      // A chunk inserted right after the fmt chunk (before data), announcing `size` bytes and holding `body`.
      const chunk = new Uint8Array(8 + m.body);
      chunk.set([...m.id].map((c) => c.charCodeAt(0)), 0);
      new DataView(chunk.buffer).setUint32(4, m.size >>> 0, true);
      const at = Math.min(36, bytes.length);
      const joined = new Uint8Array(bytes.length + chunk.length);
      joined.set(bytes.subarray(0, at));
      joined.set(chunk, at);
      joined.set(bytes.subarray(at), at + chunk.length);
      bytes = joined;
    }
  }
  return bytes;
}

export type Outcome = { kind: 'audio'; samples: number } | { kind: 'coded'; code: string } | { kind: 'failure'; what: string };

/** Reads the whole file through the streaming reader, within a deadline; the outcome and what went wrong, if anything. */
export async function readThroughStreamingReader(path: string, deadlineMs = 10_000): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Outcome>((resolve) => (timer = setTimeout(() => resolve({ kind: 'failure', what: `no answer in ${deadlineMs} ms (a hang)` }), deadlineMs)));
  const read = (async (): Promise<Outcome> => {
    try {
      const source = await openAudioSource(path);
      let samples = 0;
      try {
        for await (const block of source.blocks()) {
          for (const s of block) if (!Number.isFinite(s)) return { kind: 'failure', what: `a sample that is not a number (${s})` };
          samples += block.length;
          // Twice the most the file could hold at 16 kHz mono from 8-bit 1 kHz audio: a reader that never ends.
          if (samples > 40_000_000) return { kind: 'failure', what: 'endless audio from a small file' };
        }
      } finally {
        await source.close();
      }
      return { kind: 'audio', samples };
    } catch (error) {
      if (error instanceof CodedError) return { kind: 'coded', code: String(error.code) };
      return { kind: 'failure', what: `uncoded ${(error as Error)?.name}: ${(error as Error)?.message}` };
    }
  })();
  try {
    return await Promise.race([read, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export interface CliOutcome { exitCode: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string; tempLeft: string[] }

/** `node dist/cli.js transcribe FILE` with its own temp folder and cache: exit, signal, output, what it left behind. */
export function transcribeWithCli(cli: string, wav: string, model: string, deadlineMs = 60_000): Promise<CliOutcome> {
  const temp = mkdtempSync(join(tmpdir(), 'fuzz-cli-tmp-'));
  const cache = mkdtempSync(join(tmpdir(), 'fuzz-cli-cache-'));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'transcribe', wav, '--model', model, '--cache', join(cache, 'transcripts'), '--quiet'], { env: { ...process.env, TMPDIR: temp }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
    child.on('exit', (exitCode, signal) => {
      clearTimeout(timer);
      const tempLeft = readdirSync(temp);
      rmSync(temp, { recursive: true, force: true });
      rmSync(cache, { recursive: true, force: true });
      resolve({ exitCode, signal, stderr, stdout, tempLeft });
    });
  });
}

/** What a CLI run must look like: 0 with text, or 1 with a one-line message and no stack trace; nothing left in TMPDIR. */
export function cliProblem(outcome: CliOutcome): string | undefined {
  if (outcome.signal) return `killed by ${outcome.signal} (a hang or a crash)`;
  if (outcome.exitCode !== 0 && outcome.exitCode !== 1) return `exit code ${outcome.exitCode}: ${outcome.stderr}`;
  if (outcome.exitCode === 1 && (/^\s+at /m.test(outcome.stderr) || !outcome.stderr.trim())) return `an error without a clear message: ${outcome.stderr}`;
  if (outcome.tempLeft.length) return `temp files left: ${outcome.tempLeft.join(', ')}`;
  return undefined;
}

/** Mutations of the job cache's files on disk: the index, its backup, a chunk record. */
export type CacheMutation = { file: 'index' | 'backup' | 'chunk'; how: 'truncate' | 'bytes' | 'json'; at: number; value: number; json: unknown };

export function cacheMutationArbitrary(): fc.Arbitrary<CacheMutation[]> {
  return fc.array(fc.record({
    file: fc.constantFrom('index' as const, 'backup' as const, 'chunk' as const),
    how: fc.constantFrom('truncate' as const, 'bytes' as const, 'json' as const),
    at: fc.nat(400),
    value: fc.nat(255),
    json: fc.jsonValue({ maxDepth: 3 }),
  }), { minLength: 1, maxLength: 3 });
}

const KEY: JobKey = { fileSha256: 'f'.repeat(64), fromSeconds: 0, model: 'ggml-tiny.en.bin:1:x:en', chunkSeconds: 30, overlapSeconds: 1 };

/**
 * A cache with one job of two chunks, its files mutated, then opened again: list() and openJob() must answer
 * (a lost record is fine — it is transcribed again — but a record that comes back must be one that was stored).
 */
export async function exerciseMutatedCache(root: string, mutations: readonly CacheMutation[]): Promise<string | undefined> {
  const stored = [
    { startSample: 0, endSample: 480_000, segments: [{ startMs: 0, endMs: 2000, text: 'first words' }] },
    { startSample: 480_000, endSample: 960_000, segments: [{ startMs: 30_000, endMs: 31_000, text: 'second words' }] },
  ];
  const job = await new JobCache(root).openJob(KEY, { source: 'meeting.wav' });
  for (const record of stored) await job.store(record);
  await job.finish(false);
  const chunkFile = join(job.directory, readdirSync(job.directory).filter((n) => n.startsWith('chunk-')).sort()[0]);
  for (const m of mutations) {
    const path = m.file === 'index' ? join(root, 'index.json') : m.file === 'backup' ? join(root, 'index.json.bak') : chunkFile;
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      continue;
    }
    if (m.how === 'truncate') bytes = bytes.subarray(0, m.at % (bytes.length + 1));
    else if (m.how === 'bytes' && bytes.length) bytes[m.at % bytes.length] = m.value;
    else if (m.how === 'json') bytes = Buffer.from(JSON.stringify(m.json) ?? '');
    writeFileSync(path, bytes);
  }
  try {
    const cache = new JobCache(root);
    await cache.list();
    const again = await cache.openJob(KEY);
    for (const bounds of again.recordedBounds()) {
      const record = again.storedChunk(bounds.startSample);
      if (!stored.some((s) => JSON.stringify(s) === JSON.stringify(record))) return `a record came back that was never stored: ${JSON.stringify(record)}`;
    }
    await again.store(stored[1]);
    await again.finish(true);
    if (!(await new JobCache(root).list()).some((j) => j.id === again.id && j.complete)) return 'the job, stored again, is not listed complete';
    return undefined;
  } catch (error) {
    return `threw ${(error as Error)?.name}: ${(error as Error)?.message}`;
  }
}
