// Validates a whisper.cpp ggml model file *before* the native loader sees it. whisper.cpp crashes the whole
// process on a bad header or a truncated file (see FINDINGS), so we walk the same layout it reads — magic, hparams,
// mel filters, vocabulary, then tensor records up to the exact end of the file — and refuse anything that would not
// load cleanly. Pure: it reads through a caller-supplied random-access reader.

export interface RandomAccessReader {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export interface GgmlHparams {
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

export interface GgmlModelSummary {
  hparams: GgmlHparams;
  tokenCount: number;
  tensorCount: number;
  tensorBytes: number;
  /** A weightless test header ("assuming empty model for testing"): loads, transcribes nothing. */
  empty: boolean;
  /** Rough model type from the encoder layer count (tiny/base/small/medium/large). */
  kind: string;
}

export type ModelFileProblem = 'TRUNCATED' | 'BAD_MAGIC' | 'BAD_HPARAMS' | 'BAD_VOCAB' | 'BAD_TENSOR' | 'TRAILING_BYTES' | 'EMPTY_MODEL';

export class ModelFileError extends Error {
  constructor(readonly problem: ModelFileProblem, message: string) {
    super(message);
    this.name = 'ModelFileError';
  }
}

const GGML_MAGIC = 0x67676d6c;

/** Bytes per block and elements per block of the ggml tensor types whisper.cpp model files use. */
const TYPE_LAYOUT: Record<number, { blockBytes: number; blockElements: number; name: string }> = {
  0: { blockBytes: 4, blockElements: 1, name: 'F32' },
  1: { blockBytes: 2, blockElements: 1, name: 'F16' },
  2: { blockBytes: 18, blockElements: 32, name: 'Q4_0' },
  3: { blockBytes: 20, blockElements: 32, name: 'Q4_1' },
  6: { blockBytes: 22, blockElements: 32, name: 'Q5_0' },
  7: { blockBytes: 24, blockElements: 32, name: 'Q5_1' },
  8: { blockBytes: 34, blockElements: 32, name: 'Q8_0' },
};

const LAYERS_TO_KIND: Record<number, string> = { 4: 'tiny', 6: 'base', 12: 'small', 24: 'medium', 32: 'large' };

/** Forward-only cursor over the reader that fetches in blocks, so walking 50k vocabulary entries stays cheap. */
class Cursor {
  private buffer: Uint8Array = new Uint8Array(0);
  private bufferStart = 0;
  constructor(private readonly reader: RandomAccessReader, public offset: number) {}

  private async ensure(length: number, what: string): Promise<void> {
    if (this.offset + length > this.reader.size) {
      throw new ModelFileError('TRUNCATED', `The model file ends early (while reading ${what} at byte ${this.offset} of ${this.reader.size}); it is probably an incomplete download.`);
    }
    const end = this.bufferStart + this.buffer.length;
    if (this.offset >= this.bufferStart && this.offset + length <= end) return;
    const chunk = Math.max(length, 1 << 16);
    this.bufferStart = this.offset;
    this.buffer = await this.reader.read(this.offset, Math.min(chunk, this.reader.size - this.offset));
  }

  async int32(what: string): Promise<number> {
    await this.ensure(4, what);
    const at = this.offset - this.bufferStart;
    const view = new DataView(this.buffer.buffer, this.buffer.byteOffset + at, 4);
    this.offset += 4;
    return view.getInt32(0, true);
  }

  async bytes(length: number, what: string): Promise<Uint8Array> {
    await this.ensure(length, what);
    const at = this.offset - this.bufferStart;
    this.offset += length;
    return this.buffer.subarray(at, at + length);
  }

  skip(length: number, what: string): void {
    if (this.offset + length > this.reader.size) {
      throw new ModelFileError('TRUNCATED', `The model file ends early (in ${what}: needs ${length} bytes at byte ${this.offset}, file has ${this.reader.size}); it is probably an incomplete download.`);
    }
    this.offset += length;
  }
}

function checkHparams(h: GgmlHparams): void {
  const positive = Object.entries(h).filter(([k]) => k !== 'ftype');
  for (const [name, value] of positive) {
    if (!Number.isInteger(value) || value <= 0 || value > 1_000_000) {
      throw new ModelFileError('BAD_HPARAMS', `The model header is not a Whisper model (${name} = ${value}).`);
    }
  }
  if (h.nMels !== 80 && h.nMels !== 128) throw new ModelFileError('BAD_HPARAMS', `Unsupported mel band count ${h.nMels} (expected 80 or 128).`);
  if (h.nAudioState % h.nAudioHead !== 0 || h.nTextState % h.nTextHead !== 0) {
    throw new ModelFileError('BAD_HPARAMS', 'The model header has inconsistent attention sizes.');
  }
}

/**
 * Walks the whole model layout. Throws ModelFileError describing the first problem; resolves with a summary
 * of a file whisper.cpp will load. `allowEmpty` accepts the weightless test header.
 */
export async function validateGgmlModel(reader: RandomAccessReader, options: { allowEmpty?: boolean } = {}): Promise<GgmlModelSummary> {
  const c = new Cursor(reader, 0);
  if (reader.size < 4 || (await c.int32('magic')) >>> 0 !== GGML_MAGIC) {
    throw new ModelFileError('BAD_MAGIC', 'This is not a whisper.cpp ggml model file (wrong magic number). Download a ggml-*.bin model.');
  }
  const names = ['nVocab', 'nAudioCtx', 'nAudioState', 'nAudioHead', 'nAudioLayer', 'nTextCtx', 'nTextState', 'nTextHead', 'nTextLayer', 'nMels', 'ftype'] as const;
  const hparams = {} as GgmlHparams;
  for (const name of names) hparams[name] = await c.int32(`hparam ${name}`);
  checkHparams(hparams);

  const nMel = await c.int32('mel filter rows');
  const nFft = await c.int32('mel filter columns');
  if (nMel !== hparams.nMels || nFft <= 0 || nFft > 4096) throw new ModelFileError('BAD_HPARAMS', `Mel filter bank has an unexpected shape ${nMel}×${nFft}.`);
  c.skip(nMel * nFft * 4, 'mel filters');

  const tokenCount = await c.int32('vocabulary size');
  if (tokenCount <= 0 || tokenCount > hparams.nVocab) throw new ModelFileError('BAD_VOCAB', `Vocabulary size ${tokenCount} does not fit n_vocab ${hparams.nVocab}.`);
  for (let i = 0; i < tokenCount; i++) {
    const length = await c.int32('vocabulary entry');
    if (length < 0 || length > 1024) throw new ModelFileError('BAD_VOCAB', `Vocabulary entry ${i} has an impossible length ${length}.`);
    c.skip(length, 'vocabulary');
  }

  let tensorCount = 0;
  let tensorBytes = 0;
  while (c.offset < reader.size) {
    const nDims = await c.int32('tensor header');
    const nameLength = await c.int32('tensor header');
    const type = await c.int32('tensor header');
    if (nDims < 1 || nDims > 4 || nameLength <= 0 || nameLength > 256) {
      throw new ModelFileError('BAD_TENSOR', `Tensor record ${tensorCount} has a corrupt header (dims ${nDims}, name length ${nameLength}).`);
    }
    const layout = TYPE_LAYOUT[type];
    if (!layout) throw new ModelFileError('BAD_TENSOR', `Tensor record ${tensorCount} has unsupported type ${type}.`);
    let elements = 1;
    let innermost = 0;
    for (let d = 0; d < nDims; d++) {
      const ne = await c.int32('tensor shape');
      if (ne <= 0) throw new ModelFileError('BAD_TENSOR', `Tensor record ${tensorCount} has a non-positive dimension.`);
      if (d === 0) innermost = ne;
      elements *= ne;
    }
    if (innermost % layout.blockElements !== 0) throw new ModelFileError('BAD_TENSOR', `Tensor record ${tensorCount} (${layout.name}) has a row size that is not a multiple of its block.`);
    c.skip(nameLength, 'tensor name');
    const dataBytes = (elements / layout.blockElements) * layout.blockBytes;
    c.skip(dataBytes, `tensor ${tensorCount} data`);
    tensorCount++;
    tensorBytes += dataBytes;
  }
  if (c.offset !== reader.size) throw new ModelFileError('TRAILING_BYTES', 'The model file has unexpected bytes after its last tensor.');
  const empty = tensorCount === 0;
  if (empty && !options.allowEmpty) {
    throw new ModelFileError('EMPTY_MODEL', 'The model file holds no weights (a test header); it cannot transcribe speech. Download a real model.');
  }
  // whisper.cpp requires every tensor of the architecture: 2 + 3 + 2 conv/pos/ln-post encoder globals, 15 per encoder
  // block, 4 decoder globals, 24 per decoder block.
  const expectedTensors = 7 + 15 * hparams.nAudioLayer + 4 + 24 * hparams.nTextLayer;
  if (!empty && tensorCount !== expectedTensors) {
    throw new ModelFileError('BAD_TENSOR', `The model file has ${tensorCount} tensors; this architecture needs ${expectedTensors}. It is damaged or incomplete.`);
  }
  return { hparams, tokenCount, tensorCount, tensorBytes, empty, kind: LAYERS_TO_KIND[hparams.nAudioLayer] ?? `custom-${hparams.nAudioLayer}` };
}
