import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AudioRing } from '../../src/core/audio/audioRing';

/** Samples [from, from + n) of a ramp, so any reordering or loss shows in the values. */
function ramp(from: number, n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => from + i);
}

/** A ring of `capacity` samples (sample rate 1, so seconds = samples) that records what it overflows. */
function ringOf(capacity: number) {
  const overflowed: { tag: string; samples: number[] }[] = [];
  const ring = new AudioRing<string>({ capacitySeconds: capacity, sampleRate: 1, onOverflow: (samples, tag) => overflowed.push({ tag, samples: [...samples] }) });
  return { ring, overflowed };
}

describe('AudioRing', () => {
  it('reports fill level and bytes, and never allocates more than its capacity', () => {
    const { ring } = ringOf(10);
    assert.equal(ring.capacity, 10);
    assert.equal(ring.fillLevel, 0);
    assert.equal(ring.bytes, 0, 'an empty ring costs nothing');
    ring.push(ramp(0, 4), 'a');
    assert.equal(ring.fillLevel, 0.4);
    assert.equal(ring.length, 4);
    ring.push(ramp(4, 6), 'b');
    assert.equal(ring.fillLevel, 1);
    assert.equal(ring.bytes, 10 * 4, 'grown to the capacity, not beyond');
    ring.shift();
    assert.equal(ring.fillLevel, 0.6);
  });

  it('capacity is given in seconds of audio at the sample rate', () => {
    const ring = new AudioRing<number>({ capacitySeconds: 2.5, sampleRate: 16000, onOverflow: () => undefined });
    assert.equal(ring.capacity, 40000);
  });

  it('wraps around the end of its store and hands records back intact, in order', () => {
    const { ring, overflowed } = ringOf(10);
    ring.push(ramp(0, 5), 'a');
    ring.push(ramp(5, 3), 'b'); // store grown to 10: a at 0..4, b at 5..7
    assert.deepEqual([...ring.shift()!.samples], [...ramp(0, 5)]);
    ring.push(ramp(8, 4), 'c'); // at 8, 9, 0, 1: split across the end of the store
    ring.push(ramp(12, 3), 'd'); // at 2..4
    assert.equal(ring.fillLevel, 1);
    const b = ring.shift()!;
    const c = ring.shift()!;
    const d = ring.shift()!;
    assert.deepEqual([b.tag, c.tag, d.tag], ['b', 'c', 'd']);
    assert.deepEqual([...b.samples], [...ramp(5, 3)]);
    assert.deepEqual([...c.samples], [...ramp(8, 4)]);
    assert.deepEqual([...d.samples], [...ramp(12, 3)]);
    assert.equal(ring.shift(), undefined);
    assert.deepEqual(overflowed, [], 'nothing overflowed: everything fitted');
  });

  it('keeps a wrapped record intact when the store grows', () => {
    const { ring } = ringOf(100);
    ring.push(ramp(0, 5), 'a');
    ring.push(ramp(5, 3), 'b'); // store of 10
    ring.shift();
    ring.push(ramp(8, 4), 'c'); // split across the end of the 10-sample store
    ring.push(ramp(12, 20), 'd'); // forces growth while wrapped
    assert.deepEqual([...ring.shift()!.samples], [...ramp(5, 3)]);
    assert.deepEqual([...ring.shift()!.samples], [...ramp(8, 4)]);
    assert.deepEqual([...ring.shift()!.samples], [...ramp(12, 20)]);
  });

  it('on overflow hands out exactly the evicted records, oldest first, instead of overwriting them', () => {
    const { ring, overflowed } = ringOf(10);
    ring.push(ramp(0, 4), 'a');
    ring.push(ramp(4, 4), 'b');
    ring.push(ramp(8, 5), 'c'); // needs 5, has 2 free: evicts a (4) → 6 free
    assert.deepEqual(overflowed, [{ tag: 'a', samples: [...ramp(0, 4)] }]);
    ring.push(ramp(13, 9), 'd'); // needs 9: evicts b and c
    assert.deepEqual(
      overflowed.map((o) => o.tag),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(overflowed[1].samples, [...ramp(4, 4)]);
    assert.deepEqual(overflowed[2].samples, [...ramp(8, 5)]);
    assert.deepEqual([...ring.shift()!.samples], [...ramp(13, 9)]);
    assert.equal(ring.overflowedSamples, 13);
  });

  it('a record larger than the whole ring goes straight to overflow and leaves the held records alone', () => {
    const { ring, overflowed } = ringOf(10);
    ring.push(ramp(0, 3), 'a');
    assert.equal(ring.push(ramp(3, 11), 'huge'), false);
    assert.deepEqual(overflowed, [{ tag: 'huge', samples: [...ramp(3, 11)] }]);
    assert.equal(ring.peekTag(), 'a');
    assert.equal(ring.length, 3);
  });

  it('loses nothing: every pushed sample comes out once, through shift or overflow (randomised)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const { ring, overflowed } = ringOf(50);
    const pushed = new Map<string, number[]>();
    const shifted = new Map<string, number[]>();
    let next = 0;
    for (let step = 0; step < 2000; step++) {
      if (random() < 0.6) {
        const n = 1 + Math.floor(random() * 60); // sometimes larger than the ring
        const tag = `r${step}`;
        pushed.set(tag, [...ramp(next, n)]);
        ring.push(ramp(next, n), tag);
        next += n;
      } else {
        const record = ring.shift();
        if (record) shifted.set(record.tag, [...record.samples]);
      }
      assert.ok(ring.length <= ring.capacity && ring.bytes <= ring.capacity * 4, 'bounded');
    }
    const held = new Map<string, number[]>();
    for (let r = ring.shift(); r; r = ring.shift()) held.set(r.tag, [...r.samples]);
    const out = new Map<string, number[]>([...shifted, ...held, ...overflowed.map((o) => [o.tag, o.samples] as [string, number[]])]);
    const total = (m: Map<string, number[]>) => [...m.values()].reduce((s, v) => s + v.length, 0);
    assert.equal(total(shifted) + total(held) + ring.overflowedSamples, next, 'shifted + held + spilled == pushed');
    assert.equal(out.size, pushed.size, 'every record came out exactly once');
    for (const [tag, samples] of pushed) assert.deepEqual(out.get(tag), samples, `record ${tag} intact`);
    // Overflow happens oldest first: the overflowed records are in push order.
    const order = [...pushed.keys()];
    const overflowOrder = overflowed.map((o) => order.indexOf(o.tag));
    const ringEvictions = overflowOrder.filter((_, i) => overflowed[i].samples.length <= 50);
    assert.deepEqual(ringEvictions, [...ringEvictions].sort((a, b) => a - b));
  });

  it('spillAll hands everything out; release also frees the store; discard drops without handing out', () => {
    const { ring, overflowed } = ringOf(10);
    ring.push(ramp(0, 4), 'a');
    ring.push(ramp(4, 4), 'b');
    ring.spillAll();
    assert.deepEqual(overflowed.map((o) => o.tag), ['a', 'b']);
    assert.equal(ring.length, 0);
    assert.equal(ring.bytes, 8 * 4, 'spillAll keeps the store for reuse');
    ring.push(ramp(8, 2), 'c');
    ring.release();
    assert.deepEqual(overflowed.map((o) => o.tag), ['a', 'b', 'c']);
    assert.equal(ring.bytes, 0, 'release returns the memory');
    ring.push(ramp(10, 2), 'd');
    ring.discard();
    assert.equal(overflowed.length, 3, 'discard (a cancelled dictation) hands nothing out');
    assert.equal(ring.length, 0);
    assert.equal(ring.shift(), undefined);
  });
});
