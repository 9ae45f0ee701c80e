// Converts a CTranslate2 Whisper model (e.g. faster-whisper's float16 tiny.en) into whisper.cpp's ggml
// format, following shared/models/CT2-TO-GGML.md. The output is written to a private temp file, read back
// and checked record by record against the plan, and only then renamed into place with a sha256 sidecar:
// on any error nothing is left at the output path (an older file there stays untouched).
import { createHash } from 'node:crypto';
import { open, readFile, rename } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { narrowFloat32ToFloat16Bytes, widenFloat16ToFloat32Bytes } from '../../core/model/float16';
import { Gpt2TokenError, gpt2TokenToBytes } from '../../core/model/gpt2Bytes';
import { removeIfPresent, siblingTempPath, syncDirectory, writeFileAtomically } from '../files/atomicFile';
import { loadCt2ModelFiles } from './ct2/ct2Source';
import { parseCt2Model, readCt2Scalar, resolveCt2Variable, type Ct2Model, type Ct2Variable } from './ct2/ct2Model';
import { ModelFileError } from './errors';
import { ensureFreeSpace } from './diskSpace';
import {
  GGML_MAGIC,
  GGML_TYPE_F16,
  encodeTensorRecordHeader,
  encodeVocabulary,
  ggmlTypeName,
  parseGgmlHeaderPrefix,
  parseGgmlLayout,
  type GgmlHeaderPrefix,
  type WhisperHparams,
} from './ggml/ggmlFormat';
import { planWhisperConversion, type PlannedTensor, type TensorOrder, type WhisperConversionPlan } from './whisperTensorPlan';

export const WHISPER_SPEC_NAME = 'WhisperSpec';
export const END_OF_TEXT_TOKEN = '<|endoftext|>';
/**
 * The PyTorch state_dict order of OpenAI's model.py, i.e. what convert-pt-to-ggml.py would write. Neither this
 * nor the loader order reproduces the official ggml-tiny.en.bin's sha256 (same size, so most likely only the
 * record order differs, which is not documented); whisper.cpp accepts any order.
 */
export const DEFAULT_TENSOR_ORDER: TensorOrder = 'checkpoint';

export interface ConvertCt2Options {
  /** A ggml Whisper file whose magic, hparams and mel filters are reused (a header-only file is enough). */
  readonly headerPath: string;
  /**
   * 'model': the hparams come from the CTranslate2 model itself and the header file gives only its mel filter bank
   * (the same for every Whisper size with as many mel bins), so one header serves any size. Default 'header'.
   */
  readonly hparamsFrom?: 'header' | 'model';
  readonly order?: TensorOrder;
  readonly log?: (line: string) => void;
  /** Free bytes where a path lives (default: the file system's; a test passes a small number). */
  readonly freeSpace?: (path: string) => Promise<number>;
}

export interface ConversionResult {
  readonly outputPath: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly tensorCount: number;
  readonly vocabularySize: number;
  readonly order: TensorOrder;
}

export async function loadGgmlHeaderPrefix(headerPath: string): Promise<GgmlHeaderPrefix> {
  let file;
  try {
    file = await open(headerPath, 'r');
  } catch (error) {
    throw new ModelFileError('MISSING_FILE', `ggml header file ${headerPath}: ${(error as Error).message}`, { cause: error });
  }
  try {
    // Magic + hparams + an 80- or 128-bin mel filter bank fit in 1 MiB.
    const buffer = Buffer.alloc(1 << 20);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    return parseGgmlHeaderPrefix(buffer.subarray(0, bytesRead), headerPath);
  } finally {
    await file.close();
  }
}

/** The ggml vocabulary: the byte-level BPE tokens up to and including <|endoftext|>, as raw bytes. */
export function ggmlVocabularyFromCt2(tokens: readonly string[], hp: WhisperHparams): Uint8Array[] {
  const endOfText = tokens.indexOf(END_OF_TEXT_TOKEN);
  if (endOfText < 0) throw new ModelFileError('BAD_VOCABULARY', `the vocabulary has no ${END_OF_TEXT_TOKEN} token`);
  if (tokens.length !== hp.nVocab) {
    throw new ModelFileError('HPARAMS_MISMATCH', `the vocabulary has ${tokens.length} tokens but the ggml header says n_vocab = ${hp.nVocab}`);
  }
  try {
    return tokens.slice(0, endOfText + 1).map(gpt2TokenToBytes);
  } catch (error) {
    if (error instanceof Gpt2TokenError) throw new ModelFileError('BAD_VOCABULARY', error.message, { cause: error });
    throw error;
  }
}

function describe(variable: Ct2Variable): string {
  return `[${variable.dims.join(',')}] ${variable.dtype}`;
}

/** Whisper's attention heads are 64 wide in every released size (tiny 6 × 64 … large 20 × 64). */
const WHISPER_HEAD_WIDTH = 64;

/**
 * The ggml header prefix (magic, hparams, mel filters) of a CTranslate2 Whisper model: the hparams from its
 * variables' shapes and its num_heads scalars (or the state width / 64 where it has none), the mel filter bank from
 * `melSource`, which must have as many mel bins.
 */
export function deriveGgmlHeaderPrefix(model: Ct2Model, melSource: GgmlHeaderPrefix): GgmlHeaderPrefix {
  const dims = (name: string): readonly number[] => {
    const variable = resolveCt2Variable(model, name);
    if (!variable) throw new ModelFileError('MISSING_TENSOR', `the CTranslate2 model has no variable ${name}`);
    return variable.dims;
  };
  const layers = (prefix: string): number => {
    let count = 0;
    while ([...model.variables.keys()].some((name) => name.startsWith(`${prefix}/layer_${count}/`))) count++;
    return count;
  };
  const [nAudioState, nMels] = dims('encoder/conv1/weight');
  const [nVocab, nTextState] = dims('decoder/embeddings/weight');
  const hparams: WhisperHparams = {
    nVocab,
    nAudioCtx: dims('encoder/position_encodings/encodings')[0],
    nAudioState,
    nAudioHead: readCt2Scalar(model, 'encoder/num_heads') ?? nAudioState / WHISPER_HEAD_WIDTH,
    nAudioLayer: layers('encoder'),
    nTextCtx: dims('decoder/position_encodings/encodings')[0],
    nTextState,
    nTextHead: readCt2Scalar(model, 'decoder/num_heads') ?? nTextState / WHISPER_HEAD_WIDTH,
    nTextLayer: layers('decoder'),
    nMels,
    ftype: 1,
  };
  if (melSource.hparams.nMels !== nMels) {
    throw new ModelFileError('HPARAMS_MISMATCH', `the model has ${nMels} mel bins but the header's filter bank has ${melSource.hparams.nMels}: use the header of a model with ${nMels}`);
  }
  const values = [nVocab, hparams.nAudioCtx, nAudioState, hparams.nAudioHead, hparams.nAudioLayer, hparams.nTextCtx, nTextState, hparams.nTextHead, hparams.nTextLayer, nMels, 1];
  if (values.some((v) => !Number.isInteger(v) || v <= 0)) throw new ModelFileError('HPARAMS_MISMATCH', `hparams derived from the model are not positive integers: ${values.join(', ')}`);
  const head = Buffer.alloc(48);
  head.writeUInt32LE(GGML_MAGIC, 0);
  values.forEach((value, i) => head.writeInt32LE(value, 4 + i * 4));
  return { hparams, melFilterShape: melSource.melFilterShape, bytes: Buffer.concat([head, melSource.bytes.subarray(48)]) };
}

/** Checks the CT2 model against the header's hparams and the plan, before anything is written. */
export function validateCt2Whisper(model: Ct2Model, hp: WhisperHparams, plan: WhisperConversionPlan): void {
  if (model.specName !== WHISPER_SPEC_NAME) {
    throw new ModelFileError('WRONG_SPEC', `this CTranslate2 model is a ${model.specName || '(unnamed spec)'}, not a ${WHISPER_SPEC_NAME}`);
  }
  // Compare the overall geometry first so a header/model mix-up gets one clear message.
  const geometry: [string, number | undefined, number, string][] = [
    ['decoder/embeddings/weight', resolveCt2Variable(model, 'decoder/embeddings/weight')?.dims[0], hp.nVocab, 'n_vocab'],
    ['encoder/conv1/weight', resolveCt2Variable(model, 'encoder/conv1/weight')?.dims[0], hp.nAudioState, 'n_audio_state'],
    ['encoder/conv1/weight', resolveCt2Variable(model, 'encoder/conv1/weight')?.dims[1], hp.nMels, 'n_mels'],
    ['decoder/embeddings/weight', resolveCt2Variable(model, 'decoder/embeddings/weight')?.dims[1], hp.nTextState, 'n_text_state'],
    ['encoder/num_heads', readCt2Scalar(model, 'encoder/num_heads'), hp.nAudioHead, 'n_audio_head'],
    ['decoder/num_heads', readCt2Scalar(model, 'decoder/num_heads'), hp.nTextHead, 'n_text_head'],
  ];
  for (const [variable, actual, expected, hparam] of geometry) {
    if (actual !== undefined && actual !== expected) {
      throw new ModelFileError('HPARAMS_MISMATCH', `${variable} gives ${hparam} = ${actual} but the ggml header says ${expected}: use the header of the same model size`);
    }
  }
  for (const [prefix, layers, hparam] of [['encoder', hp.nAudioLayer, 'n_audio_layer'], ['decoder', hp.nTextLayer, 'n_text_layer']] as const) {
    const extra = [...model.variables.keys()].find((name) => name.startsWith(`${prefix}/layer_${layers}/`));
    if (extra) throw new ModelFileError('HPARAMS_MISMATCH', `the model has ${extra} but the ggml header says ${hparam} = ${layers}`);
  }
  for (const [name, shape] of plan.sourceShapes) {
    const variable = resolveCt2Variable(model, name);
    if (!variable) throw new ModelFileError('MISSING_TENSOR', `the CTranslate2 model has no variable ${name}`);
    if (variable.dims.length !== shape.length || variable.dims.some((dim, i) => dim !== shape[i])) {
      throw new ModelFileError('BAD_SHAPE', `${name} is ${describe(variable)}, expected shape [${shape.join(',')}]`);
    }
    if (variable.dtype !== 'float16' && variable.dtype !== 'float32') {
      throw new ModelFileError(
        'BAD_DTYPE',
        `${name} is ${describe(variable)}; only float16/float32 models can be converted (re-export with --quantization float16)`,
      );
    }
  }
  for (const { source, description } of plan.zeroSlices) {
    const variable = resolveCt2Variable(model, source.variable)!;
    const size = variable.dtype === 'float16' ? 2 : 4;
    for (let i = source.start; i < source.end; i++) {
      const value = size === 2 ? variable.data.readUInt16LE(i * 2) & 0x7fff : variable.data.readUInt32LE(i * 4) & 0x7fffffff;
      if (value !== 0) {
        throw new ModelFileError(
          'NONZERO_KEY_BIAS',
          `${description} is not zero at element ${i}: this is not the q|k|v fusion the converter undoes (Whisper keys have no bias)`,
        );
      }
    }
  }
  // whisper.cpp computes the logits with the token embedding; an untied projection would be silently ignored.
  const projection = resolveCt2Variable(model, 'decoder/projection/weight');
  const embeddings = resolveCt2Variable(model, 'decoder/embeddings/weight');
  if (projection && embeddings && projection !== embeddings && !projection.data.equals(embeddings.data)) {
    throw new ModelFileError('UNSUPPORTED_FORMAT', 'decoder/projection/weight differs from decoder/embeddings/weight; whisper.cpp needs them tied');
  }
}

/** The bytes of one ggml tensor: a raw f16 copy, an exact f16→f32 widening, or an f32→f16 rounding. */
export function plannedTensorBytes(model: Ct2Model, tensor: PlannedTensor): Uint8Array {
  const variable = resolveCt2Variable(model, tensor.source.variable)!;
  const { start, end } = tensor.source;
  const count = end - start;
  if (variable.dtype === 'float16') {
    return tensor.type === GGML_TYPE_F16
      ? variable.data.subarray(start * 2, end * 2)
      : widenFloat16ToFloat32Bytes(variable.data, start * 2, count);
  }
  return tensor.type === GGML_TYPE_F16
    ? narrowFloat32ToFloat16Bytes(variable.data, start * 4, count)
    : variable.data.subarray(start * 4, end * 4);
}

async function selfCheck(
  path: string,
  expectedHeader: Buffer,
  vocabulary: readonly Uint8Array[],
  plan: WhisperConversionPlan,
  model: Ct2Model,
): Promise<{ sha256: string; bytes: number }> {
  const written = await readFile(path);
  const fail = (what: string): never => {
    throw new ModelFileError('SELF_CHECK_FAILED', `the written ggml file does not read back as planned: ${what}`);
  };
  const layout = await parseGgmlLayout(written, path);
  if (!written.subarray(0, layout.headerPrefixLength).equals(expectedHeader)) fail('header (hparams/mel filters) differs');
  if (layout.vocabulary.length !== vocabulary.length) fail(`${layout.vocabulary.length} tokens instead of ${vocabulary.length}`);
  layout.vocabulary.forEach((token, i) => {
    if (!Buffer.from(token).equals(vocabulary[i])) fail(`token ${i} differs`);
  });
  if (layout.tensors.length !== plan.tensors.length) fail(`${layout.tensors.length} tensor records instead of ${plan.tensors.length}`);
  layout.tensors.forEach((record, i) => {
    const planned = plan.tensors[i];
    if (record.name !== planned.name || record.type !== planned.type || record.ne.join() !== planned.ne.join()) {
      fail(`record ${i} is ${record.name} [${record.ne}] ${ggmlTypeName(record.type)}, planned ${planned.name} [${planned.ne}] ${ggmlTypeName(planned.type)}`);
    }
    const data = written.subarray(record.dataOffset, record.dataOffset + record.dataLength);
    if (!data.equals(plannedTensorBytes(model, planned))) fail(`data of ${record.name} differs from its source slice`);
  });
  return { sha256: createHash('sha256').update(written).digest('hex'), bytes: written.length };
}

export function sidecarPath(modelPath: string): string {
  return `${modelPath}.sha256`;
}

/** sha256sum-compatible line, so `sha256sum -c` works on it too. */
export function formatSidecar(sha256: string, fileName: string): string {
  return `${sha256}  ${fileName}\n`;
}

export async function convertCt2ToGgml(inputPath: string, outputPath: string, options: ConvertCt2Options): Promise<ConversionResult> {
  const log = options.log ?? (() => {});
  const order = options.order ?? DEFAULT_TENSOR_ORDER;
  const headerFile = await loadGgmlHeaderPrefix(options.headerPath);
  const files = await loadCt2ModelFiles(inputPath);
  log(`read ${files.label} (${files.modelBin.length} bytes, ${files.vocabulary.length} tokens)`);
  const model = parseCt2Model(files.modelBin, files.label);
  const header = options.hparamsFrom === 'model' ? deriveGgmlHeaderPrefix(model, headerFile) : headerFile;
  const hp = header.hparams;
  if (hp.ftype !== 1) {
    throw new ModelFileError('HPARAMS_MISMATCH', `${options.headerPath}: ftype ${hp.ftype}; the converter writes F16 models (ftype 1)`);
  }
  if (options.hparamsFrom === 'model') log(`hparams from the model: ${JSON.stringify(hp)}`);
  const plan = planWhisperConversion(hp, order);
  validateCt2Whisper(model, hp, plan);
  const vocabulary = ggmlVocabularyFromCt2(files.vocabulary, hp);

  // The output is the weights as they are (F16) plus the vocabulary: about the input's size.
  await ensureFreeSpace(dirname(resolve(outputPath)), files.modelBin.length + 4 * 1048576, `the converted model ${basename(outputPath)}`, options.freeSpace);
  const temp = siblingTempPath(outputPath, 'converting');
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      let position = 0;
      const write = async (bytes: Uint8Array): Promise<void> => {
        await handle.write(bytes, 0, bytes.length, position);
        position += bytes.length;
      };
      await write(header.bytes);
      await write(encodeVocabulary(vocabulary));
      for (const tensor of plan.tensors) {
        await write(encodeTensorRecordHeader(tensor.name, tensor.ne, tensor.type));
        await write(plannedTensorBytes(model, tensor));
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    const { sha256, bytes } = await selfCheck(temp, header.bytes, vocabulary, plan, model);
    log(`self-check passed: ${plan.tensors.length} tensors, ${vocabulary.length} tokens, ${bytes} bytes, sha256 ${sha256}`);
    const sidecar = sidecarPath(outputPath);
    // Drop a stale sidecar first: a crash between the two renames then leaves a model without a sidecar
    // (re-verified or rebuilt), never a model with someone else's checksum.
    await removeIfPresent(sidecar);
    await rename(temp, outputPath);
    await syncDirectory(dirname(outputPath));
    await writeFileAtomically(sidecar, formatSidecar(sha256, outputPath.split(/[\\/]/).pop()!));
    return { outputPath, sha256, bytes, tensorCount: plan.tensors.length, vocabularySize: vocabulary.length, order };
  } catch (error) {
    await removeIfPresent(temp);
    throw error;
  }
}
