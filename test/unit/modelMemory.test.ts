// The memory budget follows the model in use: the RAM estimate from a model file (size + encoder width) against
// whisper.cpp's published figures, the real tiny.en and base files, and a policy whose limit changes keeping its tier.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { MemoryPolicy } from '../../src/core/memory/memoryPolicy';
import { findModel } from '../../src/core/model/catalog';
import { memoryBudgetMB, modelRamMB, sameModelWorkersBudgetMB, workersBudgetMB } from '../../src/core/model/modelMemory';
import { baseFixtureModelPath } from '../../src/node/model/baseFixture';
import { fixtureModelPath } from '../../src/node/model/fixtureModel';
import { readModelShape } from '../../src/node/model/modelShape';
import { cliModelRamMB } from '../../src/node/transcription/cliTranscribe';

const MiB = 2 ** 20;
const sample = (usedMB: number) => ({ usedMB, systemFreeMB: 12000, systemTotalMB: 16000 });

describe('memory that follows the model', () => {
  it("estimates whisper.cpp's published RAM need from a file's size and encoder width", () => {
    // whisper.cpp README "Memory usage": tiny 75 MiB / 273 MB, base 142 / 388, small 466 / 852, medium 1.5 GiB / 2.1 GB, large 2.9 GiB / 3.9 GB.
    const published: [number, number, number][] = [[75, 384, 273], [142, 512, 388], [466, 768, 852], [1536, 1024, 2100], [2970, 1280, 3900]];
    for (const [fileMiB, width, ram] of published) {
      assert.ok(Math.abs(modelRamMB({ fileBytes: fileMiB * MiB, nAudioState: width }) - ram) <= 5, `${width}: ${modelRamMB({ fileBytes: fileMiB * MiB, nAudioState: width })} vs ${ram}`);
    }
    // A quantized file of the same width needs less; a width between the published ones lies between them.
    assert.ok(modelRamMB({ fileBytes: 44 * MiB, nAudioState: 384 }) < 273);
    const between = modelRamMB({ fileBytes: 300 * MiB, nAudioState: 640 });
    assert.ok(between > 300 + 246 && between < 300 + 386);
  });

  it('a large model imported under any name gets a large budget, not the default one', () => {
    const largeBudget = memoryBudgetMB(modelRamMB({ fileBytes: 2970 * MiB, nAudioState: 1280 }));
    const policy = new MemoryPolicy({ limitMB: memoryBudgetMB(findModel('tiny.en')!.ramMB) });
    // A large model's ordinary working size is critical against tiny's budget …
    assert.equal(policy.update(sample(4200)).tier, 'critical');
    // … and not critical against its own: the model is not unloaded in a loop.
    assert.notEqual(new MemoryPolicy({ limitMB: largeBudget }).update(sample(4200)).tier, 'critical');
    assert.equal(new MemoryPolicy({ limitMB: largeBudget }).update(sample(3600)).tier, 'normal');
  });

  it('a new limit keeps the tier and its hysteresis: the next samples step down as usual', () => {
    const policy = new MemoryPolicy({ limitMB: 500 });
    assert.equal(policy.update(sample(450)).tier, 'critical');
    policy.setLimitMB(1000);
    assert.equal(policy.limitMB, 1000);
    // 450 of 1000 MB is calm: the tier steps down only after the calm samples, one tier at a time.
    const tiers = [450, 450, 450, 450, 450, 450].map((mb) => policy.update(sample(mb)).tier);
    assert.deepEqual(tiers, ['critical', 'critical', 'high', 'high', 'high', 'normal']);
  });

  const missing = [fixtureModelPath(), baseFixtureModelPath()].find((path) => !existsSync(path));
  it('reads the real tiny.en and base files: base gets its own, larger budget', { skip: !process.env.CI && missing ? `missing ${missing}` : false }, async () => {
    const tiny = modelRamMB(await readModelShape(fixtureModelPath()));
    const base = modelRamMB(await readModelShape(baseFixtureModelPath()));
    assert.ok(Math.abs(tiny - 273) <= 5, `tiny.en ${tiny} MB`);
    assert.ok(Math.abs(base - 388) <= 5, `base ${base} MB`);
    assert.ok(memoryBudgetMB(base) > memoryBudgetMB(tiny) + 100);
  });

  it('the CLI\'s file workers get the budget of the model file they load, named as anything', { skip: !process.env.CI && missing ? `missing ${missing}` : false }, async () => {
    // base's file passed as --model with tiny.en's name in mind (an import, a path): its header decides.
    const base = await cliModelRamMB(baseFixtureModelPath(), 'tiny.en');
    assert.ok(Math.abs(base - 388) <= 5, `base through the CLI ${base} MB`);
    assert.equal(sameModelWorkersBudgetMB(base, 1), memoryBudgetMB(base), 'one worker: the usual budget');
    assert.equal(sameModelWorkersBudgetMB(base, 3), workersBudgetMB(memoryBudgetMB(base), [base, base]), 'three workers: each counted');
    // A file whose header cannot be read still gets a budget: the catalog's for the name.
    assert.equal(await cliModelRamMB('/nonexistent/ggml-base.bin', 'base'), findModel('base')!.ramMB);
  });
});
