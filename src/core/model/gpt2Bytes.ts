// GPT-2 byte-level BPE stores each token as text in a 256-character alphabet: printable Latin-1 bytes stand
// for themselves, the other 68 byte values are mapped to U+0100…U+0143 in increasing byte order. Whisper's
// vocabulary (and CTranslate2's vocabulary.txt) uses this alphabet; whisper.cpp wants the raw token bytes.

function isPrintableLatin1(byte: number): boolean {
  return (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
}

function buildByteToCodePoint(): number[] {
  const table = new Array<number>(256);
  let next = 0x100;
  for (let byte = 0; byte < 256; byte++) {
    table[byte] = isPrintableLatin1(byte) ? byte : next++;
  }
  return table;
}

const byteToCodePoint = buildByteToCodePoint();
const codePointToByte = new Map<number, number>(byteToCodePoint.map((codePoint, byte) => [codePoint, byte]));

export class Gpt2TokenError extends Error {
  override name = 'Gpt2TokenError';
}

/** The character that GPT-2's alphabet uses for `byte`. */
export function gpt2CharForByte(byte: number): string {
  return String.fromCodePoint(byteToCodePoint[byte & 0xff]);
}

/** Raw bytes of a token written in GPT-2's byte alphabet, e.g. "Ġthe" → " the". */
export function gpt2TokenToBytes(token: string): Uint8Array {
  const out: number[] = [];
  for (const char of token) {
    const byte = codePointToByte.get(char.codePointAt(0)!);
    if (byte === undefined) {
      throw new Gpt2TokenError(
        `token ${JSON.stringify(token)} contains U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}, which is not in the GPT-2 byte alphabet`,
      );
    }
    out.push(byte);
  }
  return Uint8Array.from(out);
}

/** Inverse of {@link gpt2TokenToBytes}. */
export function bytesToGpt2Token(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += gpt2CharForByte(byte);
  return text;
}
