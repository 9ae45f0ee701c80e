// English hesitations Whisper sometimes writes out ("um", "uh…"), mostly when it hears spontaneous speech without a
// prompt (a long monologue transcribed again as one piece does). Nobody dictating prose or a commit message wants
// them in the text, and the word error rate never counts them (wer.ts drops the same words). English only: "um" is a
// word in German, and short forms such as "er" or "mm" are words or units in English too ("ER", "5 mm"), so only
// the unambiguous ones go.
const WORD = String.raw`(?:uh+m*|um+|erm+|hm+)`;
/** Capitalised only where a sentence begins ("Um, so…"); elsewhere a capital is a name ("the Erm project"). */
const CAPITALISED = String.raw`(?:Uh+m*|Um+|Erm+|Hm+)`;
/** Set off by commas on both sides ("I think, uh, that"): the commas go with it. */
const BETWEEN_COMMAS = new RegExp(String.raw`,\s*${WORD}(?:,|\.{3}|…)(?=\s)`, 'gu');
/** Anywhere else, as a whole word, with an ellipsis or comma of its own. */
const ALONE = new RegExp(String.raw`(^|[\s,;:(])${WORD}(?:\.{3}|…|,)?(?=$|[\s.,;:!?)])`, 'gu');
/** At the start of a sentence. */
const OPENING = new RegExp(String.raw`(^|[.!?…]\s+)${CAPITALISED}(?:\.{3}|…|,)?(?=$|[\s.,;:!?)])\s*`, 'gu');

/**
 * `text` without English hesitations, its spacing mended; a lone "i" becomes "I". Text that was nothing but
 * hesitations comes back empty (the caller drops it, as it drops any empty transcript).
 */
export function dropHesitations(text: string): string {
  let opened = text;
  // Several in a row ("Uhm... Hmm, the build…"): each removal opens the sentence for the next.
  for (let previous = ''; previous !== opened; ) [previous, opened] = [opened, opened.replace(OPENING, '$1')];
  const kept = opened
    .replace(BETWEEN_COMMAS, '')
    .replace(ALONE, '$1')
    .replace(/([,;:])(\s*[,;:])+/g, '$1')
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/\s{2,}/g, ' ')
    .replace(/(^|\s)i(?=$|[\s.,;:!?'’])/g, '$1I')
    .replace(/^[\s,;:.]+/, '')
    .trim();
  if (!/[\p{L}\p{N}]/u.test(kept)) return '';
  // A sentence that began with a hesitation ("Um, so this is…") begins with its next word, capitalised as it was.
  return /^\p{Lu}/u.test(text.trim()) ? kept.replace(/^\p{Ll}/u, (c) => c.toUpperCase()) : kept;
}
