// What a deactivation mid-dictation hands over and keeps: the waiting phrases' audio in speaking order (from the
// in-memory ring and from outside it), saved as WAVs that survive the window, transcribed and removed at the next
// start. The real path (microphone → deactivate → reactivate → history) is test/integration/zzz_deactivationRecovery.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PhraseQueue } from '../../src/node/dictation/phraseQueue';
import { PhraseRecovery } from '../../src/node/dictation/phraseRecovery';

const scratch = mkdtempSync(join(tmpdir(), 'phrase-recovery-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const tone = (seconds: number, value: number) => new Float32Array(16000 * seconds).fill(value);
const phrase = (samples: Float32Array) => ({ samples, endMs: 0, speechMs: 500, speechDbfs: -20 });

describe('PhraseQueue.salvage', () => {
  it('hands back every waiting phrase in order, from the ring and beyond its bound, and leaves the queue empty', () => {
    // A 2-s ring: the third phrase does not fit and (without a spill folder) waits in memory outside it.
    const queue = new PhraseQueue({ maxBufferedSeconds: 2, onError: () => undefined });
    queue.add(phrase(tone(0.5, 0.1)), 0);
    queue.add(phrase(tone(1, 0.2)), 0);
    queue.add(phrase(tone(1.5, 0.3)), 0);
    const { audio, onDiskOnly } = queue.salvage();
    assert.deepEqual(audio.map((a) => [a.length, +a[0].toFixed(2)]), [[8000, 0.1], [16000, 0.2], [24000, 0.3]]);
    assert.equal(onDiskOnly, 0);
    assert.equal(queue.length, 0);
  });
});

describe('PhraseRecovery', () => {
  it('saves phrases as WAVs, transcribes them in speaking order into the history, and deletes them', async () => {
    const recovery = new PhraseRecovery(join(scratch, 'unfinished'));
    const files = recovery.save([tone(1, 0.1), new Float32Array(0), tone(2, 0.2)]);
    assert.equal(files.length, 2, 'empty audio is not saved');
    assert.deepEqual(recovery.pending(), files);
    const delivered: string[] = [];
    const texts = await recovery.recover(async (pcm) => `phrase of ${pcm.length / 16000} s`, (text) => delivered.push(text));
    assert.deepEqual(texts, ['phrase of 1 s', 'phrase of 2 s']);
    assert.deepEqual(delivered, texts);
    assert.deepEqual(readdirSync(join(scratch, 'unfinished')), []);
  });

  it('keeps a phrase whose transcription failed for the next start', async () => {
    const recovery = new PhraseRecovery(join(scratch, 'failing'));
    recovery.save([tone(1, 0.1)]);
    await assert.rejects(recovery.recover(async () => Promise.reject(new Error('no model')), () => undefined));
    assert.equal(recovery.pending().length, 1);
  });
});
