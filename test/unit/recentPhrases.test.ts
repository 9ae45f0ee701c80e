// The last phrases' audio for "Improve Last Phrase": bounded by count and seconds, counted in the buffer tracker,
// released on dispose.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { BufferTracker } from '../../src/core/audio/bufferTracker';
import { RecentPhrases } from '../../src/core/audio/recentPhrases';

const seconds = (s: number, fill = 0.1) => new Float32Array(Math.round(s * 16000)).fill(fill);

test('keeps only the last N phrases, newest last, and counts their bytes in the tracker', () => {
  const buffers = new BufferTracker();
  const recent = new RecentPhrases<string>({ maxPhrases: 3, maxSeconds: 60 }, buffers);
  for (const name of ['a', 'b', 'c', 'd', 'e']) recent.add(seconds(1), name);
  assert.equal(recent.length, 3);
  assert.equal(recent.last()?.info, 'e');
  assert.equal(buffers.totalBytes, 3 * 16000 * 4);
  assert.deepEqual(buffers.breakdown().map((u) => u.name), ['recent phrases']);
});

test('bounded by seconds of audio: old phrases go first, and one phrase longer than the bound is not kept', () => {
  const buffers = new BufferTracker();
  const recent = new RecentPhrases<string>({ maxPhrases: 10, maxSeconds: 5 }, buffers);
  recent.add(seconds(2), 'a');
  recent.add(seconds(2), 'b');
  recent.add(seconds(2), 'c');
  assert.equal(recent.length, 2, 'a is dropped: a+b+c is 6 s > 5 s');
  assert.equal(buffers.totalBytes, 4 * 16000 * 4);
  assert.equal(recent.add(seconds(6), 'long'), false);
  assert.equal(recent.last()?.info, 'c', 'the too-long phrase did not push out the others');
});

test('dispose releases the audio and the tracker stops counting it', () => {
  const buffers = new BufferTracker();
  const recent = new RecentPhrases<string>({ maxPhrases: 5, maxSeconds: 30 }, buffers);
  recent.add(seconds(1), 'a');
  assert.ok(buffers.totalBytes > 0);
  recent.dispose();
  assert.equal(recent.length, 0);
  assert.equal(buffers.totalBytes, 0);
  assert.equal(buffers.size, 0);
});
