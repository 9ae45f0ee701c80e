// Whisper fills quiet stretches of a long recording with invented text ("Thank you.", "[BLANK_AUDIO]", "you").
// Dictation drops such phrases with acceptTranscript, which weighs the text against how much speech the audio
// held; here the same test is applied to each segment of a chunk, with the evidence measured on the segment's
// own stretch of audio.
import { acceptTranscript, type PhraseEvidence } from '../text/transcriptFilter';
import { frameDbfs } from '../vad/phraseSegmenter';
import type { TimedSegment } from './timedSegment';

/** Frames louder than this count as speech for the evidence (the segmenter's floor for speech). */
const SPEECH_DBFS = -45;
const FRAME_MS = 20;

/** Voiced milliseconds and their mean level in pcm[fromMs, toMs) (16 kHz unless told). */
export function speechEvidence(pcm: Float32Array, fromMs: number, toMs: number, sampleRate = 16000): PhraseEvidence {
  const frame = Math.round((sampleRate * FRAME_MS) / 1000);
  const start = Math.max(0, Math.floor((fromMs * sampleRate) / 1000));
  const end = Math.min(pcm.length, Math.ceil((toMs * sampleRate) / 1000));
  let voiced = 0;
  let levelSum = 0;
  for (let at = start; at + frame <= end; at += frame) {
    const db = frameDbfs(pcm, at, at + frame);
    if (db > SPEECH_DBFS) {
      voiced++;
      levelSum += db;
    }
  }
  return { speechMs: voiced * FRAME_MS, speechDbfs: voiced ? levelSum / voiced : -Infinity };
}

/**
 * Keeps the segments that are speech, cleaned of annotations; times relative to `pcm`. Text a segment shares
 * with Whisper's silence vocabulary survives only when its audio was clearly spoken, and no segment survives whose
 * words Whisper barely believed (its `confidence`, when known).
 */
export function dropSilenceHallucinations(segments: readonly TimedSegment[], pcm: Float32Array, sampleRate = 16000): TimedSegment[] {
  const kept: TimedSegment[] = [];
  for (const segment of segments) {
    const text = acceptTranscript(segment.text, speechEvidence(pcm, segment.startMs, segment.endMs, sampleRate), segment.confidence);
    if (text !== undefined) kept.push({ startMs: segment.startMs, endMs: segment.endMs, text });
  }
  return kept;
}
