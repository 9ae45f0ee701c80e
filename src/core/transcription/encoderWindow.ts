// Whisper's encoder always processes a 30-s window: 1500 frames, 50 per second of audio. A 2-s phrase pays for 30 s
// (about 1.6 s of a 1.8-s transcription on a 2-core laptop with tiny.en). whisper.cpp's `audio_ctx` shrinks the
// window to the frames the audio needs, but a window that ends where the speech ends makes Whisper loop and repeat
// (the model was trained on 30-s windows), the more so without timestamps (as dictation decodes): padded by ~5 s it
// is nearly as accurate as the full window at a third of the time, and a long phrase needs less padding than a short
// one (bench/results/encoder-window.md). What a shortened window still gets wrong, the guards below notice, and the
// caller transcribes again with the full window.

export const SAMPLE_RATE = 16000;
/** Encoder frames per second of audio (whisper's mel hop of 10 ms, halved by the encoder's convolution). */
export const FRAMES_PER_SECOND = 50;
/** The full window: 30 s. */
export const FULL_WINDOW_FRAMES = 1500;
/** Window sizes are rounded up to this (whisper.cpp's own examples do; the matrix kernels like it). */
const FRAME_QUANTUM = 64;
/**
 * Frames of padding after the audio: at most 256 (5.1 s), at least 128 (2.6 s), and between the two as much as brings
 * the window to 448 frames (9 s). Chosen by measurement (bench/results/encoder-window.md): on the public clips' phrases,
 * 192 frames or less made tiny.en loop on short phrases (windows of 320 frames or less; the guards sent them back to
 * the full window) and 256 looped on none; on the 101 phrases longer than 3.8 s of 12 public clips and 87 of
 * Asterisk's English prompts, the taper made as few word errors as the full window (80; 256 frames: 82) in 261 ms
 * per phrase instead of 313.
 */
export interface WindowPadding {
  minFrames: number;
  maxFrames: number;
  /** The window the padding tops up to, between minFrames and maxFrames of it. */
  minWindowFrames: number;
}

export const DEFAULT_WINDOW_PADDING: WindowPadding = { minFrames: 128, maxFrames: 256, minWindowFrames: 448 };

/** The padding after `audioFrames` of audio (a fixed number of frames, or the tapered default). */
export function paddingFrames(audioFrames: number, padding: number | WindowPadding = DEFAULT_WINDOW_PADDING): number {
  if (typeof padding === 'number') return Math.max(0, padding);
  return Math.min(padding.maxFrames, Math.max(padding.minFrames, padding.minWindowFrames - audioFrames));
}

/**
 * The encoder window (`audio_ctx`) for `sampleCount` samples of 16-kHz audio plus its padding, rounded up to a
 * multiple of 64 frames; 0 (whisper.cpp's "full window") once that reaches 30 s, or with the tapered padding once the
 * audio and its largest padding would.
 */
export function fittedAudioContext(sampleCount: number, padding: number | WindowPadding = DEFAULT_WINDOW_PADDING, sampleRate = SAMPLE_RATE): number {
  const audioFrames = (sampleCount / sampleRate) * FRAMES_PER_SECOND;
  // From ~25 s on the taper would still trim a few percent off the full window; there it keeps the full window, as
  // 256 frames of padding did: the joined 25.7-s monologue p10 made 2 word errors with it, 7 with 1472 frames
  // (test/unit/cutPhraseChain.test.ts).
  if (typeof padding !== 'number' && audioFrames + padding.maxFrames >= FULL_WINDOW_FRAMES) return 0;
  const rounded = Math.ceil((audioFrames + paddingFrames(audioFrames, padding)) / FRAME_QUANTUM) * FRAME_QUANTUM;
  return rounded >= FULL_WINDOW_FRAMES ? 0 : Math.max(FRAME_QUANTUM, rounded);
}

/** What a transcript from a shortened window may look like before it is distrusted. */
export interface WindowGuardLimits {
  /** Tokens per segment that whisper.cpp may decode: `tokensBase + tokensPerSecond × seconds` (its `max_tokens`). */
  tokensBase: number;
  tokensPerSecond: number;
  /** Words per second of audio (the audio of a one-word phrase is at least 1 s: whisper.cpp's minimum). */
  maxWordsPerSecond: number;
  /** A word said this many times in a row, or a run of 2–4 words repeated `maxPhraseRepeats` times in a row. */
  maxWordRepeats: number;
  maxPhraseRepeats: number;
}

/** Chosen on the public clips, with room above what real speech reached there (bench/results/encoder-window.md). */
export const DEFAULT_WINDOW_GUARD_LIMITS: WindowGuardLimits = {
  tokensBase: 24,
  tokensPerSecond: 8,
  maxWordsPerSecond: 5,
  maxWordRepeats: 4,
  maxPhraseRepeats: 3,
};

export type WindowGuard = 'token-cap' | 'words-per-second' | 'repetition';

/** whisper.cpp's `max_tokens` (per segment) for audio of this length: a loop stops here instead of at 224 tokens. */
export function tokenCap(sampleCount: number, limits: WindowGuardLimits = DEFAULT_WINDOW_GUARD_LIMITS, sampleRate = SAMPLE_RATE): number {
  return Math.ceil(limits.tokensBase + (limits.tokensPerSecond * sampleCount) / sampleRate);
}

export interface GuardedTranscript {
  text: string;
  /** Tokens whisper.cpp decoded for each segment (special tokens included), when known. */
  segmentTokens?: readonly number[];
}

/**
 * Which guard a transcript from a shortened window trips, or undefined when it looks like speech: a segment that
 * reached the token cap, more words than the audio can hold, or a word or phrase repeated in a row.
 */
export function windowGuardTrip(
  transcript: GuardedTranscript,
  sampleCount: number,
  limits: WindowGuardLimits = DEFAULT_WINDOW_GUARD_LIMITS,
  sampleRate = SAMPLE_RATE,
): WindowGuard | undefined {
  const cap = tokenCap(sampleCount, limits, sampleRate);
  if (transcript.segmentTokens?.some((tokens) => tokens >= cap)) return 'token-cap';
  const words = guardWords(transcript.text);
  const seconds = Math.max(1, sampleCount / sampleRate);
  if (words.length > limits.maxWordsPerSecond * seconds) return 'words-per-second';
  if (longestRepeat(words, 1) >= limits.maxWordRepeats) return 'repetition';
  for (let n = 2; n <= 4; n++) if (longestRepeat(words, n) >= limits.maxPhraseRepeats) return 'repetition';
  // "Ask not! Ask not!" from "ask not": the whole text one run of words said twice or more.
  for (let n = 2; n <= words.length / 2; n++) if (words.length % n === 0 && longestRepeat(words, n) === words.length / n) return 'repetition';
  return undefined;
}

function guardWords(text: string): string[] {
  return text.toLowerCase().replace(/[^\p{L}\p{N}']+/gu, ' ').trim().split(' ').filter(Boolean);
}

/** The most times a run of `n` words follows itself directly ("a b a b a b" → 3 for n = 2). */
export function longestRepeat(words: readonly string[], n: number): number {
  let best = words.length >= n ? 1 : 0;
  for (let start = 0; start + 2 * n <= words.length; start++) {
    let count = 1;
    while (start + (count + 1) * n <= words.length && sameRun(words, start, start + count * n, n)) count++;
    best = Math.max(best, count);
  }
  return best;
}

function sameRun(words: readonly string[], a: number, b: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (words[a + i] !== words[b + i]) return false;
  return true;
}
