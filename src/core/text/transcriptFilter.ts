// Whisper, given silence or noise, invents text: "Thank you.", "[BLANK_AUDIO]", "(music)", "you". This decides
// whether a transcript is real speech, and cleans what it keeps.

/** Non-speech annotations: [BLANK_AUDIO], (silence), [Music], *laughs*, ♪ ... ♪ */
const ANNOTATION = /\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|♪[^♪]*♪?/g;

/** Phrases Whisper is known to produce from silence or noise (compared after normalising). */
const HALLUCINATIONS = new Set([
  'you', 'thank you', 'thanks', 'thank you very much', 'thanks for watching', 'thank you for watching',
  'please subscribe', 'subscribe', 'bye', 'bye bye', 'okay', 'so', 'uh', 'um', 'hmm', 'oh', 'the end',
  'thank you so much for watching', 'see you next time', 'i', 'a', 'and',
]);

function normalise(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}' ]+/gu, ' ').replace(/\s+/g, ' ').trim();
}

/** Removes annotations and stray whitespace; keeps the words and punctuation. */
export function cleanTranscript(text: string): string {
  return text.replace(ANNOTATION, ' ').replace(/\s+/g, ' ').replace(/\s+([,.!?;:])/g, '$1').trim();
}

export interface PhraseEvidence {
  /** Milliseconds of voiced frames the segmenter found. */
  speechMs: number;
  /** Mean level of those frames (dBFS). */
  speechDbfs: number;
}

/**
 * A person says a word in well under half a second: a known phrase that came from much more sound than its words
 * take ("You" from two seconds of a ringing phone or six of fan noise) is Whisper's guess at the sound.
 */
const MAX_SPEECH_MS_PER_WORD = 400;
const MAX_SPEECH_MS_SLACK = 800;

/**
 * Returns the text to use, or undefined when the transcript is not speech: empty after cleaning, only
 * punctuation, or a known hallucination that came from little or quiet audio, or from far more sound than its
 * words take. A known phrase ("thank you") that was clearly spoken — loud enough, and as long as saying it takes —
 * is kept.
 */
export function acceptTranscript(text: string, evidence: PhraseEvidence): string | undefined {
  const cleaned = cleanTranscript(text);
  const words = normalise(cleaned);
  if (!words) return undefined;
  if (HALLUCINATIONS.has(words)) {
    const clearlySpoken = evidence.speechMs >= 600 && evidence.speechDbfs > -45;
    const fitsItsWords = evidence.speechMs <= MAX_SPEECH_MS_SLACK + MAX_SPEECH_MS_PER_WORD * words.split(' ').length;
    if (!clearlySpoken || !fitsItsWords) return undefined;
  }
  // Repetition loops ("the the the the ...") are a decoding failure on noise.
  const tokens = words.split(' ');
  if (tokens.length >= 8 && new Set(tokens).size <= 2) return undefined;
  return cleaned;
}
