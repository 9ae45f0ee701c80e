// Whisper's segment times are coarse: a segment usually starts where the previous one ended, so after a pause the
// next sentence "starts" in the silence, seconds before anyone speaks. Subtitles need better. Each segment is
// narrowed to the speech inside it, measured as frame energy against the chunk's own noise floor; a segment with no
// frame loud enough (a noisy recording, a whisper) keeps Whisper's times.
import { frameDbfs } from '../vad/phraseSegmenter';
import type { TimedSegment } from './timedSegment';

export interface SpeechTimingOptions {
  readonly frameMs?: number;
  /** dB above the noise floor (10th percentile of frame levels) that count as speech. */
  readonly marginDb?: number;
  /** Never count frames quieter than this as speech, whatever the floor (digital silence, dither). */
  readonly minSpeechDbfs?: number;
  /** Kept before the first and after the last voiced frame: soft onsets and trailing consonants. */
  readonly leadMs?: number;
  readonly trailMs?: number;
  /** Pauses shorter than this are within one stretch of speech. */
  readonly bridgeMs?: number;
}

const DIGITAL_SILENCE_DBFS = -90;

/** Segments (ms relative to `pcm`) with their start moved to the speech onset and their end to its end. */
export function tightenToSpeech(segments: readonly TimedSegment[], pcm: Float32Array, sampleRate = 16000, options: SpeechTimingOptions = {}): TimedSegment[] {
  const frameMs = options.frameMs ?? 20;
  const frame = Math.max(1, Math.round((sampleRate * frameMs) / 1000));
  const count = Math.floor(pcm.length / frame);
  if (count === 0) return [...segments];
  const levels = new Float64Array(count);
  for (let f = 0; f < count; f++) levels[f] = Math.max(-120, frameDbfs(pcm, f * frame, (f + 1) * frame));
  // Digital silence (gaps an editor inserted, a muted start) says nothing about the recording's noise floor.
  const sorted = Float64Array.from(levels.filter((db) => db > DIGITAL_SILENCE_DBFS)).sort();
  if (sorted.length === 0) return [...segments];
  const floor = sorted[Math.floor(sorted.length * 0.1)];
  const threshold = Math.max(options.minSpeechDbfs ?? -55, floor + (options.marginDb ?? 15));
  const lead = options.leadMs ?? 100;
  const trail = options.trailMs ?? 200;

  const bridge = Math.round((options.bridgeMs ?? 600) / frameMs);
  return segments.map((segment) => {
    const first = Math.max(0, Math.floor(segment.startMs / frameMs));
    const last = Math.min(count - 1, Math.ceil(segment.endMs / frameMs) - 1);
    const runs: { from: number; to: number }[] = [];
    for (let f = first; f <= last; f++) {
      if (levels[f] <= threshold) continue;
      const run = runs[runs.length - 1];
      if (run && f - run.to <= bridge) run.to = f;
      else runs.push({ from: f, to: f });
    }
    if (runs.length === 0) return segment;
    // Whisper ends a segment where the next one starts, so a short burst right at its end after a pause is the
    // next sentence's first syllable, not part of this one.
    const tail = runs[runs.length - 1];
    if (runs.length > 1 && (tail.to - tail.from + 1) * frameMs < 400 && (last - tail.to) * frameMs <= 200) runs.pop();
    // Likewise a segment may start just before the previous sentence has died away (Whisper's boundary is a little
    // early): a short burst at its very start, then a pause, is that sentence's last syllable.
    const head = runs[0];
    if (runs.length > 1 && (head.to - head.from + 1) * frameMs < 400 && (head.from - first) * frameMs <= 200) runs.shift();
    const startMs = Math.max(segment.startMs, runs[0].from * frameMs - lead);
    const endMs = Math.min(segment.endMs, (runs[runs.length - 1].to + 1) * frameMs + trail);
    return endMs > startMs ? { ...segment, startMs, endMs } : segment;
  });
}
