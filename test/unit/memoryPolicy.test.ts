import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkLengthController, MemoryPolicy, MemoryStats, actionsFor } from '../../src/core/memory/memoryPolicy';
import { defaultMemoryLimitMB, findModel } from '../../src/core/model/catalog';

const system = { systemFreeMB: 12000, systemTotalMB: 16000 };
const sample = (usedMB: number, free = system.systemFreeMB) => ({ usedMB, systemFreeMB: free, systemTotalMB: system.systemTotalMB });

describe('MemoryPolicy', () => {
  it('goes normal → high → critical and back down, with the right actions', () => {
    const policy = new MemoryPolicy({ limitMB: 500 });
    const trace = [100, 200, 360, 380, 440, 450, 440, 300, 300, 300, 300, 200, 200, 200].map((mb) => policy.update(sample(mb)));
    const tiers = trace.map((d) => d.tier);
    assert.deepEqual(tiers, ['normal', 'normal', 'high', 'high', 'critical', 'critical', 'critical', 'critical', 'critical', 'high', 'high', 'high', 'normal', 'normal']);
    const changes = trace.filter((d) => d.changed).map((d) => [d.previousTier, d.tier, d.actions]);
    assert.deepEqual(changes, [
      ['normal', 'high', ['dropCaches', 'shrinkBuffers', 'halveChunk', 'stopPreview']],
      ['high', 'critical', ['spillToDisk', 'pauseCapture', 'unloadModel', 'notifyUser']],
      ['critical', 'high', ['resumeCapture']],
      ['high', 'normal', ['growChunk', 'resumePreview']],
    ]);
  });

  it('does not flap when usage hovers around a threshold', () => {
    const policy = new MemoryPolicy({ limitMB: 1000 });
    const hovering = [690, 710, 695, 705, 699, 702, 698, 701, 696, 704].map((mb) => policy.update(sample(mb)));
    assert.equal(hovering.filter((d) => d.changed).length, 1, 'entered high once and stayed');
    assert.equal(policy.currentTier, 'high');
  });

  it('escalates on system memory pressure even when the extension itself is small', () => {
    const policy = new MemoryPolicy({ limitMB: 1000 });
    assert.equal(policy.update(sample(100, 1200)).tier, 'high');
    assert.equal(policy.update(sample(100, 500)).tier, 'critical');
  });
});

describe('memory limits from the model catalog', () => {
  it('leaves a working margin above the model need, larger for larger models', () => {
    const tiny = findModel('tiny.en')!;
    const medium = findModel('medium.en')!;
    assert.ok(defaultMemoryLimitMB(tiny) >= tiny.ramMB * 1.2);
    assert.ok(defaultMemoryLimitMB(medium) >= medium.ramMB * 1.2);
    // tiny.en running normally (≈ 270 MB worker + a few MB of audio) stays in the normal tier.
    const policy = new MemoryPolicy({ limitMB: defaultMemoryLimitMB(tiny) });
    assert.equal(policy.update(sample(tiny.ramMB + 10)).tier, 'normal');
    // Its measured working size (≈ 400 MB, allocator slack included) is still normal, and its peak while
    // transcribing 30-s file chunks (≈ 520 MB) is not critical: ordinary use never unloads the model.
    assert.equal(policy.update(sample(400)).tier, 'normal');
    assert.notEqual(policy.update(sample(520)).tier, 'critical');
  });
});

describe('ChunkLengthController and MemoryStats', () => {
  it('halves the chunk on pressure down to a floor and grows it back', () => {
    const chunks = new ChunkLengthController(30, 5);
    assert.equal(chunks.apply(actionsFor('normal', 'high')), 15);
    assert.equal(chunks.apply(actionsFor('high', 'critical')), 7.5);
    assert.equal(chunks.apply(actionsFor('high', 'critical')), 5);
    assert.equal(chunks.apply(actionsFor('high', 'normal')), 10);
  });
  it('keeps current, peak and a bounded history', () => {
    const stats = new MemoryStats<{ usedMB: number }>(3);
    for (const mb of [10, 50, 20, 30]) stats.add({ usedMB: mb });
    assert.equal(stats.peakMB, 50);
    assert.deepEqual(stats.history().map((s) => s.usedMB), [50, 20, 30]);
  });
});
