// A whole DictationSession without VS Code: the fake recorder from ../shared streams real speech at real-time pace,
// the real segmenter cuts phrases, and a fake Whisper client records the audio it is asked to transcribe. Checks
// that every phrase reaches transcription sample for sample and in order, whichever way it waited: in the ring,
// in spill files, or as a range of the capture WAV — and that no file outlives the session.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseWavHeader } from '../../src/core/audio/wav';
import { BufferTracker } from '../../src/core/audio/bufferTracker';
import { recorderArgs, RecorderCommand } from '../../src/node/audio/recorder';
import { DictationSession, DictationSessionOptions } from '../../src/node/dictation/dictationSession';
import { createDictationPipeline } from '../../src/node/dictation/pipeline';
import type { Transcriber } from '../../src/node/transcription/transcriber';

const shared = resolve(__dirname, '../../../shared');
const fakeRecorder = join(shared, 'audio/fake-recorder.js');
const scratch = mkdtempSync(join(tmpdir(), 'dictation-capture-test-'));
/** Every session started, so that a failed test cannot leave a fake recorder running (and the runner waiting). */
const sessions: DictationSession[] = [];
after(() => {
  for (const s of sessions) s.cancel();
  rmSync(scratch, { recursive: true, force: true });
});

/** Raw s16le PCM of the clips, one after another with `gapMs` of silence between them, as a fake-mic file. */
function micFile(names: string[], gapMs = 0): string {
  const parts: Buffer[] = [];
  for (const name of names) {
    const bytes = new Uint8Array(readFileSync(join(shared, 'eval/public', `${name}.wav`)));
    const h = parseWavHeader(bytes);
    parts.push(Buffer.from(bytes.subarray(h.dataOffset, h.dataOffset + h.dataLength)), Buffer.alloc(gapMs * 32));
  }
  const path = join(mkdtempSync(join(scratch, 'mic-')), 'speech.raw');
  writeFileSync(path, Buffer.concat(parts));
  return path;
}

function fakeMic(rawPcm: string): RecorderCommand {
  const { args } = recorderArgs('sox', undefined, 'linux');
  return { program: 'sox', executable: process.execPath, args: [fakeRecorder, ...args], env: { FAKE_MIC_FILE: rawPcm, FAKE_MIC_LEAD_MS: '300' } };
}

/** A transcriber that keeps what it is given; transcriptions wait for `gate` (to let the queue grow). */
function fakeClient() {
  const received: Float32Array[] = [];
  let open!: () => void;
  let gate = Promise.resolve();
  const client: Transcriber = {
    prepare: async () => undefined,
    transcribe: async (pcm: Float32Array) => {
      received.push(pcm.slice());
      await gate;
      return { segments: [], text: `phrase ${received.length}`, elapsedMs: 1, cancelled: false };
    },
  };
  return {
    client,
    received,
    hold: () => (gate = new Promise<void>((resolve) => (open = resolve))),
    release: () => open(),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!probe()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A session on the fake mic; `emitted` holds a copy of every phrase as the segmenter produced it. */
function session(mic: string, transcriber: Transcriber, extra: Partial<DictationSessionOptions>) {
  const pipeline = createDictationPipeline();
  const emitted: Float32Array[] = [];
  const texts: string[] = [];
  const errors: Error[] = [];
  const dir = mkdtempSync(join(scratch, 'session-'));
  const s = new DictationSession({
    recorder: fakeMic(mic),
    transcriber,
    transcribeOptions: () => ({ language: 'en', threads: 1, beamSize: 1, audioContext: 0 }),
    createPhraseSource: (emit) =>
      pipeline.createPhraseSource(700, (phrase) => {
        emitted.push(phrase.samples.slice());
        emit(phrase);
      }),
    acceptText: (text) => text,
    preview: 'off',
    // These tests are about where audio waits; speculative transcription has its own (dictationRealtime.test.ts).
    speculateAfterMs: 0,
    spillDirectory: () => dir,
    listener: { onPhraseText: (r) => void texts.push(r.text), onError: (e) => void errors.push(e) },
    ...extra,
  });
  sessions.push(s);
  return { s, emitted, texts, errors, dir };
}

function assertSameAudio(received: Float32Array[], emitted: Float32Array[]): void {
  assert.equal(received.length, emitted.length, 'every phrase was transcribed once');
  for (let i = 0; i < emitted.length; i++) {
    assert.equal(received[i].length, emitted[i].length, `phrase ${i + 1} length`);
    assert.ok(received[i].every((v, j) => v === emitted[i][j]), `phrase ${i + 1} reached transcription sample for sample`);
  }
}

describe('DictationSession capture modes (fake recorder, real segmenter)', { concurrency: true, timeout: 90_000 }, () => {
  it('file mode: records into a private WAV while dictating, transcribes every phrase from it, deletes it at stop', async () => {
    const fake = fakeClient();
    const { s, emitted, texts, errors, dir } = session(micFile(['p01_jfk_inaugural_1961']), fake.client, { captureMode: 'file' });
    await s.start();
    assert.equal(s.captureMode, 'file');
    const wav = s.captureFile!;
    assert.ok(wav.startsWith(dir) && wav.endsWith('.wav'));
    // Hold the first transcription so later phrases wait (on disk) behind it.
    fake.hold();
    await waitFor(() => emitted.length >= 1, 8000, 'the first phrase');
    assert.equal(existsSync(wav), true, 'the capture file exists while recording');
    assert.equal(statSync(wav).mode & 0o777, 0o600);
    await waitFor(() => emitted.length >= 2, 8000, 'the second phrase');
    assert.ok(statSync(wav).size >= 44 + 4 * 32000, 'it grows as the recording goes on');
    fake.release();
    await sleep(5500);
    await s.stop();
    assert.ok(emitted.length >= 3, `the clip is several phrases (${emitted.length})`);
    assertSameAudio(fake.received, emitted);
    assert.equal(s.capturedPhrases, emitted.length, 'every phrase waited as a range of the file');
    assert.equal(s.phrasesReadFromDisk, emitted.length, 'and was read back from it');
    assert.equal(s.spillFilePhrases, 0);
    assert.deepEqual(texts, emitted.map((_, i) => `phrase ${i + 1}`), 'text in order');
    assert.deepEqual(errors, []);
    assert.equal(existsSync(wav), false, 'the capture file is gone after stop');
    assert.deepEqual(readdirSync(dir), []);
  });

  it('streaming with a tiny in-memory bound: phrases overflow to spill files and are all transcribed, in order', async () => {
    const fake = fakeClient();
    const tracker = new BufferTracker();
    const { s, emitted, texts, errors, dir } = session(micFile(Array(4).fill('p07_pocketsphinx_goforward'), 1000), fake.client, {
      captureMode: 'streaming',
      maxBufferedSeconds: 5,
      buffers: tracker,
    });
    await s.start();
    assert.equal(s.captureMode, 'streaming');
    fake.hold(); // the worker is "slow": everything after the first phrase has to wait
    let maxRingBytes = 0;
    let sawSpillFile = false;
    const poll = setInterval(() => {
      maxRingBytes = Math.max(maxRingBytes, tracker.breakdown().find((b) => b.name === 'queue')?.bytes ?? 0);
      sawSpillFile ||= readdirSync(dir).some((f) => f.endsWith('.f32'));
    }, 20);
    try {
      await waitFor(() => emitted.length >= 4, 25_000, 'four phrases');
      await sleep(300);
      // 2.6-s phrases in a 5-s ring: each new one evicted the oldest waiting one to disk.
      assert.ok(s.spillFilePhrases >= 2, `phrases overflowed to spill files (${s.spillFilePhrases})`);
      assert.ok(s.queueFillLevel > 0.4 && s.queueFillLevel <= 1, `the ring holds the newest phrase (${s.queueFillLevel})`);
      assert.ok(sawSpillFile, 'spill files existed while waiting');
      assert.ok(s.bufferedBytes > 0 && s.bufferedBytes === tracker.totalBytes, 'the session accounts its buffers in the tracker');
    } finally {
      clearInterval(poll);
      fake.release();
    }
    await s.stop();
    assert.ok(maxRingBytes <= 5 * 16000 * 4, `the ring never exceeded its bound (${maxRingBytes} bytes)`);
    assertSameAudio(fake.received, emitted);
    assert.equal(s.phrasesReadFromDisk, s.spillFilePhrases, 'spilled phrases were read back');
    assert.deepEqual(texts, emitted.map((_, i) => `phrase ${i + 1}`));
    assert.deepEqual(errors, []);
    assert.deepEqual(readdirSync(dir), [], 'no spill file is left');
    assert.equal(tracker.size, 0, 'a finished session unregisters its buffers');
  });

  it('auto: streams in memory, switches to file capture under memory pressure, loses nothing across the switch', async () => {
    const fake = fakeClient();
    const { s, emitted, errors, dir } = session(micFile(['p01_jfk_inaugural_1961']), fake.client, { captureMode: 'auto', maxBufferedSeconds: 1 });
    await s.start();
    assert.equal(s.captureMode, 'streaming');
    assert.equal(s.captureFile, undefined);
    assert.deepEqual(readdirSync(dir), [], 'no file while streaming');
    await sleep(1200); // inside the first phrase
    s.relieveMemoryPressure();
    assert.equal(s.captureMode, 'file');
    const wav = s.captureFile!;
    await waitFor(() => existsSync(wav), 2000, 'the capture file to be created');
    await sleep(11_500);
    await s.stop();
    assertSameAudio(fake.received, emitted);
    // The phrase that began before the switch is not in the file: it waited in memory/spill; the later ones in the file.
    assert.equal(s.capturedPhrases, emitted.length - 1, `phrases after the switch came from the file (${s.capturedPhrases} of ${emitted.length})`);
    assert.deepEqual(errors, []);
    assert.equal(existsSync(wav), false);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('cancel deletes the capture file and every spill file', async () => {
    const fake = fakeClient();
    const { s, dir } = session(micFile(['p07_pocketsphinx_goforward']), fake.client, { captureMode: 'file', maxBufferedSeconds: 1 });
    await s.start();
    const wav = s.captureFile!;
    await waitFor(() => existsSync(wav), 2000, 'the capture file to be created');
    s.cancel();
    await waitFor(() => readdirSync(dir).length === 0, 3000, 'the session folder to be empty');
    assert.equal(existsSync(wav), false);
  });
});

describe('live previews in auto mode (fake recorder, real segmenter, a slow stand-in for the worker)', { timeout: 60_000 }, () => {
  it('a preview slower than the pause rests previews for a while, and then they come back', async () => {
    const previews: { at: number; ms: number }[] = [];
    let slow = true;
    const transcriber: Transcriber = {
      prepare: async () => undefined,
      transcribe: async (_pcm, options) => {
        // The first preview is slow (a busy machine, or a full-window fallback); later ones are quick.
        const ms = options.priority === 'preview' && slow ? 900 : 100;
        if (options.priority === 'preview') {
          slow = false;
          previews.push({ at: Date.now(), ms });
        }
        await sleep(ms);
        return { segments: [], text: 'words so far', elapsedMs: ms, cancelled: false };
      },
    };
    // 26 s of spontaneous speech: long phrases, so previews have time to rest and come back.
    const shown: number[] = [];
    const errors: Error[] = [];
    const { s } = session(micFile(['p09_mfa_spontaneous_acoustic_corpus']), transcriber, {
      preview: 'auto',
      pauseMs: 700,
      listener: { onPhraseText: () => undefined, onError: (e) => void errors.push(e), onPartialText: () => void shown.push(Date.now()) },
    });
    await s.start();
    await sleep(16_000);
    await s.stop();
    assert.deepEqual(errors, []);
    assert.ok(previews.length >= 3, `previews came back after the slow one (${previews.length})`);
    const rest = previews[1].at - (previews[0].at + previews[0].ms);
    assert.ok(rest >= 5 * 900 - 600, `previews rested after the slow one (${rest} ms)`);
    assert.ok(shown.length >= 2, 'and were shown');
  });
});
