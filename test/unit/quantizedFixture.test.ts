// The quantized fixture models (the default model tiny.en-q8_0 among them) made offline: the official download is
// unreachable, so the real f16 fixture is quantized by whisper.cpp's own quantize built from the addon's sources;
// the result verifies against its pinned sha256, lands atomically with a sidecar, is reused, and transcribes.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findModel } from '../../src/core/model/catalog';
import { wordErrorRate } from '../../src/core/text/wer';
import { sha256File } from '../../src/node/download/sha256File';
import { ModelFileError } from '../../src/node/model/errors';
import { cacheDirectory, findRepoRoot, fixtureModelPath } from '../../src/node/model/fixtureModel';
import {
  QUANTIZED_FIXTURES,
  buildQuantize,
  ensureQuantizedFixtureModel,
  quantizedFixtureModelPath,
  verifyQuantizedFixtureModel,
  type QuantizedFixtureSteps,
} from '../../src/node/model/quantizedFixture';
import { transcribeClips } from '../../scripts/eval/transcribeClips';

const realF16 = fixtureModelPath();
// In CI the fixture is made by setup.sh: its absence is a failure there, a skip on a developer's machine.
const f16Missing = existsSync(realF16) || process.env.CI ? false : `no tiny.en fixture at ${realF16}: run npm run model:fixture -- tiny.en`;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'quantized-fixture-test-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const offline: Pick<QuantizedFixtureSteps, 'downloadOfficial'> = {
  downloadOfficial: async () => {
    throw Object.assign(new Error('getaddrinfo ENOTFOUND huggingface.co'), { code: 'NETWORK' });
  },
};

/** A cache folder holding (a link to) the real f16 tiny.en fixture and nothing else. */
async function cacheWithF16(name: string): Promise<NodeJS.ProcessEnv> {
  const env = { OFFLINE_DICTATION_CACHE: join(dir, name) };
  await mkdir(join(cacheDirectory(env), 'models'), { recursive: true });
  await symlink(realF16, fixtureModelPath(env));
  return env;
}

describe('verifyQuantizedFixtureModel', () => {
  it('rejects a missing file, a wrong size and right-sized garbage', async () => {
    assert.match((await verifyQuantizedFixtureModel('tiny.en-q8_0', join(dir, 'none.bin')) as { reason: string }).reason, /does not exist/);
    const small = join(dir, 'small.bin');
    await writeFile(small, 'x');
    assert.match((await verifyQuantizedFixtureModel('tiny.en-q8_0', small) as { reason: string }).reason, /has 1 bytes/);
    const garbage = join(dir, 'garbage.bin');
    await writeFile(garbage, '');
    await truncate(garbage, QUANTIZED_FIXTURES['tiny.en-q8_0'].size);
    assert.match((await verifyQuantizedFixtureModel('tiny.en-q8_0', garbage) as { reason: string }).reason, /neither the official tiny.en-q8_0 nor/);
  });

  it('pins a fixture for every quantized tiny.en and base, and never the official hash as the converted one', () => {
    for (const [id, fixture] of Object.entries(QUANTIZED_FIXTURES)) {
      const official = findModel(id);
      assert.ok(official?.sha256, `${id} is in the catalog with its published sha256`);
      assert.notEqual(fixture.sha256, official.sha256, `${id}: the fixture's own hash is pinned separately`);
      assert.match(fixture.sha256, /^[0-9a-f]{64}$/);
    }
  });
});

describe('ensureQuantizedFixtureModel with the real quantize', () => {
  it('removes an official download that does not verify, then quantizes the f16 fixture into a verified model, atomically, and reuses it', { skip: f16Missing, timeout: 300_000 }, async () => {
    const env = await cacheWithF16('quantize');
    const log: string[] = [];
    const first = await ensureQuantizedFixtureModel('tiny.en-q8_0', {
      env,
      log: (l) => log.push(l),
      steps: { downloadOfficial: async (_entry, dest) => writeFile(dest, 'an HTML error page') },
    });
    assert.ok(log.some((l) => /downloaded file does not verify .*removed/.test(l)), log.join('\n'));
    assert.deepEqual([first.source, first.kind, first.path], ['quantization', 'converted', quantizedFixtureModelPath('tiny.en-q8_0', env)]);
    assert.equal(await sha256File(first.path), QUANTIZED_FIXTURES['tiny.en-q8_0'].sha256, 'the bytes quantize wrote are the pinned ones');
    assert.equal(readFileSync(`${first.path}.sha256`, 'utf8'), `${first.sha256}  ggml-tiny.en-q8_0.bin\n`);
    assert.equal((await stat(first.path)).mode & 0o777, 0o600, 'private, like the converted fixtures');
    // Nothing else: no temporary file of the quantizer or of the sidecar is left behind.
    assert.deepEqual((await readdir(join(cacheDirectory(env), 'models'))).sort(), ['ggml-tiny.en-q8_0.bin', 'ggml-tiny.en-q8_0.bin.sha256', 'ggml-tiny.en.bin']);

    const again = await ensureQuantizedFixtureModel('tiny.en-q8_0', {
      env,
      steps: { ...offline, quantize: async () => assert.fail('a verified cached model is not quantized again') },
    });
    assert.equal(again.source, 'cache');
  });

  it('refuses quantize output that is not the pinned model and leaves nothing at the path', { skip: f16Missing, timeout: 300_000 }, async () => {
    const env = await cacheWithF16('wrong-type');
    const binary = await buildQuantize(() => {});
    const { execFileSync } = await import('node:child_process');
    await assert.rejects(
      ensureQuantizedFixtureModel('tiny.en-q8_0', {
        env,
        steps: {
          ...offline,
          // The real quantizer, asked for another type: a valid model, but not the one pinned.
          quantize: async (input, output) => void execFileSync(binary, [input, output, 'q5_1'], { stdio: 'ignore' }),
        },
      }),
      (e: unknown) => e instanceof ModelFileError && e.code === 'CHECKSUM_MISMATCH' && /the quantized tiny.en-q8_0 does not verify: .* has 32166155 bytes/.test(e.message),
    );
    assert.deepEqual(await readdir(join(cacheDirectory(env), 'models')), ['ggml-tiny.en.bin']);
  });
});

describe('the quantized fixture transcribes real speech', () => {
  const clip = resolve(findRepoRoot(__dirname)!, '../shared/eval/public/p01_jfk_inaugural_1961');
  const model = quantizedFixtureModelPath('tiny.en-q8_0');
  const skip = existsSync(model) && existsSync(`${clip}.wav`) ? false : `needs ${model} (npm run model:fixture -- tiny.en-q8_0) and ${clip}.wav`;

  it('JFK clip with tiny.en-q8_0: WER ≤ 5 %', { skip, timeout: 180_000 }, async () => {
    assert.ok((await verifyQuantizedFixtureModel('tiny.en-q8_0', model)).ok);
    const [result] = await transcribeClips(model, [`${clip}.wav`]);
    const score = wordErrorRate(readFileSync(`${clip}.txt`, 'utf8'), result.text);
    console.log(`JFK (tiny.en-q8_0): "${result.text}" — WER ${(score.wer * 100).toFixed(1)} % (${result.ms} ms)`);
    assert.match(result.text, /ask not what your country can do for you/i);
    assert.ok(score.wer <= 0.05, `WER ${score.wer} for "${result.text}"`);
  });
});
