// Reader for CTranslate2's model.bin (binary versions 4–6): a packed little-endian stream of
// header, variables sorted by name, and aliases. See shared/models/CT2-TO-GGML.md §2 for the layout.
// Variable data stay as views into the file buffer (no copy); offsets are not aligned, so callers must use
// byte-wise access (DataView / Buffer methods), never typed-array views.
import { ModelFileError } from '../errors';

export const CT2_DTYPES = ['float32', 'int8', 'int16', 'int32', 'float16', 'bfloat16'] as const;
export type Ct2DType = (typeof CT2_DTYPES)[number];
const DTYPE_SIZES: Record<Ct2DType, number> = { float32: 4, int8: 1, int16: 2, int32: 4, float16: 2, bfloat16: 2 };

export const MIN_CT2_BINARY_VERSION = 4;
export const MAX_CT2_BINARY_VERSION = 6;

export interface Ct2Variable {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dtype: Ct2DType;
  readonly data: Buffer;
}

export interface Ct2Model {
  readonly binaryVersion: number;
  readonly specName: string;
  readonly specRevision: number;
  readonly variables: ReadonlyMap<string, Ct2Variable>;
  /** alias name → target name, as stored (not yet resolved). */
  readonly aliases: ReadonlyMap<string, string>;
}

export function ct2DTypeSize(dtype: Ct2DType): number {
  return DTYPE_SIZES[dtype];
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((product, dim) => product * dim, 1);
}

class Cursor {
  offset = 0;
  constructor(
    private readonly buffer: Buffer,
    private readonly source: string,
  ) {}

  private need(bytes: number, what: string): void {
    if (this.offset + bytes > this.buffer.length) {
      throw new ModelFileError(
        'TRUNCATED',
        `${this.source}: truncated while reading ${what} at byte ${this.offset} (needs ${bytes} bytes, file has ${this.buffer.length})`,
      );
    }
  }
  u8(what: string): number {
    this.need(1, what);
    return this.buffer.readUInt8(this.offset++);
  }
  u16(what: string): number {
    this.need(2, what);
    const value = this.buffer.readUInt16LE(this.offset);
    this.offset += 2;
    return value;
  }
  u32(what: string): number {
    this.need(4, what);
    const value = this.buffer.readUInt32LE(this.offset);
    this.offset += 4;
    return value;
  }
  bytes(length: number, what: string): Buffer {
    this.need(length, what);
    const view = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return view;
  }
  /** u16 length including a trailing NUL, the UTF-8 bytes, the NUL. */
  string(what: string): string {
    const length = this.u16(`${what} length`);
    if (length === 0) throw new ModelFileError('CORRUPT', `${this.source}: ${what} has length 0 at byte ${this.offset - 2}`);
    const raw = this.bytes(length, what);
    if (raw[length - 1] !== 0) throw new ModelFileError('CORRUPT', `${this.source}: ${what} is not NUL-terminated at byte ${this.offset - length}`);
    return raw.subarray(0, length - 1).toString('utf8');
  }
  get remaining(): number {
    return this.buffer.length - this.offset;
  }
}

/** Parses a whole model.bin held in memory. `source` names the file in error messages. */
export function parseCt2Model(buffer: Buffer, source = 'model.bin'): Ct2Model {
  const cursor = new Cursor(buffer, source);
  const binaryVersion = cursor.u32('binary version');
  if (binaryVersion < MIN_CT2_BINARY_VERSION || binaryVersion > MAX_CT2_BINARY_VERSION) {
    throw new ModelFileError(
      'UNSUPPORTED_VERSION',
      `${source}: CTranslate2 binary version ${binaryVersion} is not supported (expected ${MIN_CT2_BINARY_VERSION}–${MAX_CT2_BINARY_VERSION}); is this really a CTranslate2 model.bin?`,
    );
  }
  const specName = cursor.string('spec name');
  const specRevision = cursor.u32('spec revision');
  const variableCount = cursor.u32('variable count');
  const variables = new Map<string, Ct2Variable>();
  for (let i = 0; i < variableCount; i++) {
    const name = cursor.string(`name of variable ${i}`);
    const rank = cursor.u8(`rank of ${name}`);
    const dims: number[] = [];
    for (let d = 0; d < rank; d++) dims.push(cursor.u32(`dimension ${d} of ${name}`));
    const dtypeId = cursor.u8(`dtype of ${name}`);
    const dtype = CT2_DTYPES[dtypeId];
    if (dtype === undefined) throw new ModelFileError('CORRUPT', `${source}: variable ${name} has unknown dtype id ${dtypeId}`);
    const byteCount = cursor.u32(`byte count of ${name}`);
    const expectedBytes = elementCount(dims) * DTYPE_SIZES[dtype];
    if (byteCount !== expectedBytes) {
      throw new ModelFileError('CORRUPT', `${source}: variable ${name} [${dims.join(',')}] ${dtype} declares ${byteCount} bytes, expected ${expectedBytes}`);
    }
    if (variables.has(name)) throw new ModelFileError('CORRUPT', `${source}: variable ${name} is stored twice`);
    variables.set(name, { name, dims, dtype, data: cursor.bytes(byteCount, `data of ${name}`) });
  }
  const aliases = new Map<string, string>();
  const aliasCount = cursor.u32('alias count');
  for (let i = 0; i < aliasCount; i++) {
    const alias = cursor.string(`alias ${i}`);
    aliases.set(alias, cursor.string(`target of alias ${alias}`));
  }
  if (cursor.remaining !== 0) {
    throw new ModelFileError('CORRUPT', `${source}: ${cursor.remaining} unexpected bytes after the alias list`);
  }
  return { binaryVersion, specName, specRevision, variables, aliases };
}

/** Looks a variable up by name, following aliases (bounded, so a cycle is an error rather than a hang). */
export function resolveCt2Variable(model: Ct2Model, name: string): Ct2Variable | undefined {
  let current = name;
  for (let hops = 0; hops <= model.aliases.size; hops++) {
    const variable = model.variables.get(current);
    if (variable) return variable;
    const target = model.aliases.get(current);
    if (target === undefined) return undefined;
    current = target;
  }
  throw new ModelFileError('CORRUPT', `alias cycle while resolving ${name}`);
}

/** Reads a rank-0 integer scalar (CT2 stores spec ints/bools as 0-d int8/int16/int32 variables). */
export function readCt2Scalar(model: Ct2Model, name: string): number | undefined {
  const variable = resolveCt2Variable(model, name);
  if (!variable || variable.dims.length !== 0) return undefined;
  switch (variable.dtype) {
    case 'int8':
      return variable.data.readInt8(0);
    case 'int16':
      return variable.data.readInt16LE(0);
    case 'int32':
      return variable.data.readInt32LE(0);
    case 'float32':
      return variable.data.readFloatLE(0);
    default:
      return undefined;
  }
}
