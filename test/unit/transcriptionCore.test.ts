// The pure parts of long-file transcription: streaming resampling, quiet-point cuts, chunk planning, overlap
// merging, speech timing, output formats and time ranges.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeWavSamples, parseWavHeader } from '../../src/core/audio/wav';
import { resampleLinear, StreamingResampler } from '../../src/core/audio/convert';
import { contextStart, quietestCut } from '../../src/core/transcription/chunkBoundary';
import { ChunkPlanner } from '../../src/core/transcription/chunkPlanner';
import { dropEchoes, dropOverlapSegments, removeSeamDuplicates } from '../../src/core/transcription/overlapMerge';
import { SampleWindow } from '../../src/core/transcription/sampleWindow';
import { dropSilenceHallucinations } from '../../src/core/transcription/silenceFilter';
import { tightenToSpeech } from '../../src/core/transcription/speechTiming';
import { formatClock, parseTimestamp, validateRange } from '../../src/core/transcription/timeRange';
import { formatCueTime, formatTranscript } from '../../src/core/transcription/transcriptFormats';
import { TranscriptionError } from '../../src/core/transcription/transcriptionError';
import { withoutOverlaps, type TimedSegment } from '../../src/core/transcription/timedSegment';
import { concat, whiteNoise } from '../support/signals';

const evalDir = resolve(__dirname, '../../../shared/eval/public');

function loadClip(name: string): Float32Array {
  const bytes = new Uint8Array(readFileSync(join(evalDir, `${name}.wav`)));
  const header = parseWavHeader(bytes);
  return decodeWavSamples(header, bytes.subarray(header.dataOffset, header.dataOffset + header.dataLength));
}

/** Deterministic white noise at a level (dBFS). */
const noise = (samples: number, dbfs: number, seed = 7) => whiteNoise(samples, dbfs, seed);

function streamed(input: Float32Array, from: number, to: number, blockSizes: () => number): Float32Array {
  const resampler = new StreamingResampler(from, to);
  const parts: Float32Array[] = [];
  for (let at = 0; at < input.length; ) {
    const size = blockSizes();
    parts.push(resampler.push(input.subarray(at, at + size)));
    at += size;
  }
  parts.push(resampler.flush());
  return concat(...parts);
}

const seg = (startMs: number, endMs: number, text: string): TimedSegment => ({ startMs, endMs, text });

describe('StreamingResampler', () => {
  const input = noise(40_000, -12);
  for (const [from, to] of [[44100, 16000], [48000, 16000], [22050, 16000], [96000, 16000], [8000, 16000], [11025, 16000]]) {
    it(`gives exactly resampleLinear's output at ${from} → ${to} Hz, wherever the blocks end`, () => {
      const whole = resampleLinear(input, from, to);
      let state = 3;
      const random = () => ((state = (state * 48271) % 2147483647), 1 + (state % 2000));
      for (const sizes of [random, () => 1, () => 3, () => 4096, () => input.length]) {
        const result = streamed(input, from, to, sizes);
        assert.equal(result.length, whole.length);
        assert.deepEqual(result, whole);
      }
    });
  }

  it('passes 16 kHz through untouched', () => {
    const resampler = new StreamingResampler(16000, 16000);
    const block = noise(100, -20);
    assert.equal(resampler.push(block), block);
    assert.equal(resampler.flush().length, 0);
  });
});

describe('quietestCut', () => {
  it('cuts inside the pause of real speech, not in a word', () => {
    const speech = loadClip('p07_pocketsphinx_goforward');
    const pause = noise(4800, -70);
    const audio = concat(speech.subarray(8000, 40000), pause, speech.subarray(8000, 40000));
    const pauseStart = 32000;
    const cut = quietestCut(audio, 16000, 60000);
    assert.ok(cut > pauseStart && cut < pauseStart + pause.length, `cut at ${cut}, pause ${pauseStart}–${pauseStart + pause.length}`);
  });

  it('goes to the middle of a pause and prefers the pause nearer the nominal boundary', () => {
    const loud = noise(8000, -15);
    const quiet = new Float32Array(3200);
    const audio = concat(loud, quiet, loud, quiet, loud);
    const cut = quietestCut(audio, 0, audio.length);
    const secondPause = 8000 + 3200 + 8000;
    assert.ok(Math.abs(cut - (secondPause + 1600)) <= 160, `cut ${cut} should be the middle of the second pause (${secondPause + 1600})`);
  });

  it('starts the overlap after the speech the previous chunk finished, but keeps it all for a cut inside speech', () => {
    const speech = noise(8000, -20);
    const afterPause = concat(speech, noise(8000, -65));
    const start = contextStart(afterPause);
    assert.ok(start >= 8000 && start <= 8000 + 320, `overlap starts at ${start}`);
    assert.equal(contextStart(concat(noise(12000, -65), speech.subarray(0, 4000))), 0, 'speech right before the cut');
    assert.equal(contextStart(concat(speech, noise(1600, -65))), 0, 'a pause of 100 ms is not a sentence end');
    assert.equal(contextStart(noise(16000, -65)), 0, 'all quiet: the whole overlap');
  });

  it('stays inside the search window and copes with windows shorter than a frame', () => {
    const audio = noise(16000, -20);
    const cut = quietestCut(audio, 4000, 9000);
    assert.ok(cut >= 4000 && cut <= 9000);
    assert.equal(quietestCut(audio, 5000, 5050), 5050);
  });
});

describe('SampleWindow and ChunkPlanner', () => {
  it('plans contiguous chunks of at most the window, cut in pauses, holding little audio', () => {
    // 20 s of "speech" alternating with 0.4-s pauses every 2.4 s, fed in odd blocks.
    const parts: Float32Array[] = [];
    for (let i = 0; i < 25; i++) parts.push(noise(32000, -18, i + 1), new Float32Array(6400));
    const audio = concat(...parts);
    const window = new SampleWindow();
    const planner = new ChunkPlanner({ overlapSamples: 16000, searchSamples: 48000 });
    const chunks: { startSample: number; endSample: number }[] = [];
    let start = 0;
    let fed = 0;
    let maxHeld = 0;
    for (;;) {
      const step = planner.next(start, window, fed >= audio.length, 10 * 16000);
      if (step.kind === 'done') break;
      if (step.kind === 'needAudio') {
        window.append(audio.subarray(fed, fed + 5000));
        fed += 5000;
        maxHeld = Math.max(maxHeld, window.held);
        continue;
      }
      chunks.push(step.bounds);
      window.discardBefore(step.bounds.endSample - 16000);
      start = step.bounds.endSample;
    }
    assert.equal(chunks[0].startSample, 0);
    assert.equal(chunks[chunks.length - 1].endSample, audio.length);
    for (let i = 1; i < chunks.length; i++) assert.equal(chunks[i].startSample, chunks[i - 1].endSample);
    for (const [i, c] of chunks.entries()) {
      const overlap = i === 0 ? 0 : 16000;
      assert.ok(c.endSample - c.startSample + overlap <= 10 * 16000, `chunk ${i} is ${(c.endSample - c.startSample) / 16000} s`);
      if (i < chunks.length - 1) assert.equal(audio[c.endSample], 0, `chunk ${i} ends at ${c.endSample}, in a pause`);
    }
    assert.ok(maxHeld <= 10 * 16000 + 5000, `held ${maxHeld} samples`);
  });

  it('follows recorded boundaries, then plans afresh', () => {
    const window = new SampleWindow();
    window.append(noise(16000 * 40, -20));
    const planner = new ChunkPlanner({ overlapSamples: 16000, searchSamples: 48000, recorded: [{ startSample: 0, endSample: 123_456 }] });
    const first = planner.next(0, window, true, 30 * 16000);
    assert.deepEqual(first, { kind: 'chunk', bounds: { startSample: 0, endSample: 123_456 } });
    const second = planner.next(123_456, window, true, 30 * 16000);
    assert.equal(second.kind, 'chunk');
    if (second.kind === 'chunk') assert.ok(second.bounds.endSample <= 123_456 + 29 * 16000 && second.bounds.endSample >= 123_456 + 26 * 16000);
  });

  it('drops samples it has been told to discard even before they arrive', () => {
    const window = new SampleWindow();
    window.discardBefore(10);
    window.append(Float32Array.from({ length: 16 }, (_, i) => i));
    assert.equal(window.start, 10);
    assert.equal(window.end, 16);
    assert.deepEqual([...window.copy(12, 14)], [12, 13]);
  });
});

describe('overlap merging', () => {
  it('drops the segments that lie in the overlap', () => {
    const segments = [seg(0, 900, 'to the moon'), seg(900, 4000, 'in this decade'), seg(200, 1250, 'almost inside')];
    assert.deepEqual(dropOverlapSegments(segments, 1000).map((s) => s.text), ['in this decade']);
    assert.equal(dropOverlapSegments(segments, 0).length, 3);
  });

  it('removes the words repeated at the seam, ignoring case and punctuation', () => {
    const previous = [seg(0, 5000, 'We choose to go to the Moon.')];
    const next = [seg(4800, 8000, 'to the moon, in this decade'), seg(8000, 9000, 'and do the other things.')];
    const merged = removeSeamDuplicates(previous, next, 5000);
    assert.deepEqual(merged.map((s) => s.text), ['in this decade', 'and do the other things.']);
    assert.equal(merged[0].startMs, 5000, 'a shortened segment starts at the seam');
  });

  it('recognises a word cut by the overlap and a fragment before the repetition', () => {
    const previous = [seg(0, 5000, 'in the superlative degree.')];
    assert.deepEqual(removeSeamDuplicates(previous, [seg(4900, 6000, 'relative degree.'), seg(9000, 9500, 'Next.')], 5000).map((s) => s.text), ['Next.']);
    assert.deepEqual(removeSeamDuplicates([seg(0, 5000, 'he went to the old mill')], [seg(4900, 7000, 'um the old mill was closed')], 5000).map((s) => s.text), ['was closed']);
  });

  it('recognises a single word Whisper heard only the end of', () => {
    const merged = removeSeamDuplicates([seg(0, 5000, 'with thousands of spectators.')], [seg(4900, 7000, 'rectators, trivialities not worth it.')], 5000);
    assert.deepEqual(merged.map((s) => s.text), ['trivialities not worth it.']);
    const unrelated = [seg(5600, 7000, 'actors were there')];
    assert.deepEqual(removeSeamDuplicates([seg(0, 5000, 'the factors')], unrelated, 5000), unrelated);
  });

  it("drops Whisper's echo of the last words before it", () => {
    const segments = [seg(0, 5000, 'the dreams built around it.'), seg(5000, 5400, 'it.'), seg(5400, 6000, 'Around it we go.')];
    assert.deepEqual(dropEchoes(segments).map((s) => s.text), ['the dreams built around it.', 'Around it we go.']);
  });

  it('keeps everything when nothing repeats, and never touches segments far from the seam', () => {
    const previous = [seg(0, 5000, 'the end of one thought.')];
    const next = [seg(5200, 7000, 'A new idea.'), seg(9000, 10_000, 'thought.')];
    assert.deepEqual(removeSeamDuplicates(previous, next, 5000), next);
    const later = [seg(7000, 8000, 'thought. again')];
    assert.deepEqual(removeSeamDuplicates(previous, later, 5000), later);
    assert.deepEqual(removeSeamDuplicates([], next, 5000), next);
  });
});

describe('speech timing and silence filtering', () => {
  const speech = noise(16000, -20, 3);
  // 1 s of room noise, 1 s of speech, 2 s of room noise, 1 s of speech.
  const pcm = concat(noise(16000, -60, 4), speech, noise(32000, -60, 5), speech);

  it('moves segment starts from the silence to the speech onset, and ends to the end of speech', () => {
    const tightened = tightenToSpeech([seg(0, 2500, 'first'), seg(2500, 5000, 'second')], pcm);
    assert.ok(Math.abs(tightened[0].startMs - 900) <= 40, `start ${tightened[0].startMs}`);
    assert.ok(Math.abs(tightened[0].endMs - 2200) <= 40, `end ${tightened[0].endMs}`);
    assert.ok(Math.abs(tightened[1].startMs - 3900) <= 40, `start ${tightened[1].startMs}`);
    assert.equal(tightened[1].endMs, 5000);
  });

  it('does not stretch a segment over the first syllable of the next sentence', () => {
    const [segment] = tightenToSpeech([seg(900, 4100, 'first')], pcm);
    assert.ok(segment.endMs <= 2300, `end ${segment.endMs}`);
  });

  it("does not start a segment on the last syllable of the previous sentence", () => {
    // The segment starts 200 ms before the end of the first stretch of speech, then 2 s of room noise, then its own.
    const [segment] = tightenToSpeech([seg(1800, 5000, 'second')], pcm);
    assert.ok(Math.abs(segment.startMs - 3900) <= 40, `start ${segment.startMs}`);
  });

  it('leaves segments without audible speech as Whisper timed them', () => {
    const quiet = noise(32000, -70);
    assert.deepEqual(tightenToSpeech([seg(100, 1500, 'x')], quiet), [seg(100, 1500, 'x')]);
  });

  it("drops Whisper's silence phrases over quiet audio but keeps real words", () => {
    const kept = dropSilenceHallucinations([seg(0, 900, ' Thank you.'), seg(1000, 2000, ' Thank you.'), seg(2000, 3900, '[BLANK_AUDIO]'), seg(4000, 5000, ' Real words here.')], pcm);
    assert.deepEqual(kept.map((s) => [s.startMs, s.text]), [[1000, 'Thank you.'], [4000, 'Real words here.']]);
  });
});

describe('segment order', () => {
  it('starts a segment that overlaps the previous one where that one ends, and leaves the rest alone', () => {
    const segments = [seg(0, 2000, 'a'), seg(1800, 3000, 'b'), seg(3500, 4000, 'c'), seg(3600, 3900, 'd')];
    assert.deepEqual(withoutOverlaps(segments), [seg(0, 2000, 'a'), seg(2000, 3000, 'b'), seg(3500, 4000, 'c'), seg(3600, 3900, 'd')]);
  });
});

describe('transcript formats', () => {
  const segments = [seg(1500, 4250, ' Hello there.'), seg(4300, 3_723_004, 'A long --> talk\nwith lines.'), seg(3_730_000, 3_731_000, 'After a pause.')];

  it('writes SRT cues with absolute times, numbered from 1', () => {
    assert.equal(
      formatTranscript('srt', segments),
      '1\n00:00:01,500 --> 00:00:04,250\nHello there.\n\n2\n00:00:04,300 --> 01:02:03,004\nA long → talk with lines.\n\n3\n01:02:10,000 --> 01:02:11,000\nAfter a pause.\n',
    );
  });

  it('writes WebVTT with its header and dotted milliseconds', () => {
    const vtt = formatTranscript('vtt', segments);
    assert.ok(vtt.startsWith('WEBVTT\n\n00:00:01.500 --> 00:00:04.250\nHello there.\n'));
    assert.match(vtt, /\n01:02:10\.000 --> 01:02:11\.000\nAfter a pause\.\n$/);
  });

  it('writes Markdown paragraphs with timestamps, text with paragraphs at long pauses, and JSON', () => {
    const md = formatTranscript('md', segments, { source: 'talk_1.wav', model: 'ggml-tiny.en.bin', complete: false });
    assert.match(md, /^# Transcript of talk\\_1\.wav\n/);
    assert.match(md, /\*model ggml-tiny\.en\.bin · incomplete \(cancelled\)\*/);
    assert.ok(md.includes('**[00:00:01]** Hello there. A long --\\> talk with lines.\n'), md);
    assert.match(md, /\*\*\[01:02:10\]\*\* After a pause\./);
    assert.equal(formatTranscript('txt', segments), 'Hello there. A long --> talk with lines.\n\nAfter a pause.\n');
    const json = JSON.parse(formatTranscript('json', segments, { source: 'talk.wav', fromMs: 1000, complete: true }));
    assert.equal(json.source, 'talk.wav');
    assert.deepEqual(json.range, { fromMs: 1000, toMs: null });
    assert.deepEqual(json.segments[0], { startMs: 1500, endMs: 4250, text: 'Hello there.' });
    assert.equal(json.segments.length, 3);
    assert.match(json.text, /^Hello there\. A long/);
  });

  it('never writes a cue of zero length, and nothing for no segments', () => {
    assert.equal(formatTranscript('srt', [seg(1000, 1000, 'x')]), '1\n00:00:01,000 --> 00:00:01,100\nx\n');
    assert.equal(formatTranscript('srt', []), '');
    assert.equal(formatTranscript('txt', []), '');
    assert.equal(formatTranscript('vtt', []), 'WEBVTT\n');
    assert.equal(formatCueTime(59_999.6, ','), '00:01:00,000');
  });
});

describe('time ranges', () => {
  it('parses seconds and clock times', () => {
    assert.equal(parseTimestamp('90'), 90);
    assert.equal(parseTimestamp('12.5'), 12.5);
    assert.equal(parseTimestamp('1:30'), 90);
    assert.equal(parseTimestamp('01:02:03.5'), 3723.5);
    for (const bad of ['', 'abc', '1:75', '-3', '1:2:3:4', '1:60:00']) assert.equal(parseTimestamp(bad), undefined, bad);
    assert.equal(formatClock(3723), '1:02:03');
    assert.equal(formatClock(83.5), '1:23.5');
  });

  it('rejects negative, reversed and out-of-file ranges with BAD_RANGE, and cuts an end beyond the file', () => {
    const badRange = (e: unknown) => e instanceof TranscriptionError && e.code === 'BAD_RANGE';
    assert.throws(() => validateRange({ fromSeconds: -1 }), badRange);
    assert.throws(() => validateRange({ fromSeconds: 5, toSeconds: 5 }), badRange);
    assert.throws(() => validateRange({ fromSeconds: 6, toSeconds: 2 }), badRange);
    assert.throws(() => validateRange({ toSeconds: -2 }), badRange);
    assert.throws(() => validateRange({ fromSeconds: 11 }, 11), (e: TranscriptionError) => badRange(e) && /0:11/.test(e.message));
    assert.deepEqual(validateRange({ fromSeconds: 2, toSeconds: 99 }, 11), { fromSeconds: 2, toSeconds: 11 });
    assert.deepEqual(validateRange({}, 11), { fromSeconds: 0, toSeconds: undefined });
  });
});
