// The words that are spoken punctuation, symbols and commands, per language. Only English has a table today; the
// shape is what another language needs (its words, and the small words that show a command word is used as a noun).
// The person's own entries (a setting) are laid over the table: add a phrase, replace one, or switch one off.

/** How a symbol sits between words: 'closing' hugs the word before (",", ")"), 'opening' the word after ("("). */
export type Spacing = 'closing' | 'opening' | 'word';

export type EditCommand = 'newline' | 'paragraph' | 'scratch';

/** camelCase, PascalCase, snake_case, kebab-case, ALL CAPS (words kept apart), CONSTANT_CASE. */
export type CaseStyle = 'camel' | 'pascal' | 'snake' | 'kebab' | 'upper' | 'constant';

export type VocabularyEntry = { symbol: string; spacing: Spacing } | { command: EditCommand } | { case: CaseStyle };

/** As written in the setting: a symbol's text, a command or case object, or null to switch a phrase off. */
export type UserVocabularyEntry = string | { command: EditCommand } | { case: CaseStyle } | null;

export interface LanguageTable {
  /** Spoken phrase (lower case, words separated by one space) → what it does. */
  entries: Readonly<Record<string, VocabularyEntry>>;
  /**
   * Words that, right before a command word, make it a noun in a sentence ("add a comma", "the new line"): then it
   * stays text.
   */
  nounMarkers: readonly string[];
  /** Words that, right after a case command, show the person is talking about the style ("camel case is ..."). */
  caseStopWords: readonly string[];
}

const closing = (symbol: string): VocabularyEntry => ({ symbol, spacing: 'closing' });
const opening = (symbol: string): VocabularyEntry => ({ symbol, spacing: 'opening' });
const word = (symbol: string): VocabularyEntry => ({ symbol, spacing: 'word' });

const ENGLISH: LanguageTable = {
  entries: {
    comma: closing(','),
    period: closing('.'),
    'full stop': closing('.'),
    'question mark': closing('?'),
    'exclamation mark': closing('!'),
    'exclamation point': closing('!'),
    colon: closing(':'),
    semicolon: closing(';'),
    ellipsis: closing('...'),
    'open paren': opening('('),
    'open parenthesis': opening('('),
    'open parentheses': opening('('),
    'left paren': opening('('),
    'left parenthesis': opening('('),
    'close paren': closing(')'),
    'close parenthesis': closing(')'),
    'close parentheses': closing(')'),
    'right paren': closing(')'),
    'right parenthesis': closing(')'),
    'open bracket': opening('['),
    'left bracket': opening('['),
    'close bracket': closing(']'),
    'right bracket': closing(']'),
    'open brace': opening('{'),
    'left brace': opening('{'),
    'close brace': closing('}'),
    'right brace': closing('}'),
    quote: opening('"'),
    'open quote': opening('"'),
    'begin quote': opening('"'),
    'end quote': closing('"'),
    'close quote': closing('"'),
    unquote: closing('"'),
    dash: word('-'),
    'em dash': word('—'),
    'new line': { command: 'newline' },
    newline: { command: 'newline' },
    'new paragraph': { command: 'paragraph' },
    'scratch that': { command: 'scratch' },
    'camel case': { case: 'camel' },
    camelcase: { case: 'camel' },
    'pascal case': { case: 'pascal' },
    'snake case': { case: 'snake' },
    'kebab case': { case: 'kebab' },
    'all caps': { case: 'upper' },
    'constant case': { case: 'constant' },
    'screaming snake case': { case: 'constant' },
  },
  nounMarkers: ['a', 'an', 'the', 'this', 'that', 'these', 'those', 'one', 'another', 'each', 'every', 'per', 'no', 'my', 'your', 'his', 'her', 'its', 'our', 'their', 'any', 'some', 'which', 'what'],
  caseStopWords: ['is', 'are', 'was', 'were', 'means', 'and', 'or', 'vs', 'versus', 'for', 'in', 'of', 'to', 'with', 'the', 'a', 'an', 'it', 'style', 'naming'],
};

/** Languages with their own table. Others (and 'auto') use English: developers often speak commands in English. */
const TABLES: Readonly<Record<string, LanguageTable>> = { en: ENGLISH };

export interface SpokenVocabulary {
  entries: ReadonlyMap<string, VocabularyEntry>;
  nounMarkers: ReadonlySet<string>;
  caseStopWords: ReadonlySet<string>;
  /** Longest phrase, in words (bounds the matching). */
  maxWords: number;
}

/** Lower case, apostrophes and hyphens as Whisper may write them, words separated by single spaces. */
export function normalisePhrase(phrase: string): string {
  return (phrase.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []).join(' ');
}

const EDIT_COMMANDS: readonly EditCommand[] = ['newline', 'paragraph', 'scratch'];
const CASE_STYLES: readonly CaseStyle[] = ['camel', 'pascal', 'snake', 'kebab', 'upper', 'constant'];
const CLOSING_SYMBOL = /^[,.;:!?)\]}…]/;
const OPENING_SYMBOL = /[(\[{]$/;

/** A setting entry as the parser uses it, or undefined when it is not one (the caller reports it). */
export function parseUserEntry(value: unknown): VocabularyEntry | null | undefined {
  if (value === null) return null;
  if (typeof value === 'string') {
    if (!value) return null;
    return { symbol: value, spacing: CLOSING_SYMBOL.test(value) ? 'closing' : OPENING_SYMBOL.test(value) ? 'opening' : 'word' };
  }
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.command === 'string' && (EDIT_COMMANDS as readonly string[]).includes(v.command)) return { command: v.command as EditCommand };
    if (typeof v.case === 'string' && (CASE_STYLES as readonly string[]).includes(v.case)) return { case: v.case as CaseStyle };
  }
  return undefined;
}

export interface BuiltVocabulary {
  vocabulary: SpokenVocabulary;
  /** Setting entries that were ignored, with why (for the log). */
  problems: string[];
}

/** The table for `language` with the person's entries laid over it. */
export function buildSpokenVocabulary(language: string, user: Readonly<Record<string, unknown>> = {}): BuiltVocabulary {
  const table = TABLES[language.toLowerCase().slice(0, 2)] ?? ENGLISH;
  const entries = new Map<string, VocabularyEntry>(Object.entries(table.entries));
  const problems: string[] = [];
  for (const [phrase, value] of Object.entries(user)) {
    const key = normalisePhrase(phrase);
    const entry = parseUserEntry(value);
    if (!key) problems.push(`"${phrase}" has no words`);
    else if (entry === undefined) problems.push(`"${phrase}": expected a symbol string, {"command": "newline"|"paragraph"|"scratch"}, {"case": "camel"|"pascal"|"snake"|"kebab"|"upper"|"constant"} or null`);
    else if (entry === null) entries.delete(key);
    else entries.set(key, entry);
  }
  const maxWords = Math.max(1, ...[...entries.keys()].map((k) => k.split(' ').length));
  return {
    vocabulary: { entries, nounMarkers: new Set(table.nounMarkers), caseStopWords: new Set(table.caseStopWords), maxWords },
    problems,
  };
}

export const ENGLISH_VOCABULARY: SpokenVocabulary = buildSpokenVocabulary('en').vocabulary;

/** The default table of a language, for the README and the tests. */
export function defaultEntries(language: string): Readonly<Record<string, VocabularyEntry>> {
  return (TABLES[language] ?? ENGLISH).entries;
}
