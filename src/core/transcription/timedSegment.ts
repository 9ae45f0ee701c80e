// A piece of transcript with its place in the audio file: milliseconds from the start of the file (not of a chunk,
// not of the selected range), so every output format can print it as is.

import type { TranscriptConfidence } from './tokenConfidence';

export interface TimedSegment {
  readonly startMs: number;
  readonly endMs: number;
  readonly text: string;
  /** How sure Whisper was of the words, when the engine said (only until the silence filter has judged them). */
  readonly confidence?: TranscriptConfidence;
}

/** Moves segments by `offsetMs` (chunk-relative → absolute). */
export function shiftSegments(segments: readonly TimedSegment[], offsetMs: number): TimedSegment[] {
  return segments.map((s) => ({ startMs: s.startMs + offsetMs, endMs: s.endMs + offsetMs, text: s.text }));
}

/**
 * Segments in order with no two overlapping: a segment that starts before the previous one ends (two chunks, or
 * two tightened segments, disagreeing about a boundary by a few hundred ms) starts where the previous one ends.
 */
export function withoutOverlaps(segments: readonly TimedSegment[]): TimedSegment[] {
  const out: TimedSegment[] = [];
  for (const segment of segments) {
    const previousEnd = out.length ? out[out.length - 1].endMs : -Infinity;
    out.push(segment.startMs < previousEnd && previousEnd < segment.endMs ? { ...segment, startMs: previousEnd } : segment);
  }
  return out;
}

/** The words of the segments as one line of text. */
export function segmentsText(segments: readonly TimedSegment[]): string {
  return segments.map((s) => s.text.replace(/\s+/g, ' ').trim()).filter(Boolean).join(' ');
}
