// The multilingual Whisper base model made offline from its CTranslate2 wheels (npm run model:fixture -- base):
// the hparams the converter reads from the model itself, and the converted file transcribing real speech through
// the extension's worker, with the full window and with a fitted one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { wordErrorRate } from '../../src/core/text/wer';
import { readGgmlLayout } from '../../src/node/model/ggml/ggmlFormat';
import { baseFixtureModelPath, verifyBaseFixtureModel } from '../../src/node/model/baseFixture';
import { readWavAs16kMono } from '../../src/node/audio/wavFile';
import { addonCandidates } from '../../src/node/whisper/addonVariant';
import { WhisperClient } from '../../src/node/whisper/client';

const root = resolve(__dirname, '../..');
const evalDir = resolve(root, '../shared/eval/public');
const workerScript = join(root, 'dist/whisperWorker.js');
const modelPath = baseFixtureModelPath();
const missing = !existsSync(modelPath) ? `the base model is missing at ${modelPath} (npm run model:fixture -- base)` : !existsSync(workerScript) ? 'dist/ is missing (node esbuild.mjs)' : false;

// In CI a missing model is a failure, not a skip.
describe('the base model converted from its CTranslate2 wheels', { skip: !process.env.CI && missing }, () => {
  let client: WhisperClient;

  before(async () => {
    client = new WhisperClient({ workerScript, host: 'process', addonCandidates: addonCandidates(root), idleUnloadMs: 0 });
    await client.ensureModel(modelPath);
  });
  after(async () => {
    await client?.shutdown();
  });

  it('verifies, and has base hparams read from the model (multilingual vocabulary, 512 wide, 8 heads, 6 layers)', async () => {
    assert.equal((await verifyBaseFixtureModel(modelPath)).ok, true);
    const { hparams } = await readGgmlLayout(modelPath);
    assert.deepEqual(
      { ...hparams },
      { nVocab: 51865, nAudioCtx: 1500, nAudioState: 512, nAudioHead: 8, nAudioLayer: 6, nTextCtx: 448, nTextState: 512, nTextHead: 8, nTextLayer: 6, nMels: 80, ftype: 1 },
    );
  });

  it('transcribes the JFK clip correctly, with the full window and with a fitted one', async () => {
    const jfk = await readWavAs16kMono(join(evalDir, 'p01_jfk_inaugural_1961.wav'));
    const reference = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
    for (const audioContext of [0, 'fit'] as const) {
      const result = await client.transcribe(jfk, { language: 'en', threads: 2, beamSize: 1, audioContext, timestamps: false });
      assert.ok(wordErrorRate(reference, result.text).wer <= 0.05, `${audioContext}: ${result.text}`);
    }
  });
});
