import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LeakTracker } from '../../src/core/leaks/leakTracker';
import { fullGarbageCollector } from '../../src/node/memory/garbageCollector';

const gc = fullGarbageCollector();
/** WeakRefs clear and finalizers run only between tasks: collect, yield, a few times. */
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('LeakTracker', () => {
  it('counts what is still referenced after a full GC, by kind, and forgets what was collected', async () => {
    const tracker = new LeakTracker();
    const kept: object[] = [];
    class Session {}
    (() => {
      for (let i = 0; i < 10; i++) tracker.track('session', new Session());
      kept.push(tracker.track('recorder', { pid: 1 }, 'kept recorder'));
      tracker.track('phrase-buffer', new Float32Array(16000));
    })();
    await collect();
    assert.deepEqual(tracker.retained(), { session: 0, recorder: 1, client: 0, 'phrase-buffer': 0, disposable: 0 });
    assert.deepEqual(tracker.retainedObjects(), [{ kind: 'recorder', label: 'kept recorder' }]);
    assert.equal(tracker.createdCount('session'), 10, 'collected objects still count as created');
    assert.equal(kept.length, 1);
  });

  it('looks only at objects tracked after a mark, and labels them by class', async () => {
    const tracker = new LeakTracker();
    class WhisperClient {}
    const longLived = tracker.track('client', new WhisperClient());
    const mark = tracker.mark();
    const leaked = tracker.track('client', new WhisperClient());
    await collect();
    assert.equal(tracker.retained().client, 2);
    assert.deepEqual(tracker.retainedObjects(mark), [{ kind: 'client', label: 'WhisperClient' }]);
    assert.ok(longLived && leaked);
  });
});
