// "Dictation: Improve Last Phrase" in the real extension host: a real clip dictated through the virtual microphone
// with tiny.en, then its last phrase transcribed again with the real base model in a worker of its own.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { wordErrorRate } from '../../src/core/text/wer';
import type { ImproveOutcome } from '../../src/vscode/improveLastPhrase';
import { api, clip, dictateFromVirtualMicrophone, fixtureModel, freshEditor, play, setSetting, waitFor } from './support';

/** A one-phrase public clip that tiny.en and base write differently (whisper-cli: base drops a wrong comma). */
const CLIP = 'p13_librispeech_61-70968-0000';

suite('Improve Last Phrase', function () {
  this.timeout(240_000);

  suiteSetup(async function () {
    await dictateFromVirtualMicrophone.call(this);
    await setSetting('improveModelPath', fixtureModel('ggml-base.bin'));
  });

  suiteTeardown(async () => {
    await setSetting('improveModelPath', undefined);
  });

  teardown(async () => {
    const dictation = await api();
    if (dictation.controller.active) await dictation.controller.cancel();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  async function dictate(editor: vscode.TextEditor, name: string): Promise<string> {
    const dictation = await api();
    const before = dictation.controller.recentPhrases.length;
    await vscode.commands.executeCommand('offlineDictation.start');
    await play(clip(name).wav);
    await vscode.commands.executeCommand('offlineDictation.stop');
    assert.ok(dictation.controller.recentPhrases.length > before || before === 5, 'the phrase is kept for improving');
    return editor.document.getText();
  }

  const workers = async () => (await api()).registry.stats().processes.filter((p) => p.label === 'whisper-worker').length;

  test('replaces the last phrase with base\'s text as one undo step, in a worker that is gone afterwards', async () => {
    const dictation = await api();
    const speech = clip(CLIP);
    let editor!: vscode.TextEditor;
    let tinyText = '';
    let tinyPhrase = '';
    let workersBefore = 0;
    let outcome!: ImproveOutcome;
    // The microphone path makes each take's audio a little different; on about one take in five base writes exactly
    // tiny.en's words (with its comma), which leaves nothing to replace. Then the clip is dictated again (3 takes).
    for (let take = 1; take <= 3; take++) {
      editor = await freshEditor('');
      tinyText = await dictate(editor, CLIP);
      tinyPhrase = dictation.controller.recentPhrases.last()!.info.text;
      assert.ok(tinyText.includes(tinyPhrase), `the kept phrase "${tinyPhrase}" is in the editor "${tinyText}"`);
      assert.ok((dictation.controller.audioBuffers.breakdown().find((u) => u.name === 'recent phrases')?.bytes ?? 0) > 0, 'the kept audio is counted in the buffer tracker');
      workersBefore = await workers();
      outcome = await vscode.commands.executeCommand<ImproveOutcome>('offlineDictation.improveLastPhrase');
      if (outcome.kind !== 'same') break;
      console.log(`take ${take}: ${outcome.message}`);
    }
    assert.equal(outcome.kind, 'replaced', outcome.message);
    const improved = editor.document.getText();
    console.log(`tiny.en: "${tinyText}"  base: "${improved}"  reference: "${speech.text}"`);
    assert.notEqual(improved, tinyText, 'the text changed');
    assert.equal(improved, tinyText.replace(tinyPhrase, (outcome as { text: string }).text), 'only the last phrase changed, to base\'s transcription');
    assert.ok(wordErrorRate(speech.text, improved).wer <= wordErrorRate(speech.text, tinyText).wer, 'base matches the reference at least as well');
    await waitFor(async () => (await workers()) === workersBefore, 10_000, 'the improving worker to exit');

    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('undo');
    assert.equal(editor.document.getText(), tinyText, 'one undo brings back tiny.en\'s text');
  });

  test('a phrase edited since it was dictated is left alone; the improved text goes to the clipboard', async () => {
    const dictation = await api();
    const editor = await freshEditor('');
    const tinyText = await dictate(editor, CLIP);
    const tinyPhrase = dictation.controller.recentPhrases.last()!.info.text;
    // The person changes one character in the middle of the phrase.
    const at = editor.document.positionAt(tinyText.indexOf(tinyPhrase) + Math.floor(tinyPhrase.length / 2));
    assert.ok(await editor.edit((b) => b.insert(at, 'X')));
    const edited = editor.document.getText();
    await vscode.env.clipboard.writeText('');

    const outcome = await vscode.commands.executeCommand<ImproveOutcome>('offlineDictation.improveLastPhrase');
    assert.equal(outcome.kind, 'edited', outcome.message);
    assert.equal(editor.document.getText(), edited, 'the edited text is untouched');
    assert.equal(await vscode.env.clipboard.readText(), outcome.text, 'the improved text is on the clipboard');
    assert.equal(dictation.history.list()[0].text, outcome.text, 'and in the history');
  });
});
