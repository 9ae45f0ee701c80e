// Whisper, given silence or noise, invents text: "Thank you.", "[BLANK_AUDIO]", "(music)", "you". This decides
// whether a transcript is real speech, and cleans what it keeps.
import type { TranscriptConfidence } from '../transcription/tokenConfidence';

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
 * Whisper was guessing at every word: on tones, chimes and noise it wrote "you" with a mean token probability of
 * 0.04–0.21 (bench/results/nonspeech.md); on real speech — the public clips and 170 recorded prompts (Asterisk's
 * English sounds), single words such as "Your." included — the mean was never below 0.27.
 */
const MIN_MEAN_TOKEN_P = 0.2;
/**
 * A sentence has context to be sure by: the real ones of three words or more had a mean of at least 0.54, while
 * three chimes in a row became "I'm not going to be able to do it." at 0.27 and a ringing phone "I'm not a fan of
 * the game." at 0.15.
 */
const MIN_SENTENCE_MEAN_TOKEN_P = 0.4;
const SENTENCE_WORDS = 3;
/** A known phrase needs every word heard: "Thank you." from a ringing phone had a word at 0.03. */
const MIN_KNOWN_PHRASE_TOKEN_P = 0.1;

/**
 * Returns the text to use, or undefined when the transcript is not speech: empty after cleaning, only
 * punctuation, words Whisper itself barely believed (`confidence`, when the engine reports it), or a known
 * hallucination that came from little or quiet audio, from far more sound than its words take, or with a word Whisper
 * doubted. A known phrase ("thank you") that was clearly spoken — loud enough, as long as saying it takes, and heard
 * with confidence — is kept.
 */
export function acceptTranscript(text: string, evidence: PhraseEvidence, confidence?: TranscriptConfidence): string | undefined {
  const cleaned = cleanTranscript(text);
  const words = normalise(cleaned);
  if (!words) return undefined;
  const tokens = words.split(' ');
  const wordCount = tokens.length;
  if (confidence && confidence.meanTokenP < (wordCount >= SENTENCE_WORDS ? MIN_SENTENCE_MEAN_TOKEN_P : MIN_MEAN_TOKEN_P)) return undefined;
  if (HALLUCINATIONS.has(words)) {
    const clearlySpoken = evidence.speechMs >= 600 && evidence.speechDbfs > -45;
    const fitsItsWords = evidence.speechMs <= MAX_SPEECH_MS_SLACK + MAX_SPEECH_MS_PER_WORD * wordCount;
    const heard = !confidence || confidence.minTokenP >= MIN_KNOWN_PHRASE_TOKEN_P;
    if (!clearlySpoken || !fitsItsWords || !heard) return undefined;
  }
  // Repetition loops ("the the the the ...") are a decoding failure on noise.
  if (wordCount >= 8 && new Set(tokens).size <= 2) return undefined;
  return cleaned;
}
