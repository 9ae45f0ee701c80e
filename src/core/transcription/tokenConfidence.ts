// How sure Whisper was of the words it wrote. On a ringing phone or a chime it still writes something ("you",
// "Thank you.") but gives those words a low probability; on speech, even a single clipped word, it does not
// (bench/results/nonspeech.md). The transcript filter (core/text/transcriptFilter) weighs this with the audio.

export interface TranscriptConfidence {
  /** Mean probability of the transcript's text tokens (timestamps and other special tokens left out). */
  meanTokenP: number;
  /** The lowest of them. */
  minTokenP: number;
}

export interface ScoredToken {
  text: string;
  p: number;
}

/** whisper.cpp names its special tokens [_BEG_], [_TT_42], [_SOT_]…; the text vocabulary ends with <|endoftext|>. */
const SPECIAL_TOKEN = /^\[_.*\]$|^<\|.*\|>$/;

/** The confidence of a transcript from its tokens; undefined when it has no text token to judge by. */
export function transcriptConfidence(tokens: Iterable<ScoredToken>): TranscriptConfidence | undefined {
  let count = 0;
  let sum = 0;
  let min = 1;
  for (const token of tokens) {
    if (SPECIAL_TOKEN.test(token.text) || !Number.isFinite(token.p)) continue;
    count++;
    sum += token.p;
    min = Math.min(min, token.p);
  }
  return count ? { meanTokenP: sum / count, minTokenP: min } : undefined;
}
