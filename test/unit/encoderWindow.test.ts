// The encoder window fitted to a phrase: its size, the guards that notice a shortened window's failures, and, with
// the real model and the project's addon, that a fitted window transcribes real speech correctly, that a window
// without padding makes tiny.en loop on a real phrase and the guard sends it back to the full window, and that a
// live preview gives way to a final transcription (whisper.cpp's abort callback, patched into the addon).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  DEFAULT_WINDOW_GUARD_LIMITS, fittedAudioContext, longestRepeat, paddingFrames, tokenCap, windowGuardTrip,
} from '../../src/core/transcription/encoderWindow';
import { wordErrorRate } from '../../src/core/text/wer';
import { fixtureModelPath } from '../../src/node/model/fixtureModel';
import { readWavAs16kMono } from '../../src/node/audio/wavFile';
import { addonCandidates } from '../../src/node/whisper/addonVariant';
import { WhisperClient } from '../../src/node/whisper/client';
import type { TranscribeOptions } from '../../src/node/whisper/protocol';

const seconds = (s: number) => Math.round(s * 16000);

describe('fittedAudioContext', () => {
  it('covers the audio plus padding in multiples of 64 frames, and is the full window (0) from ~27 s on', () => {
    // The sizes of ../shared/FINDINGS.md's measurement (2.0, 8.8 and ~18 s with 128 frames of padding).
    assert.equal(fittedAudioContext(seconds(2.0), 128), 256);
    assert.equal(fittedAudioContext(seconds(8.8), 128), 576);
    assert.equal(fittedAudioContext(seconds(18.0), 128), 1088);
    assert.equal(fittedAudioContext(seconds(2.0), 0), 128);
    assert.equal(fittedAudioContext(0, 0), 64, 'never an empty window');
    assert.equal(fittedAudioContext(seconds(27), 128), 0);
    assert.equal(fittedAudioContext(seconds(60), 128), 0);
  });

  it('pads by default with 256 frames, less for a long phrase (the window at least 448 frames), never under 128', () => {
    // Short phrases as before: 2 s = 100 frames + 256 → 384; 3.8 s = 190 + 256 → 448.
    assert.equal(fittedAudioContext(seconds(2.0)), 384);
    assert.equal(fittedAudioContext(seconds(3.8)), 448);
    assert.equal(paddingFrames(100), 256);
    // Between 3.84 and 6.4 s the window stays at 448 frames: the padding shrinks as the phrase grows.
    assert.equal(paddingFrames(250), 198);
    assert.equal(fittedAudioContext(seconds(5.0)), 448);
    assert.equal(fittedAudioContext(seconds(6.4)), 448);
    // Long phrases: 128 frames. 8.8 s: 440 + 128 → 576 (with 256 it was 704); 27 s is still the full window.
    assert.equal(paddingFrames(440), 128);
    assert.equal(fittedAudioContext(seconds(8.8)), 576);
    assert.equal(fittedAudioContext(seconds(18.0)), 1088);
    assert.equal(fittedAudioContext(seconds(27)), 0);
    // From where 256 frames of padding reach the full window (24.88 s), the taper keeps the full window too.
    assert.equal(fittedAudioContext(seconds(24.8)), 1408);
    assert.equal(fittedAudioContext(seconds(24.9)), 0);
    assert.equal(fittedAudioContext(seconds(24.9), 128), 1408, 'a fixed padding is not snapped');
    // A fixed padding stays fixed (the benchmark's configurations).
    assert.equal(fittedAudioContext(seconds(8.8), 256), 704);
    assert.equal(fittedAudioContext(seconds(8.8), { minFrames: 64, maxFrames: 512, minWindowFrames: 0 }), 512);
  });
});

describe('window guards', () => {
  const twoSeconds = seconds(2);

  it('accept real transcripts of the public clips, fillers and a repeated word included', () => {
    for (const text of [
      'And so my fellow Americans, ask not what your country can do for you.',
      "This is the acoustic corpus. I'm talking pretty fast here.",
      'words, words, words, and that should be all. Thanks.',
      'Eight of spades, four of clubs, seven of hearts.',
    ]) assert.equal(windowGuardTrip({ text }, seconds(4)), undefined, text);
    assert.equal(windowGuardTrip({ text: 'Go forward ten meters.', segmentTokens: [12] }, twoSeconds), undefined);
  });

  it('catch a segment at the token cap, too many words for the audio, and loops of words and phrases', () => {
    assert.equal(tokenCap(twoSeconds), DEFAULT_WINDOW_GUARD_LIMITS.tokensBase + 2 * DEFAULT_WINDOW_GUARD_LIMITS.tokensPerSecond);
    assert.equal(windowGuardTrip({ text: 'S-0-S-0-S-0', segmentTokens: [tokenCap(twoSeconds)] }, twoSeconds), 'token-cap');
    assert.equal(windowGuardTrip({ text: 'one two three four five six seven eight nine ten eleven' }, twoSeconds), 'words-per-second');
    assert.equal(windowGuardTrip({ text: 'the the the the end' }, seconds(4)), 'repetition');
    assert.equal(windowGuardTrip({ text: 'ask not, ask not, ask not' }, seconds(4)), 'repetition');
    assert.equal(windowGuardTrip({ text: 'I will go and I will go and I will go and' }, seconds(8)), 'repetition');
    assert.equal(windowGuardTrip({ text: 'Ask not! Ask not!' }, seconds(2.2)), 'repetition', 'the whole text a run said twice');
    assert.equal(windowGuardTrip({ text: 'No, no.' }, seconds(1)), undefined, 'a word said twice is speech');
  });

  it('counts runs of repeated n-grams', () => {
    assert.equal(longestRepeat(['a', 'b', 'a', 'b', 'a', 'b'], 2), 3);
    assert.equal(longestRepeat(['a', 'a', 'b', 'a'], 1), 2);
    assert.equal(longestRepeat(['a'], 2), 0);
  });
});

const root = resolve(__dirname, '../..');
const evalDir = resolve(root, '../shared/eval/public');
const workerScript = join(root, 'dist/whisperWorker.js');
const modelPath = fixtureModelPath();
const missing = !existsSync(modelPath) ? `the real model is missing at ${modelPath} (npm run model:fixture)` : !existsSync(workerScript) ? 'dist/ is missing (node esbuild.mjs)' : false;
const options: TranscribeOptions = { language: 'en', threads: 2, beamSize: 1, audioContext: 'fit' };

// In CI a missing model is a failure, not a skip.
describe('fitted windows with the real model', { skip: !process.env.CI && missing }, () => {
  let client: WhisperClient;
  let jfk: Float32Array;

  before(async () => {
    jfk = await readWavAs16kMono(join(evalDir, 'p01_jfk_inaugural_1961.wav'));
    client = new WhisperClient({ workerScript, host: 'process', addonCandidates: addonCandidates(root), idleUnloadMs: 0 });
    await client.ensureModel(modelPath);
  });
  after(async () => {
    await client?.shutdown();
  });

  it('transcribes the JFK clip correctly with the padded window, without falling back', async () => {
    const result = await client.transcribe(jfk, options);
    assert.equal(result.audioContext, fittedAudioContext(jfk.length));
    assert.ok(result.audioContext! > 0 && result.audioContext! < 1500);
    assert.equal(result.fallback, undefined);
    const score = wordErrorRate('And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.', result.text);
    assert.ok(score.wer <= 0.05, `WER ${score.wer}: ${result.text}`);
    const stats = (await client.stats())!;
    assert.ok(stats.fittedWindowJobs >= 1);
  });

  it('an unpadded window loops on a real phrase; the guard catches it and the full window gives the words', async () => {
    // "Ask not": the JFK clip from 2.54 to 4.51 s, a phrase as the dictation segmenter cut it (300-ms pre-roll).
    const phrase = jfk.slice(seconds(2.54), seconds(4.51));
    const unguarded = await client.transcribe(phrase, { ...options, windowPaddingFrames: 0, windowGuards: false });
    assert.ok(windowGuardTrip({ text: unguarded.text }, phrase.length), `tiny.en loops without padding: ${unguarded.text}`);
    const before = (await client.stats())!.windowFallbacks;
    const guarded = await client.transcribe(phrase, { ...options, windowPaddingFrames: 0 });
    assert.ok(guarded.fallback, 'a guard tripped');
    assert.equal(guarded.audioContext, 0, 'the text comes from the full window');
    assert.match(guarded.text, /^\s*ask not\W*$/i);
    assert.equal((await client.stats())!.windowFallbacks, before + 1, 'the fallback is counted in the worker stats');
  });

  it('a live preview gives way: a final job aborts it inside whisper.cpp, inside its encoder, and runs at once', async () => {
    const long = new Float32Array(seconds(25));
    for (let at = 0; at + jfk.length <= long.length; at += jfk.length) long.set(jfk, at);
    // For scale: the JFK clip with the full window, an encoder pass and 22 words of decoding.
    const scaleStarted = performance.now();
    await client.transcribe(jfk, { ...options, audioContext: 0 });
    const encoderPassMs = performance.now() - scaleStarted;
    const aborted = (await client.stats())!.jobsAborted;
    const preview = client.transcribe(long, { ...options, audioContext: 0, priority: 'preview' });
    // Let the preview reach whisper.cpp's encoder (its 30-s window) before the final arrives.
    await new Promise((r) => setTimeout(r, 150));
    const finalSent = performance.now();
    let previewGaveWayMs = Infinity;
    void preview.then(() => (previewGaveWayMs = performance.now() - finalSent));
    const final = client.transcribe(jfk, options);
    const [p, f] = await Promise.all([preview, final]);
    assert.equal(p.cancelled, true, 'the preview was aborted');
    // The encoder polls the abort between its graph nodes (the addon patch): without that the final waited for the
    // rest of the preview's encoder pass, most of encoderPassMs.
    assert.ok(previewGaveWayMs < encoderPassMs / 3, `the preview gave way ${Math.round(previewGaveWayMs)} ms after the final came; an encoder pass takes ${Math.round(encoderPassMs)} ms`);
    assert.equal(f.cancelled, false);
    assert.match(f.text, /ask not what your country/i);
    assert.equal((await client.stats())!.jobsAborted, aborted + 1);
  });

  it('previews aborted at every moment never leave the worker hung: all graph threads stop at the same node', async () => {
    // ggml's threads polled the abort flag at the top of each node; one that read it late skipped a node's barrier
    // and the other waited in it forever (the addon's ggml patch). On 2 busy cores this hung within 10-100 aborts.
    const speech = new Float32Array(seconds(14));
    for (let at = 0; at < speech.length; at += jfk.length) speech.set(jfk.subarray(0, Math.min(jfk.length, speech.length - at)), at);
    const aborted = (await client.stats())!.jobsAborted;
    const pid = client.pid;
    let slowest = 0;
    for (let i = 0; i < 60; i++) {
      const length = seconds(3 + ((i * 7) % 11));
      const preview = client.transcribe(speech.subarray(0, length), { ...options, priority: 'preview' });
      // Spread over the preview's whole run: the mel, the encoder's nodes, the decoder's steps.
      await new Promise((r) => setTimeout(r, (i * 37) % 450));
      const finalSent = performance.now();
      const final = await client.transcribe(speech.subarray(0, length), options);
      slowest = Math.max(slowest, performance.now() - finalSent);
      await preview;
      assert.equal(final.cancelled, false);
    }
    // A hung worker is killed after 20 s and the phrase retried by a new one: a hang shows as both.
    assert.ok(slowest < 8000, `the slowest final took ${Math.round(slowest)} ms`);
    assert.equal(client.pid, pid, 'the same worker served every job');
    assert.ok((await client.stats())!.jobsAborted > aborted + 20, 'most previews were aborted mid-way');
  });

  it('a withdrawn job is aborted and says cancelled; the worker goes on with the next', async () => {
    const controller = new AbortController();
    const job = client.transcribe(jfk, { ...options, audioContext: 0 }, undefined, controller.signal);
    await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    assert.equal((await job).cancelled, true);
    assert.match((await client.transcribe(jfk, options)).text, /fellow Americans/i);
  });
});
