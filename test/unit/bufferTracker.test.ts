import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BufferTracker, describeBufferUsage } from '../../src/core/audio/bufferTracker';

describe('BufferTracker', () => {
  it('sums live buffers, reads their size at the time of asking, and forgets disposed ones', () => {
    const tracker = new BufferTracker();
    let segmenter = 1000;
    const a = tracker.track('segmenter', () => segmenter);
    const b = tracker.track('queue', () => 4000);
    assert.equal(tracker.totalBytes, 5000);
    assert.equal(a.bytes, 1000);
    segmenter = 3000;
    assert.equal(tracker.totalBytes, 7000, 'sizes are read live, not copied at registration');
    b.dispose();
    assert.equal(tracker.totalBytes, 3000);
    assert.equal(b.bytes, 0, 'a disposed handle reports nothing');
    b.dispose();
    assert.equal(tracker.size, 1, 'disposing twice is harmless');
    a.dispose();
    assert.equal(tracker.totalBytes, 0);
    assert.deepEqual(tracker.breakdown(), []);
  });

  it('breaks the total down by owner name, adding up owners of the same name', () => {
    const tracker = new BufferTracker();
    tracker.track('segmenter', () => 100);
    tracker.track('queue', () => 200);
    tracker.track('segmenter', () => 50);
    tracker.track('preview', () => 0);
    assert.deepEqual(tracker.breakdown(), [
      { name: 'segmenter', bytes: 150, count: 2 },
      { name: 'queue', bytes: 200, count: 1 },
      { name: 'preview', bytes: 0, count: 1 },
    ]);
    assert.equal(tracker.breakdown().reduce((s, u) => s + u.bytes, 0), tracker.totalBytes);
  });

  it('describes the breakdown for logs', () => {
    assert.equal(describeBufferUsage([]), 'none');
    assert.equal(describeBufferUsage([{ name: 'queue', bytes: 1.5 * 1024 * 1024, count: 1 }, { name: 'segmenter', bytes: 0, count: 1 }]), 'queue 1.50 MB, segmenter 0.00 MB');
  });
});
