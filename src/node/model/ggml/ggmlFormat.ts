// whisper.cpp's legacy ggml model file: magic, 11 int32 hparams, mel filter bank, vocabulary, then tensor
// records until EOF (shared/models/CT2-TO-GGML.md §4). This module encodes the pieces and reads a file's
// layout back (names, shapes, types, offsets) without loading the tensor data.
import { open } from 'node:fs/promises';
import { ModelFileError } from '../errors';

export const GGML_MAGIC = 0x67676d6c;
export const GGML_TYPE_F32 = 0;
export const GGML_TYPE_F16 = 1;
export type GgmlTensorType = typeof GGML_TYPE_F32 | typeof GGML_TYPE_F16;

export interface WhisperHparams {
  readonly nVocab: number;
  readonly nAudioCtx: number;
  readonly nAudioState: number;
  readonly nAudioHead: number;
  readonly nAudioLayer: number;
  readonly nTextCtx: number;
  readonly nTextState: number;
  readonly nTextHead: number;
  readonly nTextLayer: number;
  readonly nMels: number;
  readonly ftype: number;
}

const HPARAM_KEYS: readonly (keyof WhisperHparams)[] = [
  'nVocab', 'nAudioCtx', 'nAudioState', 'nAudioHead', 'nAudioLayer',
  'nTextCtx', 'nTextState', 'nTextHead', 'nTextLayer', 'nMels', 'ftype',
];

/** Magic + hparams + mel filters: the part of a ggml header that does not depend on the vocabulary. */
export interface GgmlHeaderPrefix {
  readonly hparams: WhisperHparams;
  readonly melFilterShape: readonly [number, number];
  /** Bytes [0, end of mel filters). */
  readonly bytes: Buffer;
}

export function ggmlTypeName(type: number): string {
  return type === GGML_TYPE_F32 ? 'F32' : type === GGML_TYPE_F16 ? 'F16' : `type ${type}`;
}

function bytesPerElement(type: number, source: string, name: string): number {
  if (type === GGML_TYPE_F32) return 4;
  if (type === GGML_TYPE_F16) return 2;
  throw new ModelFileError('UNSUPPORTED_FORMAT', `${source}: tensor ${name} has ggml type ${type}; only F32 and F16 files are supported`);
}

function parseHparams(buffer: Buffer, source: string): WhisperHparams {
  if (buffer.length < 48) throw new ModelFileError('TRUNCATED', `${source}: too short for a ggml header (${buffer.length} bytes)`);
  const magic = buffer.readUInt32LE(0);
  if (magic !== GGML_MAGIC) {
    throw new ModelFileError('BAD_HEADER', `${source}: bad magic 0x${magic.toString(16)} (expected 0x${GGML_MAGIC.toString(16)}, a whisper.cpp ggml file)`);
  }
  const values: Partial<Record<keyof WhisperHparams, number>> = {};
  HPARAM_KEYS.forEach((key, i) => {
    values[key] = buffer.readInt32LE(4 + i * 4);
  });
  const hparams = values as WhisperHparams;
  for (const key of HPARAM_KEYS) {
    if (key !== 'ftype' && !(hparams[key] > 0)) throw new ModelFileError('BAD_HEADER', `${source}: hparam ${key} = ${hparams[key]} is not positive`);
  }
  return hparams;
}

/** Parses magic, hparams and mel filters at the start of any ggml Whisper file (a full model or a header-only file). */
export function parseGgmlHeaderPrefix(buffer: Buffer, source: string): GgmlHeaderPrefix {
  const hparams = parseHparams(buffer, source);
  if (buffer.length < 56) throw new ModelFileError('TRUNCATED', `${source}: truncated before the mel filter bank`);
  const melRows = buffer.readInt32LE(48);
  const melColumns = buffer.readInt32LE(52);
  if (melRows !== hparams.nMels || melColumns <= 0 || melColumns > 4096) {
    throw new ModelFileError('BAD_HEADER', `${source}: mel filter bank ${melRows}×${melColumns} does not fit n_mels ${hparams.nMels}`);
  }
  const end = 56 + melRows * melColumns * 4;
  if (buffer.length < end) throw new ModelFileError('TRUNCATED', `${source}: truncated inside the mel filter bank (needs ${end} bytes)`);
  return { hparams, melFilterShape: [melRows, melColumns], bytes: Buffer.from(buffer.subarray(0, end)) };
}

/** int32 count, then per token int32 length + raw bytes. */
export function encodeVocabulary(tokens: readonly Uint8Array[]): Buffer {
  const size = 4 + tokens.reduce((sum, token) => sum + 4 + token.length, 0);
  const out = Buffer.alloc(size);
  let offset = out.writeInt32LE(tokens.length, 0);
  for (const token of tokens) {
    offset = out.writeInt32LE(token.length, offset);
    out.set(token, offset);
    offset += token.length;
  }
  return out;
}

/** Record header: n_dims, name length, type, ne[0..n_dims), name (no NUL). Data follows. */
export function encodeTensorRecordHeader(name: string, ne: readonly number[], type: GgmlTensorType): Buffer {
  const nameBytes = Buffer.from(name, 'ascii');
  const out = Buffer.alloc(12 + ne.length * 4 + nameBytes.length);
  let offset = out.writeInt32LE(ne.length, 0);
  offset = out.writeInt32LE(nameBytes.length, offset);
  offset = out.writeInt32LE(type, offset);
  for (const n of ne) offset = out.writeInt32LE(n, offset);
  nameBytes.copy(out, offset);
  return out;
}

export function tensorDataBytes(ne: readonly number[], type: GgmlTensorType): number {
  return ne.reduce((product, n) => product * n, 1) * (type === GGML_TYPE_F32 ? 4 : 2);
}

export interface GgmlTensorRecord {
  readonly name: string;
  readonly ne: readonly number[];
  readonly type: number;
  readonly dataOffset: number;
  readonly dataLength: number;
}

export interface GgmlFileLayout {
  readonly hparams: WhisperHparams;
  readonly headerPrefixLength: number;
  readonly vocabulary: readonly Uint8Array[];
  readonly vocabularyEnd: number;
  readonly tensors: readonly GgmlTensorRecord[];
  readonly fileSize: number;
}

/** Random-access byte source: a whole buffer, or a file read through a cached window. */
interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Buffer>;
}

function bufferSource(buffer: Buffer): ByteSource {
  return { size: buffer.length, read: async (offset, length) => buffer.subarray(offset, offset + length) };
}

const MAX_NAME_LENGTH = 256;
const MAX_TOKEN_LENGTH = 1024;

async function parseLayout(source: ByteSource, label: string): Promise<GgmlFileLayout> {
  const need = async (offset: number, length: number, what: string): Promise<Buffer> => {
    if (offset + length > source.size) {
      throw new ModelFileError('TRUNCATED', `${label}: truncated while reading ${what} at byte ${offset} (file has ${source.size} bytes)`);
    }
    return source.read(offset, length);
  };
  const start = await need(0, 56, 'the header');
  const hparams = parseHparams(start, label);
  const melRows = start.readInt32LE(48);
  const melColumns = start.readInt32LE(52);
  if (melRows !== hparams.nMels || melColumns <= 0 || melColumns > 4096) {
    throw new ModelFileError('BAD_HEADER', `${label}: mel filter bank ${melRows}×${melColumns} does not fit n_mels ${hparams.nMels}`);
  }
  const headerPrefixLength = 56 + melRows * melColumns * 4;
  let offset = headerPrefixLength;
  const tokenCount = (await need(offset, 4, 'the vocabulary size')).readInt32LE(0);
  offset += 4;
  if (tokenCount < 0 || tokenCount > hparams.nVocab) {
    throw new ModelFileError('BAD_VOCABULARY', `${label}: vocabulary size ${tokenCount} is outside 0…n_vocab (${hparams.nVocab})`);
  }
  const vocabulary: Uint8Array[] = [];
  for (let i = 0; i < tokenCount; i++) {
    const length = (await need(offset, 4, `the length of token ${i}`)).readInt32LE(0);
    if (length < 0 || length > MAX_TOKEN_LENGTH) throw new ModelFileError('BAD_VOCABULARY', `${label}: token ${i} has length ${length}`);
    vocabulary.push(Buffer.from(await need(offset + 4, length, `token ${i}`)));
    offset += 4 + length;
  }
  const vocabularyEnd = offset;
  const tensors: GgmlTensorRecord[] = [];
  while (offset < source.size) {
    const fixed = await need(offset, 12, `tensor record ${tensors.length}`);
    const nDims = fixed.readInt32LE(0);
    const nameLength = fixed.readInt32LE(4);
    const type = fixed.readInt32LE(8);
    if (nDims < 1 || nDims > 4 || nameLength < 1 || nameLength > MAX_NAME_LENGTH) {
      throw new ModelFileError('CORRUPT', `${label}: tensor record ${tensors.length} at byte ${offset} has n_dims ${nDims}, name length ${nameLength}`);
    }
    const rest = await need(offset + 12, nDims * 4 + nameLength, `tensor record ${tensors.length}`);
    const ne: number[] = [];
    for (let d = 0; d < nDims; d++) ne.push(rest.readInt32LE(d * 4));
    const name = rest.subarray(nDims * 4).toString('latin1');
    if (ne.some((n) => n < 1)) throw new ModelFileError('CORRUPT', `${label}: tensor ${name} has shape [${ne.join(',')}]`);
    const dataOffset = offset + 12 + nDims * 4 + nameLength;
    const dataLength = ne.reduce((product, n) => product * n, 1) * bytesPerElement(type, label, name);
    if (dataOffset + dataLength > source.size) {
      throw new ModelFileError('TRUNCATED', `${label}: tensor ${name} needs bytes up to ${dataOffset + dataLength}, file has ${source.size}`);
    }
    tensors.push({ name, ne, type, dataOffset, dataLength });
    offset = dataOffset + dataLength;
  }
  return { hparams, headerPrefixLength, vocabulary, vocabularyEnd, tensors, fileSize: source.size };
}

export function parseGgmlLayout(buffer: Buffer, label = 'ggml buffer'): Promise<GgmlFileLayout> {
  return parseLayout(bufferSource(buffer), label);
}

/** Reads the layout of a ggml file from disk with windowed positional reads (tensor data is skipped). */
export async function readGgmlLayout(path: string): Promise<GgmlFileLayout> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const windowSize = 1 << 20;
    let windowStart = 0;
    let window = Buffer.alloc(0);
    const source: ByteSource = {
      size,
      async read(offset, length) {
        if (offset >= windowStart && offset + length <= windowStart + window.length) {
          return window.subarray(offset - windowStart, offset - windowStart + length);
        }
        const wanted = Math.min(Math.max(length, windowSize), size - offset);
        const buffer = Buffer.alloc(wanted);
        const { bytesRead } = await file.read(buffer, 0, wanted, offset);
        windowStart = offset;
        window = buffer.subarray(0, bytesRead);
        return window.subarray(0, length);
      },
    };
    return await parseLayout(source, path);
  } finally {
    await file.close();
  }
}
