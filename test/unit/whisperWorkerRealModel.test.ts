// The Whisper worker with the project's own addon build and the real tiny.en weights: the two things that build
// and the worker's environment add to smart-whisper — decoding that stops after one 30-s window (max_windows, a
// patch in scripts/build-addon.mjs) and a worker whose memory returns to the OS after every transcription — and the
// token probabilities that tell Whisper's guesses at a chime from words.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fixtureModelPath } from '../../src/node/model/fixtureModel';
import { readWavAs16kMono } from '../../src/node/audio/wavFile';
import { addonCandidates } from '../../src/node/whisper/addonVariant';
import { WhisperClient } from '../../src/node/whisper/client';
import type { TranscribeOptions } from '../../src/node/whisper/protocol';
import { concat } from '../support/signals';
import { desktopSounds } from '../support/nonSpeech';
import { acceptTranscript } from '../../src/core/text/transcriptFilter';

const root = resolve(__dirname, '../..');
const evalDir = resolve(root, '../shared/eval/public');
const workerScript = join(root, 'dist/whisperWorker.js');
const modelPath = fixtureModelPath();
const options: TranscribeOptions = { language: 'en', threads: 2, beamSize: 1, audioContext: 0 };
const missing = !existsSync(modelPath) ? `the real model is missing at ${modelPath} (npm run model:fixture)` : !existsSync(workerScript) ? 'dist/ is missing (node esbuild.mjs)' : false;

// In CI a missing model is a failure, not a skip.
describe('the Whisper worker with the real model and the project addon', { skip: !process.env.CI && missing }, () => {
  let client: WhisperClient;
  /** 52 s of continuous speech: two clips back to back. */
  let speech: Float32Array;

  before(async () => {
    const parts = await Promise.all(['p09_mfa_spontaneous_acoustic_corpus', 'p10_mfa_spontaneous_cold_corpus'].map((c) => readWavAs16kMono(join(evalDir, `${c}.wav`))));
    speech = concat(...parts);
    client = new WhisperClient({ workerScript, host: 'process', addonCandidates: addonCandidates(root), idleUnloadMs: 0 });
    await client.ensureModel(modelPath);
  });
  after(async () => {
    await client?.shutdown();
  });

  it('decodes only the first 30-s window with maxWindows 1, and the whole input without it', async () => {
    const whole = await client.transcribe(speech, options);
    const firstWindow = await client.transcribe(speech, { ...options, maxWindows: 1 });
    assert.ok(whole.segments.some((s) => s.fromMs > 30_000), `the whole input reaches past 30 s: ${JSON.stringify(whole.segments.map((s) => s.toMs))}`);
    assert.ok(firstWindow.segments.length > 0 && firstWindow.segments.every((s) => s.toMs <= 30_000), `first window only: ${JSON.stringify(firstWindow.segments.map((s) => s.toMs))}`);
    assert.match(firstWindow.text, /acoustic corpus/i);
    // The same decoding of the same window: the first window's segments open the whole transcript.
    assert.deepEqual(firstWindow.segments, whole.segments.slice(0, firstWindow.segments.length));
  });

  it('returns the memory of each transcription to the OS: the worker does not grow from call to call', async () => {
    const window = speech.subarray(0, 30 * 16000);
    const rssAfter: number[] = [];
    const buffersAfter: number[] = [];
    for (let i = 0; i < 10; i++) {
      await client.transcribe(window, { ...options, maxWindows: 1 });
      const stats = (await client.stats())!;
      rssAfter.push(stats.rssBytes / 1024 / 1024);
      buffersAfter.push(stats.arrayBuffersBytes / 1024 / 1024);
    }
    // glibc's growing mmap threshold would keep ~50 MB more of every freed whisper state, up to ~400 MB; without a
    // collection after each call, every call's audio (1.9 MB) would stay until V8 notices.
    const growth = Math.max(...rssAfter.slice(1)) - rssAfter[0];
    assert.ok(growth < 15, `worker RSS after each call: ${rssAfter.map((mb) => mb.toFixed(0)).join(', ')} MB`);
    // At most the audio of the call just finished and of the one before (backing stores are freed just after a collection).
    assert.ok(Math.max(...buffersAfter) < 8, `worker array buffers after each call: ${buffersAfter.map((mb) => mb.toFixed(1)).join(', ')} MB`);
  });

  it("reports how sure Whisper was: a desktop alert's 'you' is dropped, a spoken word and a sentence are kept", async () => {
    const sounds = desktopSounds();
    // sound-theme-freedesktop comes with scripts/setup.sh; without it this test proves nothing.
    assert.ok(sounds.length > 10, 'the desktop sounds are installed (sound-theme-freedesktop)');
    const heard: string[] = [];
    for (const name of ['suspend-error', 'phone-outgoing-calling', 'complete']) {
      const sound = sounds.find((s) => s.name === `desktop sound ${name}`)!;
      const result = await client.transcribe(sound.samples, { ...options, audioContext: 'fit' });
      heard.push(`${name}: "${result.text}" ${JSON.stringify(result.confidence)}`);
      // Whisper writes something for the tone; the filter drops it, loud and long as the tone is.
      assert.equal(acceptTranscript(result.text, { speechMs: 1200, speechDbfs: -17 }, result.confidence), undefined, heard.join('; '));
    }
    const spoken = [await readWavAs16kMono('/usr/share/asterisk/sounds/en/hello.wav'), await readWavAs16kMono(join(evalDir, 'p07_pocketsphinx_goforward.wav'))];
    for (const [pcm, expected] of [[spoken[0], /hello/i], [spoken[1], /go forward/i]] as const) {
      const result = await client.transcribe(pcm, { ...options, audioContext: 'fit' });
      assert.ok(result.confidence && result.confidence.meanTokenP > 0.3, `"${result.text}" ${JSON.stringify(result.confidence)}`);
      assert.match(acceptTranscript(result.text, { speechMs: 700, speechDbfs: -22 }, result.confidence) ?? '', expected);
    }
  });
});
