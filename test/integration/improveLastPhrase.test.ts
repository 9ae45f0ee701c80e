// "Dictation: Improve Last Phrase" in the real extension host: a real clip dictated through the virtual microphone
// with tiny.en, then its last phrase transcribed again with the real base model in a worker of its own.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { normaliseForWer, wordErrorRate } from '../../src/core/text/wer';
import type { ImproveOutcome } from '../../src/vscode/improveLastPhrase';
import { api, clip, dictateFromVirtualMicrophone, fixtureModel, freshEditor, play, setSetting, waitFor } from './support';

/**
 * A public clip whose last phrase base writes the same way on every take and tiny.en never does. Measured through
 * the dictation path (the dictation segmenter, the worker, dictation's options) on 10 takes made different the way the
 * microphone makes them (offset, gain, noise): the clip is cut into the same two phrases each time; base wrote the last
 * one with exactly the words below all 10 times, tiny.en 10 times with other words ("with thousands", "retrovealities",
 * "rich trivialities", "the acub as"). No public clip has base right and tiny.en wrong on every take; this one has
 * base's words stable and closer to the reference (6-10 % WER over the clip against tiny.en's 10-19 %).
 * (p13, used before, has base write exactly tiny.en's words on about one take in five.)
 */
const CLIP = 'p15_librispeech_1272-141231-0002';
const BASE_LAST_PHRASE = 'the ache of his overstrained eyes even the soaring arena around him with the thousands of spectators retrievalities not worth thinking about';
const words = (text: string) => normaliseForWer(text);

suite('Improve Last Phrase', function () {
  this.timeout(240_000);

  suiteSetup(async function () {
    await dictateFromVirtualMicrophone.call(this);
    await setSetting('improveModelPath', fixtureModel('ggml-base.bin'));
    // These tests compare base's text with tiny.en's first pass: with the second pass on, tiny.en's beam-3 text of
    // p15's last phrase is already right ("were trivialities"), which base decoding greedily misses.
    await setSetting('refine', 'off');
  });

  suiteTeardown(async () => {
    await setSetting('improveModelPath', undefined);
    await setSetting('refine', undefined);
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
    const editor = await freshEditor('');
    const tinyText = await dictate(editor, CLIP);
    const tinyPhrase = dictation.controller.recentPhrases.last()!.info.text;
    assert.ok(tinyText.includes(tinyPhrase), `the kept phrase "${tinyPhrase}" is in the editor "${tinyText}"`);
    assert.ok((dictation.controller.audioBuffers.breakdown().find((u) => u.name === 'recent phrases')?.bytes ?? 0) > 0, 'the kept audio is counted in the buffer tracker');
    const workersBefore = await workers();
    const outcome = await vscode.commands.executeCommand<ImproveOutcome>('offlineDictation.improveLastPhrase');
    assert.equal(outcome.kind, 'replaced', outcome.message);
    const improved = editor.document.getText();
    console.log(`tiny.en: "${tinyText}"  base: "${improved}"  reference: "${speech.text}"`);
    assert.notEqual(improved, tinyText, 'the text changed');
    assert.equal(improved, tinyText.replace(tinyPhrase, (outcome as { text: string }).text), 'only the last phrase changed, to base\'s transcription');
    // base writes this phrase nearly the same on every take through the microphone (one take dropped a "the"), and
    // tiny.en never comes that close: the new words are base's, within one or two words.
    const newWer = wordErrorRate(BASE_LAST_PHRASE, (outcome as { text: string }).text).wer;
    const tinyWer = wordErrorRate(BASE_LAST_PHRASE, tinyPhrase).wer;
    assert.ok(newWer <= 0.1 && newWer < tinyWer, `the new phrase has base's words (${(100 * newWer).toFixed(0)} % off base's usual text, tiny.en's ${(100 * tinyWer).toFixed(0)} %): "${(outcome as { text: string }).text}"`);
    assert.notEqual(words(tinyPhrase), BASE_LAST_PHRASE, 'tiny.en\'s phrase had other words');
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
    assert.match(outcome.message, /edited .*left alone.*clipboard/, 'the person is told why and where the text went');
    assert.equal(editor.document.getText(), edited, 'the edited text is untouched');
    assert.equal(await vscode.env.clipboard.readText(), outcome.text, 'the improved text is on the clipboard');
    assert.equal(dictation.history.list()[0].text, outcome.text, 'and in the history');
  });
});
