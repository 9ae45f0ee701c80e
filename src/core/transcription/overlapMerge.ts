// Joining the transcripts of consecutive chunks. Each chunk is transcribed with about a second of the previous
// chunk's audio in front of it, so Whisper hears the first words of the chunk in context; whatever it says about
// that overlap was already said by the previous chunk. Two steps remove it again: segments that lie in the overlap
// are dropped by time, and words still repeated at the seam (a segment that straddles the cut, or Whisper's
// timestamps being a little off) are dropped by matching the end of the previous text with the start of the next.
import type { TimedSegment } from './timedSegment';

/**
 * Drops the segments of a chunk transcript that lie in its overlap: those ending no later than `overlapEndMs` plus
 * a tolerance for Whisper's coarse timestamps. Times are relative to the audio Whisper was given.
 */
export function dropOverlapSegments(segments: readonly TimedSegment[], overlapEndMs: number, toleranceMs = 300): TimedSegment[] {
  if (overlapEndMs <= 0) return [...segments];
  return segments.filter((s) => s.endMs > overlapEndMs + toleranceMs);
}

/** Lowercase letters and digits of a word: "Moon," and "moon" match, "—" is no word. */
export function normaliseWord(word: string): string {
  return word.toLowerCase().replace(/[^\p{L}\p{N}']+/gu, '').replace(/^'+|'+$/g, '');
}

export interface SeamOptions {
  /** Longest repetition looked for; a one-second overlap holds a few words. */
  readonly maxWords?: number;
  /** Leading words of the next chunk that may precede the repetition (a word fragment Whisper made of a cut). */
  readonly maxSkippedWords?: number;
  /** Only segments starting before the seam plus this can hold overlap audio. */
  readonly toleranceMs?: number;
}

/** Whether `fragment` is what Whisper makes of the end of `word`: a shared ending of `minLetters`, half of it. */
function soundsLikeEndOf(fragment: string, word: string, minLetters: number): boolean {
  if (fragment === word) return false;
  let common = 0;
  while (common < fragment.length && common < word.length && fragment[fragment.length - 1 - common] === word[word.length - 1 - common]) common++;
  return common >= minLetters && common * 2 >= fragment.length;
}

interface WordRef {
  readonly segment: number;
  readonly token: number;
  readonly word: string;
}

function wordsOf(segments: readonly TimedSegment[]): { tokens: string[][]; words: WordRef[] } {
  const tokens = segments.map((s) => s.text.trim().split(/\s+/).filter(Boolean));
  const words: WordRef[] = [];
  tokens.forEach((list, segment) =>
    list.forEach((token, index) => {
      const word = normaliseWord(token);
      if (word) words.push({ segment, token: index, word });
    }),
  );
  return { tokens, words };
}

/**
 * Removes from the start of `next` the words that repeat the end of `previous`: the longest run of up to
 * `maxWords` words that is both a suffix of the previous text and (after at most `maxSkippedWords` leading words) a
 * prefix of the next, looked for only in next's segments that begin near the seam (`seamMs`, absolute). A segment
 * left empty is dropped; a shortened one starts at the seam at the earliest.
 */
export function removeSeamDuplicates(previous: readonly TimedSegment[], next: readonly TimedSegment[], seamMs: number, options: SeamOptions = {}): TimedSegment[] {
  const maxWords = options.maxWords ?? 8;
  const maxSkipped = options.maxSkippedWords ?? 2;
  const toleranceMs = options.toleranceMs ?? 1000;
  if (previous.length === 0 || next.length === 0) return [...next];

  const before = wordsOf(previous.slice(-4)).words.map((w) => w.word).slice(-maxWords);
  const nearSeam = next.findIndex((s) => s.startMs >= seamMs + toleranceMs);
  const candidates = nearSeam === -1 ? next : next.slice(0, nearSeam);
  const after = wordsOf(next);
  const head = after.words.filter((w) => w.segment < candidates.length);

  // A word cut in two can only be heard in the overlap itself, i.e. in a segment that starts before the seam.
  const inOverlap = (ref: WordRef) => next[ref.segment].startMs < seamMs + 200;
  let best: { skip: number; length: number } | undefined;
  for (let skip = 0; skip <= maxSkipped; skip++) {
    // A skipped fragment plus a single matching word is too weak a sign: require two words then.
    const minLength = skip === 0 ? 1 : 2;
    for (let length = Math.min(maxWords, before.length, head.length - skip); length >= minLength; length--) {
      const suffix = before.slice(before.length - length);
      // The overlap may begin inside a word: the end of "superlative", heard alone, comes out as "relative".
      const matches = (word: string, i: number) => head[skip + i].word === word || (i === 0 && inOverlap(head[skip]) && soundsLikeEndOf(head[skip].word, word, length > 1 ? 4 : 6));
      if (suffix.every(matches)) {
        if (!best || skip + length > best.skip + best.length) best = { skip, length };
        break;
      }
    }
  }
  if (!best) return [...next];

  const lastRemoved = head[best.skip + best.length - 1];
  const out: TimedSegment[] = [];
  next.forEach((segment, index) => {
    if (index < lastRemoved.segment) return;
    if (index > lastRemoved.segment) {
      out.push(segment);
      return;
    }
    const rest = after.tokens[index].slice(lastRemoved.token + 1).join(' ');
    if (normaliseWord(rest.replace(/\s+/g, '')) === '') return;
    out.push({ startMs: Math.max(segment.startMs, Math.min(seamMs, segment.endMs)), endMs: segment.endMs, text: rest });
  });
  return out;
}

/**
 * Drops a short segment that only repeats the last words of the segment before it ("…built around it." "it."):
 * Whisper's echo at the end of its input, not speech.
 */
export function dropEchoes(segments: readonly TimedSegment[], maxWords = 3): TimedSegment[] {
  const kept: TimedSegment[] = [];
  for (const segment of segments) {
    const words = wordsOf([segment]).words.map((w) => w.word);
    const previous = kept.length ? wordsOf([kept[kept.length - 1]]).words.map((w) => w.word) : [];
    const echo = words.length > 0 && words.length <= maxWords && previous.length > words.length && words.every((word, i) => previous[previous.length - words.length + i] === word);
    if (!echo) kept.push(segment);
  }
  return kept;
}
