// whisper.cpp's own tokenizer for prompts (whisper.cpp `tokenize`): the text is split into words with GPT-2's
// pattern, then each word into the longest pieces found in the model's vocabulary, left to right. Used to check the
// prompt's token estimate and to tell a common word (one token) from a rare one (several) by the model's vocabulary.

/** GPT-2's pre-tokenizer as whisper.cpp writes it with std::regex (ASCII classes; other bytes are "punctuation"). */
const WORDS = /'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+/g;

/** The vocabulary as byte strings (each byte one char, latin1), as whisper.cpp's token_to_id map holds them. */
export type WhisperVocabulary = ReadonlySet<string>;

export function vocabularyFromTokens(tokens: readonly Uint8Array[]): WhisperVocabulary {
  return new Set(tokens.map(byteString));
}

/** The pieces whisper.cpp cuts `text` into (bytes it cannot match are skipped, as whisper.cpp does). */
export function whisperTokenize(text: string, vocabulary: WhisperVocabulary): string[] {
  const bytes = byteString(new TextEncoder().encode(text));
  const pieces: string[] = [];
  for (const word of bytes.match(WORDS) ?? []) {
    let i = 0;
    while (i < word.length) {
      let j = word.length;
      while (j > i && !vocabulary.has(word.slice(i, j))) j--;
      if (j > i) {
        pieces.push(word.slice(i, j));
        i = j;
      } else {
        i++;
      }
    }
  }
  return pieces;
}

function byteString(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += String.fromCharCode(byte);
  return out;
}
