// Fits a dictated phrase into the text around the cursor: spacing and capitalisation, as a person typing would.
// Whisper writes every phrase as a standalone sentence ("Ask what you can do."); in the middle of a sentence
// it must continue it instead.
import type { Spacing } from './spokenVocabulary';

const SENTENCE_END = /[.!?]["')\]]*\s*$/;
const OPENING = /[(\["'`{<\/]$/;
const LINE_START = /^\s*(\/\/+|\/\*+|\*+|#+|--|;+|>+|[-+]|\d+[.)])?\s*$/;
const ACRONYM_OR_NAME = /^(I|I'm|I've|I'll|I'd|[A-Z]{2,}\w*|[A-Z][a-z]+[A-Z]\w*)$/;

export interface FormatOptions {
  /** Off: insert the transcript as Whisper wrote it. */
  smart: boolean;
}

/**
 * Returns the text to insert between `before` and `after` (the document text around the cursor).
 */
export function formatForInsertion(before: string, after: string, phrase: string, options: FormatOptions = { smart: true }): string {
  let text = phrase.trim();
  if (!text) return '';
  if (!options.smart) return text;
  const lineBefore = before.slice(before.lastIndexOf('\n') + 1);
  // A line holding only a comment marker, quote or list bullet counts as the start of a sentence.
  const atLineStart = LINE_START.test(lineBefore);
  const continuing = !atLineStart && !SENTENCE_END.test(lineBefore) && !/[:]\s*$/.test(lineBefore);

  if (continuing) {
    // Mid-sentence: lower-case the first word unless it is "I", an acronym or a name-like word.
    const first = text.split(/\s/)[0];
    if (!ACRONYM_OR_NAME.test(first.replace(/[^\w']/g, ''))) text = text[0].toLowerCase() + text.slice(1);
    // ...and if the text after the cursor continues the sentence, drop Whisper's closing full stop.
    if (/^\s*[a-z]/.test(after)) text = text.replace(/[.]$/, '');
  } else {
    text = text[0].toUpperCase() + text.slice(1);
  }

  const needsSpaceBefore = lineBefore.length > 0 && !/\s$/.test(lineBefore) && !endsOpen(lineBefore) && !/^[,.;:!?)\]}]/.test(text);
  if (needsSpaceBefore) text = ' ' + text;
  const needsSpaceAfter = /^[\p{L}\p{N}(]/u.test(after);
  if (needsSpaceAfter) text = text + ' ';
  return text;
}

/** A phrase's parts: Whisper's words, spoken line breaks, and spoken symbols or cased identifiers (`literal`). */
/** The line ends with an opening bracket or quote: no space after it. A `"` opens only if it is not a closing one. */
function endsOpen(lineBefore: string): boolean {
  if (lineBefore.endsWith('"')) return (lineBefore.split('"').length - 1) % 2 === 1;
  return OPENING.test(lineBefore);
}

export type InsertionPiece =
  | { kind: 'text'; text: string }
  | { kind: 'newline'; count: number }
  | { kind: 'literal'; text: string; spacing: Spacing };

/** Marks that end a clause; a spoken one replaces the mark Whisper put at the end of the words before it. */
const CLAUSE_MARK = /^[,.;:!?…]/;

/**
 * Builds the one string a phrase inserts — its words, spoken line breaks and symbols — so that the whole phrase is a
 * single edit (one undo step). Each piece is formatted against the text it will follow.
 */
export function composeInsertion(before: string, after: string, pieces: readonly InsertionPiece[], options: FormatOptions = { smart: true }): string {
  let composed = '';
  pieces.forEach((piece, index) => {
    const isLast = index === pieces.length - 1;
    if (piece.kind === 'newline') {
      // A line break replaces the space that would otherwise follow the previous words.
      composed = composed.replace(/[ \t]+$/, '') + '\n'.repeat(piece.count);
      return;
    }
    if (piece.kind === 'literal') {
      composed = placeLiteral(before, composed, piece.text, piece.spacing, isLast ? after : '');
      return;
    }
    composed += formatForInsertion(before + composed, isLast ? after : '', piece.text, options);
  });
  return composed;
}

/** A spoken symbol or cased identifier, as written, spaced by its kind; never capitalised. */
function placeLiteral(before: string, composed: string, text: string, spacing: Spacing, after: string): string {
  if (spacing === 'closing') {
    composed = composed.replace(/[ \t]+$/, '');
    // "Go forward. Question mark." → "Go forward?": Whisper's own mark gives way to the spoken one.
    if (CLAUSE_MARK.test(text)) composed = composed.replace(/[,.;:!?…]+$/, '');
    // A closing bracket takes the place of a full stop Whisper added; a closing quote keeps it ("... it.").
    else if (text !== '"') composed = composed.replace(/[,.;:]+$/, '');
    // Said as a phrase of its own after words that already end with it ("... meters." then "Period."): once is enough.
    if (!composed && before.endsWith(text)) return composed;
  } else {
    const lineBefore = (before + composed).slice((before + composed).lastIndexOf('\n') + 1);
    const needsSpace = lineBefore.length > 0 && !/\s$/.test(lineBefore) && !endsOpen(lineBefore);
    if (needsSpace) composed += ' ';
  }
  composed += text;
  if (spacing !== 'opening' && /^[\p{L}\p{N}(]/u.test(after)) composed += ' ';
  return composed;
}
