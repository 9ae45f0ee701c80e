// Languages in the real VS Code, through the virtual microphone and the real multilingual base model: language
// 'auto' detects French from the first phrase and keeps it, the status-bar tooltip says so; translation writes
// English; Dictation: Select Language sets the language, and an English-only model says it cannot follow it.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { clipByName } from '../../scripts/eval/multilingualSet';
import { api, dictateFromVirtualMicrophone, fixtureModel, freshEditor, play, setSetting, waitFor } from './support';

const pause = () => new Promise((r) => setTimeout(r, 1500));

suite('Languages and translation in the real VS Code', function () {
  this.timeout(240_000);

  suiteSetup(async function () {
    await dictateFromVirtualMicrophone.call(this);
    await setSetting('modelPath', fixtureModel('ggml-base.bin'));
  });

  teardown(async () => {
    const dictation = await api();
    if (dictation.controller.active) await dictation.controller.cancel();
    await setSetting('language', undefined);
    await setSetting('translate', undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  suiteTeardown(async () => {
    await setSetting('modelPath', fixtureModel());
  });

  test("language 'auto' detects French from the first phrase, keeps it, and shows it in the status-bar tooltip", async () => {
    const dictation = await api();
    await setSetting('language', 'auto');
    const editor = await freshEditor('');
    await vscode.commands.executeCommand('offlineDictation.start');
    assert.match(dictation.statusBar.tooltip, /Language: detected from the first phrase/);
    await play(clipByName('fr', 'vm-nobox').wav);
    await pause();
    await play(clipByName('fr', 'priv-recordintro').wav);
    await vscode.commands.executeCommand('offlineDictation.stop');
    const text = editor.document.getText();
    console.log(`dictated: "${text}"`);
    assert.equal(dictation.controller.detectedLanguage, 'fr');
    assert.match(dictation.statusBar.tooltip, /Language: French \(fr\), detected/);
    assert.match(text, /message/i);
    assert.match(text, /(boîte vocale|veuillez dire votre nom)/i);
  });

  test("a file in French with language 'auto' is transcribed in French; with the translate option, in English", async () => {
    const dictation = await api();
    await setSetting('language', 'auto');
    const french = clipByName('fr', 'vm-nobox');
    const text = (await dictation.files.transcribeFile({ path: french.wav })).text;
    assert.match(text, /ne pouvez répondre à ce message/i);
    const english = (await dictation.files.transcribeFile({ path: french.wav, translate: true })).text;
    assert.match(english, /\bmessage\b/i);
    assert.match(english, /\b(answer|reply|respond)\b/i);
    assert.doesNotMatch(english, /ne pouvez/i);
  });

  test('with translate on, Spanish speech is written in English', async () => {
    const dictation = await api();
    await setSetting('language', 'auto');
    await setSetting('translate', true);
    const editor = await freshEditor('');
    await vscode.commands.executeCommand('offlineDictation.start');
    await play(clipByName('es', 'conf-lockednow').wav);
    await vscode.commands.executeCommand('offlineDictation.stop');
    const text = editor.document.getText();
    console.log(`translated: "${text}"`);
    // Through the live microphone base hears the first noun differently from take to take ("conference", "cover");
    // the sentence's English frame is stable, and untranslated it would read "la conferencia ha sido bloqueada".
    // (The key words themselves are checked on the file path in test/unit/multilingualModel.test.ts.) The second pass
    // (beam 3, offlineDictation.refine) may write the frame in the past tense: "The conference was blocked."
    assert.match(text, /\b(has been|was) (blocked|locked)\b/i);
    assert.doesNotMatch(text, /\b(ha sido|bloquead|conferencia)/i);
    assert.equal(dictation.controller.detectedLanguage, 'es');
    assert.match(dictation.statusBar.tooltip, /Spanish \(es\), detected, translated to English/);
  });

  test('Select Language sets the language; an English-only model says it understands English only and offers a multilingual one', async () => {
    const dictation = await api();
    await setSetting('modelPath', fixtureModel());
    try {
      dictation.models.lastLanguageWarning = undefined;
      const chosen = await vscode.commands.executeCommand('offlineDictation.selectLanguage', 'es');
      assert.equal(chosen, 'es');
      assert.equal(vscode.workspace.getConfiguration('offlineDictation').get('language'), 'es');
      assert.match(dictation.models.lastLanguageWarning ?? '', /understands English only.*Spanish \(es\).*multilingual model such as "base"/);
      // Dictation still runs, in English, and says what it transcribes.
      await vscode.commands.executeCommand('offlineDictation.start');
      await waitFor(() => dictation.controller.active, 10_000, 'dictation to start');
      assert.match(dictation.statusBar.tooltip, /Language: English \(en\), English-only model/);
      await vscode.commands.executeCommand('offlineDictation.stop');
    } finally {
      await setSetting('modelPath', fixtureModel('ggml-base.bin'));
    }
  });
});
