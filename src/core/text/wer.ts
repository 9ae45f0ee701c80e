// Word error rate for judging transcripts against references written in different styles
// (UPPERCASE LibriSpeech, lowercase pocketsphinx, cased+punctuated JFK…).
//
// normaliseForWer decisions (a light version of Whisper's English normaliser):
// - Unicode NFKC, lowercase; curly quotes → ASCII.
// - Bracketed annotations are removed: "[BLANK_AUDIO]", "(music)", "<noise>".
// - Punctuation is removed, except apostrophes inside words ("don't" stays one word) and "." / ","
//   inside numbers ("3.5", "1,000" → "1000"). Hyphens and slashes split words ("cold-hearted" → "cold hearted").
// - Hesitations are dropped: uh, um, uhm, umm, hm, hmm, mm, mmm, mhm, er, erm (Whisper leaves them out; some
//   references keep them verbatim).
// - Spelled-out cardinal numbers become digits ("twenty one" → "21", "one hundred and five" → "105"), so
//   "ten meters" and "10 meters" match. Ordinals and years read as pairs ("nineteen sixty one") are left alone.
// - Title abbreviations are spelled out (mr → mister, mrs → missus, ms → miss, dr → doctor, …) and a few
//   spelling variants are unified (ok → okay, alright → all right), "%" → "percent".
// - Contractions are NOT expanded: "he's" may be "he is" or "he has", "'d" "had" or "would"; guessing would
//   add as many errors as it removes, and the references keep contractions as spoken.

const FILLERS = new Set(['uh', 'um', 'uhm', 'umm', 'hm', 'hmm', 'mm', 'mmm', 'mhm', 'er', 'erm']);

const WORD_REPLACEMENTS: ReadonlyMap<string, string> = new Map([
  ['mr', 'mister'],
  ['mrs', 'missus'],
  ['ms', 'miss'],
  ['dr', 'doctor'],
  ['prof', 'professor'],
  ['jr', 'junior'],
  ['sr', 'senior'],
  ['ok', 'okay'],
  ['alright', 'all right'],
]);

const UNITS: ReadonlyMap<string, number> = new Map(
  ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen',
    'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'].map((word, value) => [word, value]),
);
const TENS: ReadonlyMap<string, number> = new Map(
  ['twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'].map((word, i) => [word, (i + 2) * 10]),
);
const SCALES: ReadonlyMap<string, number> = new Map([['thousand', 1e3], ['million', 1e6], ['billion', 1e9]]);

function isNumberWord(word: string): boolean {
  return UNITS.has(word) || TENS.has(word) || word === 'hundred' || SCALES.has(word);
}

/**
 * Parses the longest run of number words starting at `start` ("one hundred and five") and returns its value
 * and length, or undefined if the run is not a well-formed cardinal (then the words are kept as they are).
 */
function parseCardinal(words: readonly string[], start: number): { value: number; length: number } | undefined {
  let total = 0; // completed thousands/millions groups
  let group = 0; // value below 1000 being built
  let lastKind: 'unit' | 'teen' | 'tens' | 'hundred' | 'scale' | undefined;
  let end = start;
  for (let i = start; i < words.length; i++) {
    const word = words[i];
    if (word === 'and') {
      // "and" belongs to the number only as in "hundred and five" / "thousand and two".
      const next = words[i + 1];
      if ((lastKind === 'hundred' || lastKind === 'scale') && next !== undefined && (UNITS.has(next) || TENS.has(next))) continue;
      break;
    }
    if (UNITS.has(word)) {
      const value = UNITS.get(word)!;
      // A unit may follow nothing, "twenty", "hundred" or a scale; "five three" is two numbers.
      if (lastKind === 'unit' || lastKind === 'teen') break;
      if (lastKind === 'tens' && value >= 10) break;
      if (lastKind === 'tens' && value === 0) break;
      group += value;
      lastKind = value >= 10 ? 'teen' : 'unit';
    } else if (TENS.has(word)) {
      if (lastKind === 'unit' || lastKind === 'teen' || lastKind === 'tens') break;
      group += TENS.get(word)!;
      lastKind = 'tens';
    } else if (word === 'hundred') {
      if (lastKind !== 'unit' && lastKind !== 'teen' || group >= 100) break;
      group *= 100;
      lastKind = 'hundred';
    } else if (SCALES.has(word)) {
      if (lastKind === undefined || lastKind === 'scale' || group === 0) break;
      total += group * SCALES.get(word)!;
      group = 0;
      lastKind = 'scale';
    } else {
      break;
    }
    end = i + 1;
  }
  if (end === start) return undefined;
  return { value: total + group, length: end - start };
}

function numbersToDigits(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; ) {
    const parsed = isNumberWord(words[i]) ? parseCardinal(words, i) : undefined;
    if (parsed) {
      out.push(String(parsed.value));
      i += parsed.length;
    } else {
      out.push(words[i]);
      i++;
    }
  }
  return out;
}

/** Normalises a transcript into space-separated words for WER scoring (see the decisions at the top). */
export function normaliseForWer(text: string): string {
  let s = text.normalize('NFKC').toLowerCase();
  s = s.replace(/[\u2018\u2019\u02bc`´]/g, "'").replace(/[\u201c\u201d]/g, '"');
  s = s.replace(/\[[^\]]*\]|\([^)]*\)|<[^>]*>/g, ' ');
  s = s.replace(/(\d),(?=\d{3}\b)/g, '$1'); // 1,000 → 1000
  s = s.replace(/%/g, ' percent ');
  // Keep letters, digits, apostrophes and dots for now; everything else separates words.
  s = s.replace(/[^\p{L}\p{N}'.]+/gu, ' ');
  s = s.replace(/(?<!\p{N})\.|\.(?!\p{N})/gu, ' '); // a dot survives only between digits ("3.5")
  const words = s
    .split(' ')
    .map((word) => word.replace(/^'+|'+$/g, '')) // quotes around words, not inside them
    .filter((word) => word.length > 0 && !FILLERS.has(word))
    .flatMap((word) => (WORD_REPLACEMENTS.get(word) ?? word).split(' '));
  return numbersToDigits(words).join(' ');
}

export interface WerScore {
  /** (substitutions + deletions + insertions) / refWords; 0 for two empty texts, 1 for words against an empty reference. */
  readonly wer: number;
  readonly substitutions: number;
  readonly deletions: number;
  readonly insertions: number;
  readonly refWords: number;
  readonly hypWords: number;
}

/** Minimal word edit alignment (Levenshtein), counting each kind of error. */
export function wordErrorCounts(reference: readonly string[], hypothesis: readonly string[]): WerScore {
  const n = reference.length;
  const m = hypothesis.length;
  // cost[i][j] = edits to turn reference[0,i) into hypothesis[0,j); ties prefer substitutions, then deletions.
  const cost: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = 0; i <= n; i++) cost[i][0] = i;
  for (let j = 0; j <= m; j++) cost[0][j] = j;
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const diagonal = cost[i - 1][j - 1] + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1);
      cost[i][j] = Math.min(diagonal, cost[i - 1][j] + 1, cost[i][j - 1] + 1);
    }
  }
  let substitutions = 0;
  let deletions = 0;
  let insertions = 0;
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    if (i > 0 && j > 0 && cost[i][j] === cost[i - 1][j - 1] + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1)) {
      if (reference[i - 1] !== hypothesis[j - 1]) substitutions++;
      i--;
      j--;
    } else if (i > 0 && cost[i][j] === cost[i - 1][j] + 1) {
      deletions++;
      i--;
    } else {
      insertions++;
      j--;
    }
  }
  const errors = substitutions + deletions + insertions;
  return { wer: n === 0 ? (errors === 0 ? 0 : 1) : errors / n, substitutions, deletions, insertions, refWords: n, hypWords: m };
}

function words(text: string): string[] {
  const normalised = normaliseForWer(text);
  return normalised === '' ? [] : normalised.split(' ');
}

/** WER of `hypothesis` against `reference`, after normaliseForWer on both. */
export function wordErrorRate(reference: string, hypothesis: string): WerScore {
  return wordErrorCounts(words(reference), words(hypothesis));
}

/** Corpus-level WER: total errors over total reference words (not the mean of per-clip rates). */
export function aggregateWer(scores: readonly WerScore[]): WerScore {
  const sum = (key: 'substitutions' | 'deletions' | 'insertions' | 'refWords' | 'hypWords'): number => scores.reduce((total, s) => total + s[key], 0);
  const substitutions = sum('substitutions');
  const deletions = sum('deletions');
  const insertions = sum('insertions');
  const refWords = sum('refWords');
  const errors = substitutions + deletions + insertions;
  return { wer: refWords === 0 ? (errors === 0 ? 0 : 1) : errors / refWords, substitutions, deletions, insertions, refWords, hypWords: sum('hypWords') };
}
