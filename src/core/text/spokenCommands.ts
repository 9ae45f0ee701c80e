// Spoken punctuation, symbols and commands inside a dictated phrase ("comma", "close paren", "new line",
// "scratch that", "camel case user name"). A word is a command only where it is said as one, so that "a new line of
// code" stays text:
// - a sentence of its own: Whisper writes a command said between pauses as its own sentence ("Go forward 10
//   meters. Question mark."), with its capitals and full stop, which belong to the command;
// - the end of the phrase (the last words before the pause), unless a word such as "a" or "the" just before it makes
//   it a noun ("add a comma", "the grace period");
// - the start of the phrase, for opening symbols ("open paren ...") and case commands ("camel case user name").
// Anywhere else the words are text. The words per language, and the person's own, are in spokenVocabulary.ts.
import type { InsertionPiece } from './insertionFormat';
import { ENGLISH_VOCABULARY, type CaseStyle, type SpokenVocabulary, type VocabularyEntry } from './spokenVocabulary';

/** What a phrase does, in spoken order. `scratch` removes `count` phrases inserted before this one. */
export type DictationAction = InsertionPiece | { kind: 'scratch'; count: number };

interface Word {
  norm: string;
  start: number;
  end: number;
}

interface Match {
  entry: VocabularyEntry;
  length: number;
}

/** Words before a command at a phrase's end, attached without a pause, that make it a noun ("the trial period"). */
const NOUN_MARKER_REACH = 2;

/**
 * Splits a transcript into text and commands, in spoken order. With commands disabled the whole transcript is text.
 */
export function parseSpokenCommands(transcript: string, enabled = true, vocabulary: SpokenVocabulary = ENGLISH_VOCABULARY): DictationAction[] {
  const whole = transcript.trim();
  if (!enabled) return whole ? [{ kind: 'text', text: whole }] : [];
  const sentences = whole.split(/(?<=[.!?])\s+/).filter((s) => s.length > 0);
  const commandSentences = sentences.map((s) => commandSentence(s, vocabulary));
  const textIndexes = sentences.map((_, i) => i).filter((i) => !commandSentences[i]);
  const first = textIndexes[0];
  const last = textIndexes[textIndexes.length - 1];

  const actions: DictationAction[] = [];
  sentences.forEach((sentence, i) => {
    const commands = commandSentences[i];
    if (commands) {
      for (const entry of commands) actions.push(toAction(entry));
      return;
    }
    actions.push(...textSentence(sentence, vocabulary, i === first, i === last));
  });
  return resolveScratches(mergeTexts(actions));
}

/** The entries of a sentence made only of commands (case commands need words after them, so they never are). */
function commandSentence(sentence: string, vocabulary: SpokenVocabulary): VocabularyEntry[] | undefined {
  const words = wordsOf(sentence);
  if (!words.length) return undefined;
  const entries: VocabularyEntry[] = [];
  for (let i = 0; i < words.length;) {
    const match = matchAt(words, i, vocabulary);
    if (!match || 'case' in match.entry) return undefined;
    entries.push(match.entry);
    i += match.length;
  }
  return entries;
}

/** A sentence with words: commands at its end (the phrase's last sentence) and start (the first) peeled off. */
function textSentence(sentence: string, vocabulary: SpokenVocabulary, isFirst: boolean, isLast: boolean): DictationAction[] {
  const words = wordsOf(sentence);
  let from = 0;
  let to = words.length;
  const trailing: DictationAction[] = [];
  if (isLast) {
    for (;;) {
      const match = matchEnding(words, to, vocabulary);
      if (!match || 'case' in match.entry || to - match.length <= from) break;
      // Whisper's comma or dash before the word is a pause heard: then only the word right before it can make it a
      // noun ("Return the value, arrow."); without one, two words can ("the trial period").
      const at = to - match.length;
      const paused = /[,;:-]/.test(sentence.slice(words[at - 1].end, words[at].start));
      const before = words.slice(Math.max(0, at - (paused ? 1 : NOUN_MARKER_REACH)), at);
      if (before.some((w) => vocabulary.nounMarkers.has(w.norm))) break;
      trailing.unshift(toAction(match.entry));
      to -= match.length;
    }
  }
  const leading: DictationAction[] = [];
  if (isFirst) {
    for (;;) {
      const match = matchAt(words, from, vocabulary);
      if (!match || from + match.length >= to) break;
      const entry = match.entry;
      if ('symbol' in entry && entry.spacing === 'opening') {
        leading.push(toAction(entry));
        from += match.length;
        continue;
      }
      if ('case' in entry && !vocabulary.caseStopWords.has(words[from + match.length].norm)) {
        // The rest of the sentence, in the style, as one literal (no capitals or full stop of Whisper's).
        const cased = applyCase(words.slice(from + match.length, to).map((w) => w.norm), entry.case);
        return [...leading, { kind: 'literal', text: cased, spacing: 'word' }, ...trailing];
      }
      break;
    }
  }
  const start = from === 0 ? 0 : words[from].start;
  const end = to === words.length ? sentence.length : words[to - 1].end;
  // Whisper's commas and dashes around a command belong to it; a sentence end before a command stays (a closing
  // punctuation symbol replaces it when the phrase is composed).
  const text = sentence.slice(start, end).replace(/^[\s,.;:!?-]+/, '').replace(trailing.length ? /[\s,;:-]+$/ : /\s+$/, '');
  const middle: DictationAction[] = /[\p{L}\p{N}]/u.test(text) ? [{ kind: 'text', text }] : [];
  return [...leading, ...middle, ...trailing];
}

function toAction(entry: VocabularyEntry): DictationAction {
  if ('symbol' in entry) return { kind: 'literal', text: entry.symbol, spacing: entry.spacing };
  if ('command' in entry) {
    if (entry.command === 'scratch') return { kind: 'scratch', count: 1 };
    return { kind: 'newline', count: entry.command === 'paragraph' ? 2 : 1 };
  }
  // A case command with nothing to apply to is never a command (commandSentence and textSentence see to it).
  throw new Error('a case command is not an action by itself');
}

/** Adjacent text sentences are one text, as Whisper wrote them. */
function mergeTexts(actions: DictationAction[]): DictationAction[] {
  const merged: DictationAction[] = [];
  for (const action of actions) {
    const previous = merged[merged.length - 1];
    if (action.kind === 'text' && previous?.kind === 'text') previous.text = `${previous.text} ${action.text}`;
    else merged.push({ ...action });
  }
  return merged;
}

/**
 * "Scratch that" takes back what this phrase said before it; said first in a phrase (or again), it takes back one
 * more phrase already inserted each time.
 */
function resolveScratches(actions: DictationAction[]): DictationAction[] {
  let scratched = 0;
  let kept: DictationAction[] = [];
  for (const action of actions) {
    if (action.kind !== 'scratch') kept.push(action);
    else if (kept.length) kept = [];
    else scratched++;
  }
  return scratched ? [{ kind: 'scratch', count: scratched }, ...kept] : kept;
}

function wordsOf(text: string): Word[] {
  return [...text.matchAll(/[\p{L}\p{N}']+/gu)].map((m) => ({ norm: m[0].toLowerCase(), start: m.index!, end: m.index! + m[0].length }));
}

function matchAt(words: readonly Word[], at: number, vocabulary: SpokenVocabulary): Match | undefined {
  for (let length = Math.min(vocabulary.maxWords, words.length - at); length > 0; length--) {
    const entry = vocabulary.entries.get(words.slice(at, at + length).map((w) => w.norm).join(' '));
    if (entry) return { entry, length };
  }
  return undefined;
}

function matchEnding(words: readonly Word[], end: number, vocabulary: SpokenVocabulary): Match | undefined {
  for (let length = Math.min(vocabulary.maxWords, end); length > 0; length--) {
    const entry = vocabulary.entries.get(words.slice(end - length, end).map((w) => w.norm).join(' '));
    if (entry) return { entry, length };
  }
  return undefined;
}

/** "user name" → userName, UserName, user_name, user-name, USER NAME, USER_NAME. */
export function applyCase(words: readonly string[], style: CaseStyle): string {
  const lower = words.map((w) => w.replace(/'/g, '').toLowerCase()).filter(Boolean);
  const capital = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
  switch (style) {
    case 'camel': return lower.map((w, i) => (i === 0 ? w : capital(w))).join('');
    case 'pascal': return lower.map(capital).join('');
    case 'snake': return lower.join('_');
    case 'kebab': return lower.join('-');
    case 'upper': return lower.join(' ').toUpperCase();
    case 'constant': return lower.join('_').toUpperCase();
  }
}
