import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PhraseSegmenter, SegmentedPhrase, ZeroInputDetector, frameDbfs } from '../../src/core/vad/phraseSegmenter';
import { decodeWavSamples, parseWavHeader } from '../../src/core/audio/wav';
import { concat, syllables, whiteNoise } from '../support/signals';
import { colouredNoise } from '../support/nonSpeech';

const mix = (a: Float32Array, b: Float32Array) => a.map((s, i) => s + (b[i] ?? 0));

const evalDir = resolve(__dirname, '../../../shared/eval/public');

function loadClip(name: string): Float32Array {
  const bytes = new Uint8Array(readFileSync(join(evalDir, `${name}.wav`)));
  const header = parseWavHeader(bytes);
  assert.equal(header.sampleRate, 16000);
  return decodeWavSamples(header, bytes.subarray(header.dataOffset, header.dataOffset + header.dataLength));
}

/** Feeds audio in recorder-sized chunks (uneven on purpose) and returns the phrases. */
function segment(audio: Float32Array, config = {}, chunk = 1234): SegmentedPhrase[] {
  const phrases: SegmentedPhrase[] = [];
  const segmenter = new PhraseSegmenter((p) => phrases.push(p), config);
  for (let at = 0; at < audio.length; at += chunk) segmenter.push(audio.subarray(at, at + chunk));
  segmenter.flush();
  return phrases;
}

const noise = (seconds: number, dbfs: number, seed = 1) => whiteNoise(Math.round(seconds * 16000), dbfs, seed);

describe('PhraseSegmenter', () => {
  it('during a pause offers the phrase to come: the same start and speech, and from the trail on the same samples', () => {
    const speech = loadClip('p07_pocketsphinx_goforward');
    const audio = concat(noise(1.5, -60), speech, noise(1.5, -60, 2));
    const emitted: SegmentedPhrase[] = [];
    const segmenter = new PhraseSegmenter((p) => emitted.push(p), { pauseMs: 700 });
    const offered: { pauseMs: number; phrase: SegmentedPhrase }[] = [];
    for (let at = 0; at < audio.length && emitted.length === 0; at += 480) {
      segmenter.push(audio.subarray(at, at + 480));
      const tentative = segmenter.tentativePhrase();
      if (tentative && emitted.length === 0) offered.push({ pauseMs: segmenter.pauseSoFarMs, phrase: tentative });
      if (segmenter.pauseSoFarMs === 0) assert.equal(tentative, undefined, 'nothing is offered while speech goes on');
    }
    assert.equal(emitted.length, 1);
    const [phrase] = emitted;
    assert.equal(phrase.endedBy, 'pause');
    // Offers during the last, completed pause (earlier pauses within the words may have been offered too).
    const last = offered.filter((o) => o.phrase.endMs === phrase.endMs);
    assert.ok(last.length >= 10, `offered through the pause (${last.length})`);
    for (const { pauseMs, phrase: t } of last) {
      assert.equal(t.startSample, phrase.startSample);
      if (pauseMs >= 400) assert.deepEqual(t.samples, phrase.samples, `identical once the 400-ms trail is complete (${pauseMs} ms)`);
      else assert.ok(t.samples.length < phrase.samples.length && t.samples.every((v, i) => v === phrase.samples[i]), 'a prefix of the phrase before that');
    }
  });

  it('never makes a phrase from digital silence or steady background noise', () => {
    assert.deepEqual(segment(new Float32Array(16000 * 10)), []);
    assert.deepEqual(segment(noise(10, -45)), []);
  });

  it('finds one phrase per utterance separated by pauses, with pre-roll', () => {
    const speech = loadClip('p07_pocketsphinx_goforward');
    const gap = noise(1.5, -60);
    const audio = concat(gap, speech, gap, speech, gap);
    const phrases = segment(audio, { pauseMs: 700 });
    assert.equal(phrases.length, 2, `phrases at ${phrases.map((p) => p.startSample / 16000).join(', ')}`);
    for (const p of phrases) {
      assert.ok(p.samples.length > 16000 * 0.8, 'each phrase holds the utterance');
      assert.ok(p.samples.length < speech.length + 16000, 'and not much of the pauses');
    }
    assert.ok(phrases[0].startSample < gap.length + 0.4 * 16000, 'pre-roll keeps the onset');
    assert.ok(phrases[1].startSample > gap.length + speech.length, 'the second phrase starts after the first utterance');
  });

  it('cuts the real JFK clip at its pauses', () => {
    const jfk = loadClip('p01_jfk_inaugural_1961');
    const phrases = segment(jfk, { pauseMs: 500 });
    assert.ok(phrases.length >= 2, `JFK has clear pauses (got ${phrases.length} phrase(s))`);
    const covered = phrases.reduce((n, p) => n + p.speechMs, 0);
    assert.ok(covered > 4000, `speech covered ${covered} ms`);
  });

  it('cuts a phrase longer than maxPhraseMs at a quiet point and keeps every sample of speech', () => {
    const parts: Float32Array[] = [];
    for (let i = 0; i < 12; i++) parts.push(syllables(40000, -15, i + 7), noise(0.3, -70, i + 100));
    const long = concat(noise(0.5, -70), ...parts);
    const phrases = segment(long, { pauseMs: 700, maxPhraseMs: 10000 });
    assert.ok(phrases.length >= 3, `${phrases.length} phrases`);
    for (const p of phrases) assert.ok(p.samples.length <= 10000 * 16 + 480, 'no phrase exceeds the cap');
    for (let i = 1; i < phrases.length; i++) assert.equal(phrases[i].startSample, phrases[i - 1].endSample, 'cuts are contiguous: nothing lost');
    assert.ok(phrases.slice(0, -1).every((p) => p.endedBy === 'length'), 'cut while speech went on');
    const cutLevels = phrases.slice(0, -1).map((p) => frameDbfs(long, p.endSample - 480, p.endSample));
    for (const level of cutLevels) assert.ok(level < -40, `cut in a quiet frame (${level.toFixed(1)} dBFS)`);
  });

  it('never makes a phrase longer than Whisper\'s 30-s window, however long the speaker goes on', () => {
    const endless = concat(noise(0.5, -70), ...Array.from({ length: 30 }, (_, i) => concat(syllables(28800, -15, i + 3), noise(0.2, -70, i + 50))));
    const endlessPhrases = segment(endless);
    assert.ok(endlessPhrases.length >= 2, `${endlessPhrases.length} phrases`);
    for (const p of endlessPhrases) assert.ok(p.samples.length <= 30 * 16000, `${(p.samples.length / 16000).toFixed(1)} s fits Whisper's 30-s window`);
  });

  it('noise that starts suddenly (a fan, white/pink/brown noise) makes no phrase, and speech in it still does', () => {
    const speech = loadClip('p07_pocketsphinx_goforward');
    for (const kind of ['white', 'pink', 'brown'] as const) {
      for (const dbfs of [-45, -35, -20]) {
        const phrases: SegmentedPhrase[] = [];
        const s2 = new PhraseSegmenter((p) => phrases.push(p));
        const steady = colouredNoise(kind, 8, dbfs, 5);
        s2.push(concat(noise(1, -65), steady));
        assert.equal(phrases.length, 0, `${kind} noise at ${dbfs} dBFS made no phrase`);
        // 30 dB and more over the room it starts as speech, and is then noticed as steady noise (brown noise is
        // mostly rumble below the voice band, which the level meter leaves out: it never starts a phrase).
        const audible = dbfs >= -35 && kind !== 'brown';
        if (audible) assert.ok(s2.steadyNoiseDropped >= 1, `${kind} at ${dbfs}: noticed as steady noise`);
        if (audible) assert.ok(s2.noiseFloorDbfs > dbfs - 6, `${kind} at ${dbfs}: the floor took the noise's level (${s2.noiseFloorDbfs.toFixed(1)} dBFS)`);
        // Speech 10 dB above the noise, in the noise, is still a phrase.
        if (dbfs === -45) {
          s2.push(concat(mix(speech, colouredNoise(kind, speech.length / 16000, dbfs, 9)), colouredNoise(kind, 1.5, dbfs, 13)));
          s2.flush();
          assert.equal(phrases.length, 1, `${kind}: the speech in the noise is one phrase`);
        }
      }
    }
  });

  it('flush() emits the phrase in progress when dictation stops mid-sentence', () => {
    const speech = loadClip('p07_pocketsphinx_goforward');
    const phrases: SegmentedPhrase[] = [];
    const segmenter = new PhraseSegmenter((p) => phrases.push(p));
    segmenter.push(concat(noise(1, -60), speech.subarray(0, speech.length - 8000)));
    assert.equal(phrases.length, 0);
    assert.ok(segmenter.speaking);
    segmenter.flush();
    assert.equal(phrases.length, 1);
    assert.equal(phrases[0].endedBy, 'stop');
  });
});

describe('ZeroInputDetector', () => {
  it('reports a microphone that delivers only zeros within two seconds, once', () => {
    let reports = 0;
    const detector = new ZeroInputDetector(() => reports++);
    for (let i = 0; i < 50; i++) detector.push(new Float32Array(1600));
    assert.equal(reports, 1);
  });

  it('stays quiet for a real microphone', () => {
    let reports = 0;
    const detector = new ZeroInputDetector(() => reports++);
    detector.push(noise(3, -70));
    assert.equal(reports, 0);
  });
});

describe('ZeroInputDetector with dithered silence', () => {
  it('treats ±1 LSB dither as no signal', () => {
    let reports = 0;
    const detector = new ZeroInputDetector(() => reports++);
    const dither = new Float32Array(16000 * 3).map((_, i) => ((i % 3) - 1) / 32768);
    detector.push(dither);
    assert.equal(reports, 1);
  });
});
