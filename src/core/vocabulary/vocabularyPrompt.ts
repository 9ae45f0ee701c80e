// Whisper's initial prompt from the person's code: the words Whisper cannot guess (identifiers, library and product
// names) written the way the code writes them. Whisper reads the prompt as text said just before the audio, so it
// copies their spelling when it hears them. Pure: the editor side collects the words; this ranks, filters and bounds
// them.
//
// Whisper keeps only the last n_text_ctx/2 = 224 tokens of a prompt (whisper.cpp drops the start of a longer one),
// so the prompt is bounded by a cheap, pessimistic token estimate, and the most important words go last: nearest
// the audio, and the last to be cut.

/** whisper.cpp keeps this many prompt tokens (n_text_ctx / 2 for every Whisper model). */
export const WHISPER_PROMPT_TOKENS = 224;
/** What the vocabulary may take, leaving room for the end of the previous phrase. */
export const DEFAULT_VOCABULARY_TOKENS = 150;
/** Characters of the previous phrase kept at the end of the prompt (for casing and continuity). */
export const PREVIOUS_TEXT_CHARS = 200;

export interface VocabularySources {
  /** The person's own words (setting and .vscode/dictation-words.txt): always first in rank. */
  user: readonly string[];
  /** Identifiers around the cursor in the active document, nearest first. */
  nearCursor: readonly string[];
  /** Symbols of the documents open in editors (the active one first). */
  symbols: readonly string[];
  /** The workspace's own words: folder and package names, dependencies, the git branch. */
  workspace: readonly string[];
}

export interface VocabularyPrompt {
  /** The prompt text ("" when there are no terms). */
  prompt: string;
  /** The terms in it, most important first. */
  terms: string[];
  /** Its estimated size in tokens (an upper bound in practice). */
  tokens: number;
}

/**
 * Tokens a text costs, overestimated on purpose. whisper.cpp cuts each word into the longest pieces of the model's
 * vocabulary, left to right; in identifiers, capitals and rare words those pieces are often one or two characters
 * ("TRUNCATED" → TR|UN|CA|TED, "PYTHON" → P|Y|TH|ON). So a run of letters or digits costs (length + 1) / 2 tokens,
 * any other character a token per UTF-8 byte. Checked against whisper.cpp's tokenizer with tiny.en's vocabulary
 * (test/unit/vocabularyPrompt.test.ts): below the real count for 1 of this project's 5,109 identifiers ("dnf"),
 * never for prose or whole prompts; prose costs about twice its real count. Should a prompt still pass the limit,
 * whisper.cpp drops its start: the least important terms (see buildVocabularyPrompt).
 */
export function estimateTokens(text: string): number {
  let tokens = 0;
  for (const piece of text.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\p{L}+|\d+|\s+|[^\s\p{L}\d]/gu) ?? []) {
    if (/^\s+$/.test(piece)) continue;
    if (/^[A-Za-z0-9]+$/.test(piece)) tokens += Math.ceil((piece.length + 1) / 2);
    // Other letters are several bytes in UTF-8, each possibly a token.
    else if (/^\p{L}+$/u.test(piece)) tokens += new TextEncoder().encode(piece).length;
    else tokens += new TextEncoder().encode(piece).length;
  }
  return tokens;
}

/** Keywords and words too common to be worth prompt space. */
const COMMON = new Set(
  ('the and for are but not you all any can had her was one our out day get has him his how man new now old see two way who boy did its let put say she too use '
    + 'this that with have from they will would there their what about which when make like time just know take into year your good some could them other than then '
    + 'look only come over think also back after work first well even want because these give most '
    + 'here call called calls need needs should must may might does done doing made makes used uses using very more much many '
    + 'each every where why who whom whose being been were had having again still then once here there both between through '
    + 'before under above below next last same such own off down left right long little great high small large end start '
    + 'add adds added remove show find found open close read write run runs check keep change changes part parts way ways thing things '
    + 'people number word words sure okay yes thanks please hello note notes '
    + 'const var function return import export default class interface type enum extends implements async await yield static public private protected '
    + 'readonly abstract void null undefined true false string number boolean object symbol bigint never unknown any array promise map set '
    + 'else while break continue switch case throw try catch finally typeof instanceof delete keyof declare namespace module require self super '
    + 'def elif lambda pass none raise except with global nonlocal assert print len range str int float dict list tuple bool '
    + 'func package struct chan go defer select fn impl mut pub use crate trait where match loop mod ref err nil value data item items result results '
    + 'index key keys val args arg options opts config name names text file files path line lines list error errors test tests todo fixme').split(/\s+/),
);

/** A term worth its prompt space: a name Whisper could misspell, not a keyword or an everyday word. */
export function isUsefulTerm(term: string): boolean {
  if (term.length < 3 || term.length > 40) return false;
  if (!/\p{L}/u.test(term)) return false;
  if (/^[_$]+$|^_/.test(term) && !/[A-Za-z]{3}/.test(term)) return false;
  return !COMMON.has(term.toLowerCase());
}

/** Identifiers and words in source text, in order, as written ("userName", "smart-whisper", "HTTP_PORT"). */
export function identifiersIn(text: string): string[] {
  return text.match(/[\p{L}_$][\p{L}\p{N}_$]*(?:-[\p{L}][\p{L}\p{N}_$]*)*/gu) ?? [];
}

/** Identifiers around `offset`, nearest first, each once. */
export function identifiersNear(text: string, offset: number): string[] {
  const found: { term: string; distance: number }[] = [];
  for (const match of text.matchAll(/[\p{L}_$][\p{L}\p{N}_$]*(?:-[\p{L}][\p{L}\p{N}_$]*)*/gu)) {
    const start = match.index!;
    const end = start + match[0].length;
    found.push({ term: match[0], distance: offset < start ? start - offset : offset > end ? offset - end : 0 });
  }
  found.sort((a, b) => a.distance - b.distance);
  return unique(found.map((f) => f.term).filter(isUsefulTerm));
}

/** A git HEAD file's branch ("ref: refs/heads/feature/vocab-prompt" → "feature/vocab-prompt"), or undefined. */
export function branchFromHead(head: string): string | undefined {
  const match = /^ref:\s*refs\/heads\/(.+)$/m.exec(head.trim());
  return match?.[1].trim() || undefined;
}

/** A branch's words as a person says them: "feature/vocab-prompt" → ["vocab-prompt"] (path prefixes dropped). */
export function branchTerms(branch: string): string[] {
  return branch.split('/').filter((part) => isUsefulTerm(part) && !/^(feature|feat|fix|bugfix|hotfix|release|main|master|develop|dev)$/i.test(part));
}

/**
 * Ranks, dedupes (case-insensitively, the first spelling wins) and bounds the terms. Rank: the person's own words,
 * then the first identifiers near the cursor, the workspace's names, the rest of the code's symbols and identifiers.
 */
export function buildVocabularyPrompt(sources: VocabularySources, maxTokens = DEFAULT_VOCABULARY_TOKENS): VocabularyPrompt {
  const ranked = unique([
    ...sources.user.map((t) => t.trim()).filter((t) => t.length > 0),
    ...sources.nearCursor.filter(isUsefulTerm).slice(0, 20),
    ...sources.workspace.filter(isUsefulTerm).slice(0, 20),
    ...sources.symbols.filter(isUsefulTerm).slice(0, 40),
    ...sources.nearCursor.filter(isUsefulTerm).slice(20),
    ...sources.symbols.filter(isUsefulTerm).slice(40),
    ...sources.workspace.filter(isUsefulTerm).slice(20),
  ]);
  const terms: string[] = [];
  // ", " and the final "." cost one token each.
  let tokens = 1;
  for (const term of ranked) {
    const cost = estimateTokens(term) + 1;
    if (tokens + cost > maxTokens) continue;
    terms.push(term);
    tokens += cost;
  }
  if (!terms.length) return { prompt: '', terms, tokens: 0 };
  return { prompt: `${[...terms].reverse().join(', ')}.`, terms, tokens };
}

/**
 * The prompt of one phrase: the vocabulary, then the end of the previous phrase (the text said just before). The
 * vocabulary gives way, its least important (first) terms first, if the whole would pass Whisper's limit.
 */
export function composePrompt(vocabulary: string | undefined, previousText: string | undefined, maxTokens = WHISPER_PROMPT_TOKENS - 4): string | undefined {
  const previous = (previousText ?? '').slice(-PREVIOUS_TEXT_CHARS).trim();
  let vocab = (vocabulary ?? '').trim();
  const budget = maxTokens - estimateTokens(previous) - 1;
  while (vocab && estimateTokens(vocab) > budget) {
    const comma = vocab.indexOf(', ');
    vocab = comma < 0 ? '' : vocab.slice(comma + 2);
  }
  const prompt = [vocab, previous].filter(Boolean).join(' ');
  return prompt || undefined;
}

function unique(terms: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const term of terms) {
    const key = term.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(term);
  }
  return out;
}
