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
