// Parallel file workers (and Improve Last Phrase's) are counted: each other Whisper worker's RSS in the footprint and
// its model's share in the budget, without setting the budget to its model.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { MemoryPolicy } from '../../src/core/memory/memoryPolicy';
import { OtherWorkers } from '../../src/core/memory/otherWorkers';
import { SHARED_MARGIN_MB, extraWorkerBudgetMB, memoryBudgetMB, workersBudgetMB } from '../../src/core/model/modelMemory';
import { processRssMB, sampleMemory } from '../../src/node/memory/memoryMonitor';

const sample = (usedMB: number) => ({ usedMB, systemFreeMB: 12000, systemTotalMB: 16000 });
const TINY = 273;
const BASE = 388;

describe('the budget with several Whisper workers', () => {
  it('is the first worker\'s budget plus each other worker\'s model and own margin', () => {
    assert.equal(workersBudgetMB(memoryBudgetMB(TINY), []), memoryBudgetMB(TINY), 'one worker: the usual budget');
    assert.equal(extraWorkerBudgetMB(TINY), memoryBudgetMB(TINY) - SHARED_MARGIN_MB);
    // tiny.en: 273 × 1.25 + 350 = 691 MB for the first, 541 for each other.
    assert.equal(workersBudgetMB(memoryBudgetMB(TINY), [TINY, TINY]), 691 + 541 + 541);
    // Improve Last Phrase's base beside dictation's tiny.en adds base's share, not tiny's.
    assert.equal(workersBudgetMB(memoryBudgetMB(TINY), [BASE]), 691 + Math.round(BASE * 1.25 + 350) - SHARED_MARGIN_MB);
  });

  it('keeps three tiny.en file workers in the tier one worker would be in (one worker\'s budget would unload the model)', () => {
    // Measured: a tiny.en worker runs at 400-520 MB on 30-s chunks; the recorder and buffers add a few tens.
    const used = 3 * 400 + 30;
    assert.equal(new MemoryPolicy({ limitMB: memoryBudgetMB(TINY) }).update(sample(400 + 30)).tier, 'normal', 'one worker at 400 MB');
    assert.equal(new MemoryPolicy({ limitMB: workersBudgetMB(memoryBudgetMB(TINY), [TINY, TINY]) }).update(sample(used)).tier, 'normal');
    assert.equal(new MemoryPolicy({ limitMB: memoryBudgetMB(TINY) }).update(sample(used)).tier, 'critical');
  });
});

describe('the other workers, by client', () => {
  it('add their model once loaded, drop out when they exit, and ignore a load reported after the exit', () => {
    const workers = new OtherWorkers<string>();
    workers.started('a', 101);
    workers.started('b', 102);
    assert.deepEqual(workers.ramMBs(), [], 'a worker still loading adds nothing yet');
    assert.equal(workers.loaded('a', TINY), true);
    assert.equal(workers.loaded('b', TINY), true);
    assert.deepEqual(workers.pids(), [101, 102]);
    assert.deepEqual(workers.ramMBs(), [TINY, TINY]);
    assert.equal(workers.exited('a'), true);
    assert.equal(workers.loaded('a', BASE), false, 'a late load of an exited worker is dropped');
    assert.deepEqual(workers.ramMBs(), [TINY]);
    assert.equal(workers.count, 1);
    workers.started('t', undefined);
    assert.deepEqual(workers.pids(), [102], 'a thread-hosted worker has no process of its own to sample');
  });
});

describe('sampling the other workers', () => {
  it('adds every other worker process\'s real RSS to the snapshot, and none of one that has exited', async () => {
    // Real processes holding real memory (~40 MB each beyond Node's own).
    const hold = 'const b = Buffer.alloc(40 * 1024 * 1024, 1); setInterval(() => b[0]++, 1000); process.send?.("up")';
    const children = [0, 1].map(() => spawn(process.execPath, ['-e', hold], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] }));
    try {
      await Promise.all(children.map((c) => once(c, 'message')));
      const pids = children.map((c) => c.pid!);
      const each = await Promise.all(pids.map((pid) => processRssMB(pid)));
      const snapshot = await sampleMemory({ workerPid: () => undefined, otherWorkerPids: () => pids, recorderPid: () => undefined, bufferBytes: () => 0 });
      assert.equal(snapshot.otherWorkers, 2);
      const sum = each.reduce<number>((s, v) => s + (v ?? 0), 0);
      assert.ok(sum > 2 * 60, `each child holds its buffer (${each.map((v) => v?.toFixed(0)).join(', ')} MB)`);
      assert.ok(Math.abs(snapshot.otherWorkersRssMB - sum) < 10, `${snapshot.otherWorkersRssMB} vs ${sum}`);
      children[0].kill();
      await once(children[0], 'exit');
      const after = await sampleMemory({ workerPid: () => undefined, otherWorkerPids: () => pids, recorderPid: () => undefined, bufferBytes: () => 0 });
      assert.equal(after.otherWorkers, 1, 'an exited worker is not counted');
      assert.ok(after.otherWorkersRssMB < snapshot.otherWorkersRssMB - 40);
    } finally {
      for (const c of children) c.kill();
    }
  });
});
