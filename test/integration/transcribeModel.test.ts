// The real models, loaded through the extension's own code path (settings → model locator → worker client →
// worker process → whisper.cpp), transcribe real speech: tiny.en in f16 (the model the other suites use), and the
// model the `offlineDictation.model` setting ships with (npm run model:fixture makes it).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { wordErrorRate } from '../../src/core/text/wer';
import { api, clip, fixtureModel, setSetting } from './support';

suite('Transcription with the real model in the extension host', function () {
  this.timeout(120_000);

  suiteSetup(async () => {
    await setSetting('modelPath', fixtureModel('ggml-tiny.en.bin'));
  });

  test('transcribes the JFK clip (WER ≤ 5 %) in a worker process that is not the extension host', async () => {
    const dictation = await api();
    const jfk = clip('p01_jfk_inaugural_1961');
    const text = await dictation.files.transcribe(jfk.wav);
    const score = wordErrorRate(jfk.text, text);
    console.log(`JFK: "${text}" — WER ${(score.wer * 100).toFixed(1)} %`);
    assert.ok(score.wer <= 0.05, `WER ${score.wer} for "${text}"`);
    assert.match(text, /ask not what your country can do for you/i);
    const pid = dictation.client.pid;
    assert.ok(pid && pid !== process.pid, 'whisper.cpp ran in its own process');
  });

  test('the default model (the model setting\'s default) transcribes the JFK clip (WER ≤ 5 %)', async () => {
    const defaultModel = vscode.workspace.getConfiguration('offlineDictation').inspect<string>('model')?.defaultValue;
    assert.ok(defaultModel, 'offlineDictation.model has a default');
    const dictation = await api();
    const modelPath = fixtureModel(`ggml-${defaultModel}.bin`);
    await setSetting('modelPath', modelPath);
    try {
      const jfk = clip('p01_jfk_inaugural_1961');
      const text = await dictation.files.transcribe(jfk.wav);
      const score = wordErrorRate(jfk.text, text);
      console.log(`JFK with the default model ${defaultModel}: "${text}" — WER ${(score.wer * 100).toFixed(1)} %`);
      assert.ok(score.wer <= 0.05, `WER ${score.wer} for "${text}"`);
      assert.match(text, /ask not what your country can do for you/i);
      assert.equal((await dictation.client.stats())?.modelPath, modelPath, 'the worker ran the default model');
    } finally {
      await setSetting('modelPath', fixtureModel('ggml-tiny.en.bin'));
    }
  });
});
