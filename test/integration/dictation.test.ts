// Dictation in the real extension host with the real recorder (sox) listening to the virtual microphone and the
// real model: speech played with paplay must end up as text in the editor, phrase by phrase.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { wordErrorRate } from '../../src/core/text/wer';
import { encodePcm16Wav } from '../../src/core/audio/wav';
import { api, clip, dictateFromVirtualMicrophone, evalDir, fixtureModel, freshEditor, play, setSetting, waitFor } from './support';
import { colouredNoise, desktopSounds, keyboardClicks, roomNoise } from '../support/nonSpeech';
import { concat } from '../support/signals';
import { isAlive } from '../support/processes';

suite('Dictation through the virtual microphone', function () {
  this.timeout(180_000);

  suiteSetup(dictateFromVirtualMicrophone);

  teardown(async () => {
    const dictation = await api();
    if (dictation.controller.active) await dictation.controller.cancel();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('spoken words appear at the cursor, and stopping leaves no recorder process', async () => {
    const dictation = await api();
    const editor = await freshEditor('Notes: ');
    await vscode.commands.executeCommand('offlineDictation.start');
    const recorders = dictation.registry.stats().processes.filter((p) => p.label === 'recorder');
    assert.equal(recorders.length, 1, 'the recorder is registered');
    const recorderPid = recorders[0].pid!;
    assert.ok(isAlive(recorderPid));
    const speech = clip('p01_jfk_inaugural_1961');
    await play(speech.wav);
    await vscode.commands.executeCommand('offlineDictation.stop');
    const text = editor.document.getText();
    const dictated = text.slice('Notes: '.length);
    const score = wordErrorRate(speech.text, dictated);
    console.log(`dictated: "${dictated}" WER ${(score.wer * 100).toFixed(1)} %`);
    assert.ok(score.wer <= 0.15, `WER ${score.wer}`);
    assert.ok(text.startsWith('Notes: '), 'text is inserted after what was there');
    // Gone, and the registry knows it: it hears Node's 'exit' a moment after the process dies (a zombie counts as dead).
    await waitFor(() => !isAlive(recorderPid) && dictation.registry.stats().processes.every((p) => p.label !== 'recorder'), 5000, 'the recorder to exit and leave the registry');
    assert.ok(dictation.history.list().length >= 1, 'phrases are in the history');
  });

  test('with no editor open the text goes to the clipboard and the history', async () => {
    const dictation = await api();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.env.clipboard.writeText('');
    const before = dictation.history.list().length;
    await vscode.commands.executeCommand('offlineDictation.start');
    await play(clip('p07_pocketsphinx_goforward').wav);
    await vscode.commands.executeCommand('offlineDictation.stop');
    const clipboard = await vscode.env.clipboard.readText();
    assert.match(clipboard, /go forward/i);
    const entry = dictation.history.list()[0];
    assert.ok(dictation.history.list().length > before);
    assert.equal(entry.delivery, 'clipboard');
  });

  test('silence produces no text, and a microphone delivering only zeros is reported within ~2 s', async () => {
    const dictation = await api();
    const editor = await freshEditor('');
    await vscode.commands.executeCommand('offlineDictation.start');
    await new Promise((r) => setTimeout(r, 3000));
    // The virtual microphone's idle stream is digital zeros: exactly what a muted or permission-less microphone gives.
    assert.match(dictation.controller.lastWarning ?? '', /only silence/);
    await vscode.commands.executeCommand('offlineDictation.stop');
    assert.equal(editor.document.getText(), '');
  });

  test('room noise, steady noise, typing and desktop alerts make no text (the microphone is live: not the zeros warning)', async () => {
    const dictation = await api();
    const editor = await freshEditor('');
    const historyBefore = dictation.history.list().length;
    const scratch = mkdtempSync(join(tmpdir(), 'nonspeech-'));
    try {
      // 26 s of what a room sounds like between words: real rooms' noise from the public clips, a fan-like pink noise
      // that starts suddenly, then someone typing; then the desktop's alerts that Whisper heard as "you" or
      // "Thank you." (bench/results/nonspeech.md), each followed by a second of room.
      const alerts = desktopSounds().filter((s) => /(suspend-error|phone-outgoing-calling|phone-incoming-call|complete|message-new-instant)$/.test(s.name));
      assert.equal(alerts.length, 5, 'the desktop sounds are installed (sound-theme-freedesktop)');
      const wav = join(scratch, 'room.wav');
      const room = roomNoise(evalDir, 10);
      writeFileSync(wav, encodePcm16Wav(concat(room, colouredNoise('pink', 8, -28, 3), keyboardClicks(8, -12, 5), ...alerts.flatMap((a) => [a.samples, room.subarray(0, 16000)])), 16000));
      await vscode.commands.executeCommand('offlineDictation.start');
      await play(wav);
      await new Promise((r) => setTimeout(r, 1500));
      assert.doesNotMatch(dictation.controller.lastWarning ?? '', /only silence/, 'the microphone delivered sound, not zeros');
      await vscode.commands.executeCommand('offlineDictation.stop');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    assert.equal(editor.document.getText(), '', 'no word inserted');
    assert.equal(dictation.history.list().length, historyBefore, 'nothing went to the history either');
  });

  test('by default (auto) a live preview follows a long phrase and the final text replaces it, one undo step per phrase', async () => {
    const dictation = await api();
    assert.equal(vscode.workspace.getConfiguration('offlineDictation').get('livePreview'), 'auto');
    const editor = await freshEditor('');
    const previews: { text: string; shownAt: number }[] = [];
    const afterPhrase: string[] = [];
    let firstDeliveredAt = Infinity;
    const listeners = [
      dictation.controller.onDidShowPreview((p) => previews.push({ text: p.text, shownAt: p.shownAt })),
      dictation.controller.onDidDeliverPhrase((p) => {
        firstDeliveredAt = Math.min(firstDeliveredAt, p.deliveredAt);
        afterPhrase.push(editor.document.getText());
      }),
    ];
    try {
      await vscode.commands.executeCommand('offlineDictation.start');
      // 8.7 s of continuous read speech: one long phrase.
      await play(clip('p14_librispeech_1995-1837-0001').wav);
      await vscode.commands.executeCommand('offlineDictation.stop');
    } finally {
      for (const listener of listeners) listener.dispose();
    }
    const finalText = editor.document.getText();
    assert.ok(afterPhrase.length >= 1 && finalText.length > 40, `dictated: ${finalText}`);
    assert.ok(previews.length >= 3, `previews kept coming while the phrase was spoken: ${previews.map((p) => p.text).join(' | ')}`);
    assert.equal(dictation.controller.preview.current, '', 'the preview is gone once the final text is in');
    // The last preview before the first phrase's text: the phrase as spoken so far, a word or two short at most.
    const lastPreview = previews.filter((p) => p.shownAt < firstDeliveredAt).at(-1)!.text;
    const firstPhrase = afterPhrase[0];
    assert.ok(wordErrorRate(firstPhrase, lastPreview).wer < 0.5, `last preview "${lastPreview}" vs final "${firstPhrase}"`);
    // Previews are decorations, never edits: one undo removes exactly the last phrase.
    await vscode.commands.executeCommand('undo');
    assert.equal(editor.document.getText(), afterPhrase.length >= 2 ? afterPhrase[afterPhrase.length - 2] : '');
  });

  test('over an artificially low memory limit, dictation goes on in the critical tier without losing a word', async () => {
    const dictation = await api();
    await setSetting('memoryLimitMB', 64);
    try {
      const editor = await freshEditor('');
      await vscode.commands.executeCommand('offlineDictation.start');
      const speech = clip('p01_jfk_inaugural_1961');
      const tiers = new Set<string>();
      let spilled = 0;
      const poll = setInterval(() => {
        if (dictation.indicator.lastDecision) tiers.add(dictation.indicator.lastDecision.tier);
        spilled = Math.max(spilled, dictation.controller.sessionStats?.spilledPhrases ?? 0);
      }, 100);
      await play(speech.wav);
      await new Promise((r) => setTimeout(r, 1500));
      await vscode.commands.executeCommand('offlineDictation.stop');
      clearInterval(poll);
      assert.ok(tiers.has('critical'), `reached the critical tier (saw ${[...tiers].join(', ')})`);
      assert.ok(spilled >= 1, 'phrases waited on disk instead of in memory');
      const score = wordErrorRate(speech.text, editor.document.getText());
      assert.ok(score.wer <= 0.15, `every word arrived: ${JSON.stringify(editor.document.getText())} (WER ${score.wer})`);
      const leftovers = readdirSync(dictation.registry.sessionTempDir()).filter((f) => f.endsWith('.f32'));
      assert.deepEqual(leftovers, [], 'spill files are deleted once transcribed');
    } finally {
      await setSetting('memoryLimitMB', undefined);
    }
  });

  test('a recorder killed mid-phrase is restarted: the words spoken after the kill arrive and dictation goes on', async () => {
    const dictation = await api();
    const editor = await freshEditor('');
    await vscode.commands.executeCommand('offlineDictation.start');
    const recorderPid = dictation.registry.stats().processes.find((p) => p.label === 'recorder')!.pid!;
    const speech = play(clip('p01_jfk_inaugural_1961').wav);
    // ~7 s in: "And so my fellow Americans" is done, "…what your country can do for you" is being spoken.
    await new Promise((r) => setTimeout(r, 7000));
    process.kill(recorderPid, 'SIGKILL');
    const restarted = await waitFor(() => {
      const pid = dictation.controller.recorderPid;
      return pid && pid !== recorderPid ? pid : undefined;
    }, 5000, 'a new recorder');
    assert.equal(dictation.registry.stats().processes.filter((p) => p.label === 'recorder').length, 1, 'the new recorder is registered, the dead one is not');
    assert.equal(dictation.statusBar.flashing, 'Microphone recorder restarted', 'the person is told, in the status bar');
    assert.match(dictation.statusBar.text, /Microphone recorder restarted/);
    await speech;
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(dictation.controller.active, 'dictation went on');
    assert.equal(dictation.controller.sessionStats?.recorderRestarts, 1);
    await vscode.commands.executeCommand('offlineDictation.stop');
    const text = editor.document.getText();
    assert.match(text, /fellow Americans/i, 'phrases finished before the crash are there');
    assert.match(text, /what you can do for your country/i, `what was said after the crash was recorded: ${JSON.stringify(text)}`);
    assert.equal(dictation.controller.lastError, undefined, 'no error was shown');
    assert.ok(!isAlive(recorderPid), 'the killed recorder is gone');
    await waitFor(() => !isAlive(restarted) && dictation.registry.stats().processes.every((p) => p.label !== 'recorder'), 5000, 'the restarted recorder to exit on stop and leave the registry');
  });
});

suite('Dictation failure paths', function () {
  this.timeout(60_000);

  teardown(async () => {
    await setSetting('recorder.path', '');
    const dictation = await api();
    if (dictation.controller.active) await dictation.controller.cancel();
  });

  test('a missing recorder is reported with an install hint and nothing keeps running', async () => {
    const dictation = await api();
    await setSetting('modelPath', fixtureModel());
    await setSetting('recorder.path', '/nonexistent/bin/sox');
    await vscode.commands.executeCommand('offlineDictation.start');
    assert.equal(dictation.controller.active, false);
    assert.match(dictation.controller.lastError?.message ?? '', /not an executable file.*(apt|brew|winget)/s);
    assert.equal(dictation.registry.stats().processes.filter((p) => p.label === 'recorder').length, 0);
  });
});
