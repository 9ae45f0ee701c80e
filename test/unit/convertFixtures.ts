// Test helpers for the model converter: a tiny CTranslate2 model.bin writer, a synthetic Whisper model in
// CT2 layout, a ggml header writer and a ZIP writer. Everything is built in memory from a seed, so each
// test can damage exactly one thing.
import { deflateRawSync } from 'node:zlib';
import { numberToFloat16Bits } from '../../src/core/model/float16';
import { bytesToGpt2Token } from '../../src/core/model/gpt2Bytes';
import { crc32 } from '../../src/node/model/zip/crc32';

export type TestDType = 'float32' | 'int8' | 'int16' | 'int32' | 'float16';
const DTYPE_IDS: Record<TestDType, number> = { float32: 0, int8: 1, int16: 2, int32: 3, float16: 4 };
const DTYPE_SIZES: Record<TestDType, number> = { float32: 4, int8: 1, int16: 2, int32: 4, float16: 2 };

export interface TestVariable {
  dims: number[];
  dtype: TestDType;
  data: Buffer;
}

export interface Ct2WriteOptions {
  binaryVersion?: number;
  specName?: string;
  specRevision?: number;
  aliases?: [string, string][];
}

function ct2String(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const out = Buffer.alloc(2 + bytes.length + 1);
  out.writeUInt16LE(bytes.length + 1, 0);
  bytes.copy(out, 2);
  return out;
}

function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32LE(value, 0);
  return out;
}

/** Serialises variables the way CT2's ModelSpec._serialize does (binary version ≥ 4 layout, sorted by name). */
export function writeCt2Model(variables: Map<string, TestVariable>, options: Ct2WriteOptions = {}): Buffer {
  const parts: Buffer[] = [u32(options.binaryVersion ?? 6), ct2String(options.specName ?? 'WhisperSpec'), u32(options.specRevision ?? 3)];
  const names = [...variables.keys()].sort();
  parts.push(u32(names.length));
  for (const name of names) {
    const v = variables.get(name)!;
    parts.push(ct2String(name), Buffer.from([v.dims.length]), ...v.dims.map(u32), Buffer.from([DTYPE_IDS[v.dtype]]), u32(v.data.length), v.data);
  }
  const aliases = options.aliases ?? [];
  parts.push(u32(aliases.length));
  for (const [alias, target] of aliases) parts.push(ct2String(alias), ct2String(target));
  return Buffer.concat(parts);
}

export interface TinyHparams {
  nVocab: number;
  nAudioCtx: number;
  nAudioState: number;
  nAudioHead: number;
  nAudioLayer: number;
  nTextCtx: number;
  nTextState: number;
  nTextHead: number;
  nTextLayer: number;
  nMels: number;
  ftype: number;
}

/** Small enough to build in microseconds, with every dimension distinct so transposes would show. */
export const TINY_HPARAMS: TinyHparams = {
  nVocab: 12, nAudioCtx: 6, nAudioState: 8, nAudioHead: 2, nAudioLayer: 2,
  nTextCtx: 5, nTextState: 8, nTextHead: 2, nTextLayer: 1, nMels: 4, ftype: 1,
};

/** A deterministic pseudo-random generator (mulberry32), so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomTensor(dims: number[], dtype: 'float16' | 'float32', random: () => number): TestVariable {
  const count = dims.reduce((p, n) => p * n, 1);
  const data = Buffer.alloc(count * DTYPE_SIZES[dtype]);
  for (let i = 0; i < count; i++) {
    const value = (random() - 0.5) * 4;
    if (dtype === 'float16') data.writeUInt16LE(numberToFloat16Bits(value), i * 2);
    else data.writeFloatLE(value, i * 4);
  }
  return { dims, dtype, data };
}

function scalar(dtype: 'int8' | 'int16', value: number): TestVariable {
  const data = Buffer.alloc(DTYPE_SIZES[dtype]);
  if (dtype === 'int8') data.writeInt8(value, 0);
  else data.writeInt16LE(value, 0);
  return { dims: [], dtype, data };
}

/** Zeroes elements [start, end) of a variable (a fused key-bias slice). */
function zero(variable: TestVariable, start: number, end: number): void {
  const size = DTYPE_SIZES[variable.dtype];
  variable.data.fill(0, start * size, end * size);
}

/** The variables CT2's WhisperSpec stores for these hparams (§3.2 of CT2-TO-GGML.md), q|k|v fused, key biases zero. */
export function syntheticWhisperVariables(hp: TinyHparams = TINY_HPARAMS, seed = 1, dtype: 'float16' | 'float32' = 'float16'): Map<string, TestVariable> {
  const random = rng(seed);
  const vars = new Map<string, TestVariable>();
  const t = (name: string, dims: number[]): TestVariable => {
    const v = randomTensor(dims, dtype, random);
    vars.set(name, v);
    return v;
  };
  const D = hp.nAudioState;
  const T = hp.nTextState;
  t('encoder/conv1/weight', [D, hp.nMels, 3]);
  t('encoder/conv1/bias', [D]);
  t('encoder/conv2/weight', [D, D, 3]);
  t('encoder/conv2/bias', [D]);
  t('encoder/position_encodings/encodings', [hp.nAudioCtx, D]);
  t('encoder/layer_norm/gamma', [D]);
  t('encoder/layer_norm/beta', [D]);
  vars.set('encoder/num_heads', scalar('int16', hp.nAudioHead));
  t('decoder/embeddings/weight', [hp.nVocab, T]);
  t('decoder/position_encodings/encodings', [hp.nTextCtx, T]);
  t('decoder/layer_norm/gamma', [T]);
  t('decoder/layer_norm/beta', [T]);
  vars.set('decoder/num_heads', scalar('int16', hp.nTextHead));
  vars.set('decoder/pre_norm', scalar('int8', 1));
  vars.set('decoder/scale_embeddings', scalar('int8', 0));
  const layer = (prefix: string, n: number, cross: boolean): void => {
    for (const ln of ['self_attention/layer_norm', 'ffn/layer_norm', ...(cross ? ['attention/layer_norm'] : [])]) {
      t(`${prefix}${ln}/gamma`, [n]);
      t(`${prefix}${ln}/beta`, [n]);
    }
    t(`${prefix}self_attention/linear_0/weight`, [3 * n, n]);
    zero(t(`${prefix}self_attention/linear_0/bias`, [3 * n]), n, 2 * n);
    t(`${prefix}self_attention/linear_1/weight`, [n, n]);
    t(`${prefix}self_attention/linear_1/bias`, [n]);
    t(`${prefix}ffn/linear_0/weight`, [4 * n, n]);
    t(`${prefix}ffn/linear_0/bias`, [4 * n]);
    t(`${prefix}ffn/linear_1/weight`, [n, 4 * n]);
    t(`${prefix}ffn/linear_1/bias`, [n]);
    if (cross) {
      t(`${prefix}attention/linear_0/weight`, [n, n]);
      t(`${prefix}attention/linear_0/bias`, [n]);
      t(`${prefix}attention/linear_1/weight`, [2 * n, n]);
      zero(t(`${prefix}attention/linear_1/bias`, [2 * n]), 0, n);
      t(`${prefix}attention/linear_2/weight`, [n, n]);
      t(`${prefix}attention/linear_2/bias`, [n]);
    }
  };
  for (let i = 0; i < hp.nAudioLayer; i++) layer(`encoder/layer_${i}/`, D, false);
  for (let i = 0; i < hp.nTextLayer; i++) layer(`decoder/layer_${i}/`, T, true);
  return vars;
}

export const PROJECTION_ALIAS: [string, string] = ['decoder/projection/weight', 'decoder/embeddings/weight'];

/** Vocabulary with n_vocab entries: BPE tokens (in GPT-2's alphabet, incl. non-UTF-8 bytes), <|endoftext|>, specials. */
export function syntheticVocabulary(hp: TinyHparams = TINY_HPARAMS): string[] {
  const bpe = [Buffer.from('the'), Buffer.from(' the'), Buffer.from([0xc3]), Buffer.from([0xa9, 0x0a]), Buffer.from('!')].map(bytesToGpt2Token);
  const specials = ['<|startoftranscript|>', '<|en|>', '<|notimestamps|>', '<|0.00|>'];
  const tokens = [...bpe, '<|endoftext|>', ...specials];
  while (tokens.length < hp.nVocab) tokens.push(`<|${(tokens.length * 0.02).toFixed(2)}|>`);
  return tokens.slice(0, hp.nVocab);
}

/** Expected ggml vocabulary bytes for syntheticVocabulary (everything up to and including <|endoftext|>). */
export const SYNTHETIC_VOCABULARY_BYTES = [Buffer.from('the'), Buffer.from(' the'), Buffer.from([0xc3]), Buffer.from([0xa9, 0x0a]), Buffer.from('!'), Buffer.from('<|endoftext|>')];

/** magic + 11 hparams + mel filters (n_mels × 3 float32), optionally followed by junk (a full file's rest). */
export function writeGgmlHeader(hp: TinyHparams = TINY_HPARAMS, melColumns = 3): Buffer {
  const values = [hp.nVocab, hp.nAudioCtx, hp.nAudioState, hp.nAudioHead, hp.nAudioLayer, hp.nTextCtx, hp.nTextState, hp.nTextHead, hp.nTextLayer, hp.nMels, hp.ftype];
  const out = Buffer.alloc(4 + 44 + 8 + hp.nMels * melColumns * 4);
  out.writeUInt32LE(0x67676d6c, 0);
  values.forEach((v, i) => out.writeInt32LE(v, 4 + i * 4));
  out.writeInt32LE(hp.nMels, 48);
  out.writeInt32LE(melColumns, 52);
  for (let i = 0; i < hp.nMels * melColumns; i++) out.writeFloatLE(i / 7, 56 + i * 4);
  return out;
}

export interface TestZipMember {
  name: string;
  data: Buffer;
  method?: 0 | 8;
}

/** A plain ZIP archive (local headers, central directory, end record), stored or deflated. */
export function writeZip(members: TestZipMember[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const member of members) {
    const method = member.method ?? 8;
    const name = Buffer.from(member.name, 'utf8');
    const stored = method === 8 ? deflateRawSync(member.data) : member.data;
    const crc = crc32(member.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(member.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, stored);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x800, 8);
    entry.writeUInt16LE(method, 10);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(stored.length, 20);
    entry.writeUInt32LE(member.data.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, name);
    offset += 30 + name.length + stored.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
