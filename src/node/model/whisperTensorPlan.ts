// Which ggml tensor comes from which slice of which CTranslate2 variable (CT2-TO-GGML.md §5), and the
// order the records are written in. Derived from the hparams, so it covers every Whisper size, not just tiny.
import { GGML_TYPE_F16, GGML_TYPE_F32, type GgmlTensorType, type WhisperHparams } from './ggml/ggmlFormat';

/** Element range [start, end) of a CT2 variable, flattened in C order (rows are outermost, so row slices are contiguous). */
export interface TensorSource {
  readonly variable: string;
  readonly start: number;
  readonly end: number;
}

export interface PlannedTensor {
  readonly name: string;
  /** ggml order: ne[0] is the innermost dimension (numpy shape reversed). */
  readonly ne: readonly number[];
  readonly type: GgmlTensorType;
  readonly source: TensorSource;
}

/**
 * `loader`: the order in which whisper.cpp's loader creates its tensors.
 * `checkpoint`: PyTorch state_dict order of OpenAI's model.py modules (what convert-pt-to-ggml.py iterates).
 * whisper.cpp accepts any order; the choice only matters for byte-identity with the official file.
 */
export type TensorOrder = 'loader' | 'checkpoint';
export const TENSOR_ORDERS: readonly TensorOrder[] = ['checkpoint', 'loader'];

/** A slice of a fused CT2 bias that must be all zeros (Whisper's key projections have no bias). */
export interface ZeroSlice {
  readonly source: TensorSource;
  readonly description: string;
}

export interface WhisperConversionPlan {
  readonly tensors: readonly PlannedTensor[];
  /** Expected numpy shape of every CT2 variable the plan reads. */
  readonly sourceShapes: ReadonlyMap<string, readonly number[]>;
  readonly zeroSlices: readonly ZeroSlice[];
}

interface BlockShape {
  readonly ggmlPrefix: string;
  readonly ct2Prefix: string;
  readonly state: number;
  readonly cross: boolean;
}

export function planWhisperConversion(hp: WhisperHparams, order: TensorOrder): WhisperConversionPlan {
  const byName = new Map<string, PlannedTensor>();
  const sourceShapes = new Map<string, number[]>();
  const zeroSlices: ZeroSlice[] = [];

  const whole = (variable: string, shape: number[]): TensorSource => {
    sourceShapes.set(variable, shape);
    return { variable, start: 0, end: shape.reduce((p, n) => p * n, 1) };
  };
  const slice = (variable: string, shape: number[], part: number, parts: number): TensorSource => {
    sourceShapes.set(variable, shape);
    const size = shape.reduce((p, n) => p * n, 1) / parts;
    return { variable, start: part * size, end: (part + 1) * size };
  };
  const add = (name: string, ne: number[], type: GgmlTensorType, source: TensorSource): void => {
    byName.set(name, { name, ne, type, source });
  };
  // ggml wants F16 matrices and F32 vectors; vectors keep their numpy shape reversed (i.e. unchanged).
  const matrix = (name: string, source: TensorSource, rows: number, columns: number): void => add(name, [columns, rows], GGML_TYPE_F16, source);
  const vector = (name: string, source: TensorSource, length: number): void => add(name, [length], GGML_TYPE_F32, source);

  const D = hp.nAudioState;
  const T = hp.nTextState;

  add('encoder.positional_embedding', [D, hp.nAudioCtx], GGML_TYPE_F32, whole('encoder/position_encodings/encodings', [hp.nAudioCtx, D]));
  add('encoder.conv1.weight', [3, hp.nMels, D], GGML_TYPE_F16, whole('encoder/conv1/weight', [D, hp.nMels, 3]));
  // The official writers reshape conv biases to [n, 1] (ggml ne [1, n]) because the graph adds them to [n_ctx, n].
  add('encoder.conv1.bias', [1, D], GGML_TYPE_F32, whole('encoder/conv1/bias', [D]));
  add('encoder.conv2.weight', [3, D, D], GGML_TYPE_F16, whole('encoder/conv2/weight', [D, D, 3]));
  add('encoder.conv2.bias', [1, D], GGML_TYPE_F32, whole('encoder/conv2/bias', [D]));
  vector('encoder.ln_post.weight', whole('encoder/layer_norm/gamma', [D]), D);
  vector('encoder.ln_post.bias', whole('encoder/layer_norm/beta', [D]), D);
  add('decoder.positional_embedding', [T, hp.nTextCtx], GGML_TYPE_F32, whole('decoder/position_encodings/encodings', [hp.nTextCtx, T]));
  matrix('decoder.token_embedding.weight', whole('decoder/embeddings/weight', [hp.nVocab, T]), hp.nVocab, T);
  vector('decoder.ln.weight', whole('decoder/layer_norm/gamma', [T]), T);
  vector('decoder.ln.bias', whole('decoder/layer_norm/beta', [T]), T);

  const blocks: BlockShape[] = [];
  for (let i = 0; i < hp.nAudioLayer; i++) blocks.push({ ggmlPrefix: `encoder.blocks.${i}.`, ct2Prefix: `encoder/layer_${i}/`, state: D, cross: false });
  for (let i = 0; i < hp.nTextLayer; i++) blocks.push({ ggmlPrefix: `decoder.blocks.${i}.`, ct2Prefix: `decoder/layer_${i}/`, state: T, cross: true });

  for (const { ggmlPrefix: g, ct2Prefix: c, state: n, cross } of blocks) {
    const ffn = 4 * n;
    vector(`${g}mlp_ln.weight`, whole(`${c}ffn/layer_norm/gamma`, [n]), n);
    vector(`${g}mlp_ln.bias`, whole(`${c}ffn/layer_norm/beta`, [n]), n);
    matrix(`${g}mlp.0.weight`, whole(`${c}ffn/linear_0/weight`, [ffn, n]), ffn, n);
    vector(`${g}mlp.0.bias`, whole(`${c}ffn/linear_0/bias`, [ffn]), ffn);
    matrix(`${g}mlp.2.weight`, whole(`${c}ffn/linear_1/weight`, [n, ffn]), n, ffn);
    vector(`${g}mlp.2.bias`, whole(`${c}ffn/linear_1/bias`, [n]), n);
    vector(`${g}attn_ln.weight`, whole(`${c}self_attention/layer_norm/gamma`, [n]), n);
    vector(`${g}attn_ln.bias`, whole(`${c}self_attention/layer_norm/beta`, [n]), n);
    // Self-attention q, k, v are fused row-wise into linear_0 ([3n, n]); the bias has zeros for k.
    const qkvWeight = `${c}self_attention/linear_0/weight`;
    const qkvBias = `${c}self_attention/linear_0/bias`;
    matrix(`${g}attn.query.weight`, slice(qkvWeight, [3 * n, n], 0, 3), n, n);
    vector(`${g}attn.query.bias`, slice(qkvBias, [3 * n], 0, 3), n);
    matrix(`${g}attn.key.weight`, slice(qkvWeight, [3 * n, n], 1, 3), n, n);
    zeroSlices.push({ source: slice(qkvBias, [3 * n], 1, 3), description: `key slice of ${qkvBias}` });
    matrix(`${g}attn.value.weight`, slice(qkvWeight, [3 * n, n], 2, 3), n, n);
    vector(`${g}attn.value.bias`, slice(qkvBias, [3 * n], 2, 3), n);
    matrix(`${g}attn.out.weight`, whole(`${c}self_attention/linear_1/weight`, [n, n]), n, n);
    vector(`${g}attn.out.bias`, whole(`${c}self_attention/linear_1/bias`, [n]), n);
    if (cross) {
      vector(`${g}cross_attn_ln.weight`, whole(`${c}attention/layer_norm/gamma`, [n]), n);
      vector(`${g}cross_attn_ln.bias`, whole(`${c}attention/layer_norm/beta`, [n]), n);
      matrix(`${g}cross_attn.query.weight`, whole(`${c}attention/linear_0/weight`, [n, n]), n, n);
      vector(`${g}cross_attn.query.bias`, whole(`${c}attention/linear_0/bias`, [n]), n);
      // Cross-attention k, v are fused into linear_1 ([2n, n]); the bias has zeros for k.
      const kvWeight = `${c}attention/linear_1/weight`;
      const kvBias = `${c}attention/linear_1/bias`;
      matrix(`${g}cross_attn.key.weight`, slice(kvWeight, [2 * n, n], 0, 2), n, n);
      zeroSlices.push({ source: slice(kvBias, [2 * n], 0, 2), description: `key slice of ${kvBias}` });
      matrix(`${g}cross_attn.value.weight`, slice(kvWeight, [2 * n, n], 1, 2), n, n);
      vector(`${g}cross_attn.value.bias`, slice(kvBias, [2 * n], 1, 2), n);
      matrix(`${g}cross_attn.out.weight`, whole(`${c}attention/linear_2/weight`, [n, n]), n, n);
      vector(`${g}cross_attn.out.bias`, whole(`${c}attention/linear_2/bias`, [n]), n);
    }
  }

  const names = order === 'loader' ? loaderOrder(hp) : checkpointOrder(hp);
  if (names.length !== byName.size || names.some((name) => !byName.has(name))) {
    throw new Error(`internal error: tensor order '${order}' does not cover the plan`);
  }
  return { tensors: names.map((name) => byName.get(name)!), sourceShapes, zeroSlices };
}

const pair = (name: string): string[] => [`${name}.weight`, `${name}.bias`];
const attention = (prefix: string): string[] => [
  ...pair(`${prefix}.query`), `${prefix}.key.weight`, ...pair(`${prefix}.value`), ...pair(`${prefix}.out`),
];

function loaderOrder(hp: WhisperHparams): string[] {
  const names = [
    'encoder.positional_embedding', ...pair('encoder.conv1'), ...pair('encoder.conv2'), ...pair('encoder.ln_post'),
  ];
  for (let i = 0; i < hp.nAudioLayer; i++) {
    const b = `encoder.blocks.${i}`;
    names.push(...pair(`${b}.mlp_ln`), ...pair(`${b}.mlp.0`), ...pair(`${b}.mlp.2`), ...pair(`${b}.attn_ln`), ...attention(`${b}.attn`));
  }
  names.push('decoder.positional_embedding', 'decoder.token_embedding.weight', ...pair('decoder.ln'));
  for (let i = 0; i < hp.nTextLayer; i++) {
    const b = `decoder.blocks.${i}`;
    names.push(
      ...pair(`${b}.mlp_ln`), ...pair(`${b}.mlp.0`), ...pair(`${b}.mlp.2`), ...pair(`${b}.attn_ln`), ...attention(`${b}.attn`),
      ...pair(`${b}.cross_attn_ln`), ...attention(`${b}.cross_attn`),
    );
  }
  return names;
}

/** state_dict order: a module's own parameters/buffers first, then its children in construction order. */
function checkpointOrder(hp: WhisperHparams): string[] {
  const names = ['encoder.positional_embedding', ...pair('encoder.conv1'), ...pair('encoder.conv2')];
  for (let i = 0; i < hp.nAudioLayer; i++) {
    const b = `encoder.blocks.${i}`;
    names.push(...attention(`${b}.attn`), ...pair(`${b}.attn_ln`), ...pair(`${b}.mlp.0`), ...pair(`${b}.mlp.2`), ...pair(`${b}.mlp_ln`));
  }
  names.push(...pair('encoder.ln_post'), 'decoder.positional_embedding', 'decoder.token_embedding.weight');
  for (let i = 0; i < hp.nTextLayer; i++) {
    const b = `decoder.blocks.${i}`;
    names.push(
      ...attention(`${b}.attn`), ...pair(`${b}.attn_ln`), ...attention(`${b}.cross_attn`), ...pair(`${b}.cross_attn_ln`),
      ...pair(`${b}.mlp.0`), ...pair(`${b}.mlp.2`), ...pair(`${b}.mlp_ln`),
    );
  }
  names.push(...pair('decoder.ln'));
  return names;
}
