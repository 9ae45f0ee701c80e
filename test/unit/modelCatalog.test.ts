import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MODEL, MODEL_CATALOG, defaultMemoryLimitMB, findModel, isVerifiable, modelUrl } from '../../src/core/model/catalog';

test('every model offered in the settings is in the catalog, and every download is verifiable', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));
  const setting = pkg.contributes.configuration.flatMap((g: { properties: Record<string, { enum?: string[]; default?: string }> }) => Object.entries(g.properties))
    .find(([key]: [string]) => key === 'offlineDictation.model')[1];
  assert.deepEqual([...setting.enum].sort(), MODEL_CATALOG.map((m) => m.name).sort());
  assert.equal(setting.default, DEFAULT_MODEL);
  // The model picker marks the default model, and only it.
  assert.deepEqual(MODEL_CATALOG.filter((m) => /\(default\)/.test(m.description)).map((m) => m.name), [DEFAULT_MODEL]);
  for (const entry of MODEL_CATALOG) assert.ok(isVerifiable(entry), `${entry.name} has a checksum`);
});

test('English-only models are recognised and URLs honour a mirror', () => {
  assert.equal(findModel('tiny.en')?.englishOnly, true);
  assert.equal(findModel('tiny.en-q8_0')?.englishOnly, true);
  assert.equal(findModel('large-v3-turbo')?.englishOnly, false);
  assert.equal(modelUrl(findModel('base.en')!), 'https://huggingface.co/ggerganov/whisper.cpp/resolve/main/ggml-base.en.bin');
  assert.equal(modelUrl(findModel('base.en')!, 'http://127.0.0.1:8080/models/'), 'http://127.0.0.1:8080/models/ggml-base.en.bin');
});

test('memory limits grow with the model and leave a margin above its RAM need', () => {
  const tiny = findModel('tiny.en')!;
  const large = findModel('large-v3')!;
  assert.ok(defaultMemoryLimitMB(tiny) > tiny.ramMB);
  assert.ok(defaultMemoryLimitMB(large) > defaultMemoryLimitMB(tiny));
});

test('the quantized models carry the sha256 and size Hugging Face publishes for ggerganov/whisper.cpp', () => {
  // The Git LFS object ids of the repository's files (its API listing at revision 5359861c, found in public copies).
  const published: Record<string, [number, string]> = {
    'tiny-q5_1': [32_152_673, '818710568da3ca15689e31a743197b520007872ff9576237bda97bd1b469c3d7'],
    'tiny-q8_0': [43_537_433, 'c2085835d3f50733e2ff6e4b41ae8a2b8d8110461e18821b09a15c40c42d1cca'],
    'tiny.en-q5_1': [32_166_155, 'c77c5766f1cef09b6b7d47f21b546cbddd4157886b3b5d6d4f709e91e66c7c2b'],
    'tiny.en-q8_0': [43_550_795, '5bc2b3860aa151a4c6e7bb095e1fcce7cf12c7b020ca08dcec0c6d018bb7dd94'],
    'base-q5_1': [59_707_625, '422f1ae452ade6f30a004d7e5c6a43195e4433bc370bf23fac9cc591f01a8898'],
    'base-q8_0': [81_768_585, 'c577b9a86e7e048a0b7eada054f4dd79a56bbfa911fbdacf900ac5b567cbb7d9'],
    'base.en-q5_1': [59_721_011, '4baf70dd0d7c4247ba2b81fafd9c01005ac77c2f9ef064e00dcf195d0e2fdd2f'],
    'base.en-q8_0': [81_781_811, 'a4d4a0768075e13cfd7e19df3ae2dbc4a68d37d36a7dad45e8410c9a34f8c87e'],
    'tiny.en': [77_704_715, '921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f'],
  };
  const withSha256 = MODEL_CATALOG.filter((m) => m.sha256);
  assert.deepEqual(withSha256.map((m) => m.name).sort(), Object.keys(published).sort());
  for (const entry of withSha256) assert.deepEqual([entry.exactBytes, entry.sha256], published[entry.name], entry.name);
});
