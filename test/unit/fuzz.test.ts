// Fuzzed inputs (fast-check): real WAV files from the public set, mutated — header fields, chunk sizes, inserted
// chunks, truncation, random bytes — go through the streaming reader (300 cases) and the CLI (16 cases, with the
// real model); the job cache's index and chunk records are mutated on disk (200 cases). Never a crash or a hang:
// a coded error, audio or a transcript; never a temp file left; never a cached record that was not stored.
// `npm run bench:fuzz` runs 1,000 cases of each (bench/results/fuzz.json).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { fixtureModelPath } from '../../src/node/model/fixtureModel';
import { cacheMutationArbitrary, cliProblem, exerciseMutatedCache, mutate, mutationArbitrary, readThroughStreamingReader, transcribeWithCli } from '../support/fuzz';

const root = resolve(__dirname, '../..');
const evalDir = resolve(root, '../shared/eval/public');
const scratch = mkdtempSync(join(tmpdir(), 'fuzz-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const original = new Uint8Array(readFileSync(join(evalDir, 'p07_pocketsphinx_goforward.wav')));
let n = 0;

describe('fuzzed inputs', { timeout: 600_000 }, () => {
  it('mutated WAV files through the streaming reader: a coded error or finite audio, never a crash or a hang', async () => {
    await fc.assert(fc.asyncProperty(mutationArbitrary(), async (mutations) => {
      const path = join(scratch, `case-${++n}.wav`);
      writeFileSync(path, mutate(original, mutations));
      const outcome = await readThroughStreamingReader(path);
      rmSync(path, { force: true });
      assert.notEqual(outcome.kind, 'failure', outcome.kind === 'failure' ? outcome.what : '');
    }), { numRuns: 300, seed: 20261202 });
  });

  it('bench:fuzz counterexample: a damaged 24-Hz rate is a clear error at once, not half an hour of noise for ffmpeg', async () => {
    const path = join(scratch, 'rate-24.wav');
    writeFileSync(path, mutate(original, [{ kind: 'field', field: 4, value: 24 }]));
    assert.deepEqual(await readThroughStreamingReader(path), { kind: 'coded', code: 'NOT_AUDIO' });
  });

  it('mutated WAV files through the CLI with the real model: text or a one-line error, no temp file left', async () => {
    const cli = join(root, 'dist/cli.js');
    const model = fixtureModelPath();
    assert.ok(existsSync(cli) && existsSync(model), 'dist/cli.js and the real model (npm run build, npm run model:fixture)');
    await fc.assert(fc.asyncProperty(mutationArbitrary(), async (mutations) => {
      const path = join(scratch, `cli-${++n}.wav`);
      writeFileSync(path, mutate(original, mutations));
      const outcome = await transcribeWithCli(cli, path, model);
      rmSync(path, { force: true });
      const problem = cliProblem(outcome);
      assert.equal(problem, undefined, problem);
    }), { numRuns: 16, seed: 7 });
  });

  it("mutated job-cache index and chunk records: the cache answers, and what comes back was stored", async () => {
    await fc.assert(fc.asyncProperty(cacheMutationArbitrary(), async (mutations) => {
      const cacheRoot = join(scratch, `cache-${++n}`);
      const problem = await exerciseMutatedCache(cacheRoot, mutations);
      rmSync(cacheRoot, { recursive: true, force: true });
      assert.equal(problem, undefined, problem);
    }), { numRuns: 200, seed: 11 });
  });
});
