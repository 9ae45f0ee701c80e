// Capture modes in the real extension host, with the real recorder (sox) on the virtual microphone and the real
// model: recording into a private temp WAV ("file") and a tiny in-memory bound that forces every phrase into spill
// files ("streaming") must both deliver every word, and leave no file behind.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { wordErrorRate } from '../../src/core/text/wer';
import type { DictationSessionStats } from '../../src/vscode/dictationController';
import { api, clip, dictateFromVirtualMicrophone, freshEditor, play, setSetting, waitFor } from './support';

/** Watches the running dictation: the highest counters seen and whether (and how big) its capture file was. */
function watchSession(stats: () => DictationSessionStats | undefined) {
  const seen = { spillFilePhrases: 0, capturedPhrases: 0, phrasesReadFromDisk: 0, captureFile: undefined as string | undefined, maxFileBytes: 0, fileMode: 0 };
  const timer = setInterval(() => {
    const s = stats();
    if (!s) return;
    seen.spillFilePhrases = Math.max(seen.spillFilePhrases, s.spillFilePhrases);
    seen.capturedPhrases = Math.max(seen.capturedPhrases, s.capturedPhrases);
    seen.phrasesReadFromDisk = Math.max(seen.phrasesReadFromDisk, s.phrasesReadFromDisk);
    if (!s.captureFile) return;
    try {
      const info = statSync(s.captureFile);
      seen.captureFile = s.captureFile;
      seen.maxFileBytes = Math.max(seen.maxFileBytes, info.size);
      seen.fileMode = info.mode & 0o777;
    } catch {
      // deleted between the stats and the stat: the dictation has just ended
    }
  }, 100);
  return { seen, stop: () => clearInterval(timer) };
}

suite('Capture modes through the virtual microphone', function () {
  this.timeout(180_000);

  suiteSetup(dictateFromVirtualMicrophone);

  teardown(async () => {
    await setSetting('capture.mode', undefined);
    await setSetting('capture.maxBufferedSeconds', undefined);
    const dictation = await api();
    if (dictation.controller.active) await dictation.controller.cancel();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('file capture: the recording goes to a private WAV in the session temp folder, every word arrives, the WAV is gone after stop', async () => {
    const dictation = await api();
    await setSetting('capture.mode', 'file');
    const editor = await freshEditor();
    await vscode.commands.executeCommand('offlineDictation.start');
    const stats = dictation.controller.sessionStats;
    assert.equal(stats?.captureMode, 'file');
    const wav = stats!.captureFile!;
    assert.equal(dirname(wav), dictation.registry.sessionTempDir(), 'the WAV is in the session temp folder');
    await waitFor(() => existsSync(wav), 2000, 'the WAV to exist once recording has started');
    const watch = watchSession(() => dictation.controller.sessionStats);
    const speech = clip('p01_jfk_inaugural_1961');
    try {
      await play(speech.wav);
      await vscode.commands.executeCommand('offlineDictation.stop');
    } finally {
      watch.stop();
    }
    const text = editor.document.getText();
    const score = wordErrorRate(speech.text, text);
    console.log(`file capture: "${text}" WER ${(score.wer * 100).toFixed(1)} %, ${watch.seen.capturedPhrases} phrase(s) from the file, peak ${watch.seen.maxFileBytes} bytes`);
    assert.ok(score.wer <= 0.15, `every word arrived: ${JSON.stringify(text)} (WER ${score.wer})`);
    assert.equal(watch.seen.captureFile, wav, 'the WAV existed while recording');
    assert.equal(watch.seen.fileMode, 0o600, 'and was private');
    // 11 s of speech at 16 kHz × 2 bytes: the file held the recording, not just a header.
    assert.ok(watch.seen.maxFileBytes >= 44 + 10 * 32000, `the WAV grew with the recording (${watch.seen.maxFileBytes} bytes)`);
    assert.ok(watch.seen.capturedPhrases >= 2, `phrases waited as ranges of the file (${watch.seen.capturedPhrases})`);
    assert.ok(watch.seen.phrasesReadFromDisk >= 2, `and were read back from it (${watch.seen.phrasesReadFromDisk})`);
    assert.equal(existsSync(wav), false, 'the WAV is deleted when the dictation ends');
    assert.deepEqual(readdirSync(dictation.registry.sessionTempDir()).filter((f) => f.endsWith('.wav')), []);
  });

  test('a tiny in-memory bound spills the phrases to disk and still transcribes all of them', async () => {
    const dictation = await api();
    await setSetting('capture.mode', 'streaming');
    await setSetting('capture.maxBufferedSeconds', 1);
    const editor = await freshEditor();
    await vscode.commands.executeCommand('offlineDictation.start');
    assert.equal(dictation.controller.sessionStats?.captureMode, 'streaming');
    assert.equal(dictation.controller.sessionStats?.captureFile, undefined, 'no capture file while streaming');
    const watch = watchSession(() => dictation.controller.sessionStats);
    const speech = clip('p01_jfk_inaugural_1961');
    try {
      await play(speech.wav);
      await vscode.commands.executeCommand('offlineDictation.stop');
    } finally {
      watch.stop();
    }
    const text = editor.document.getText();
    const score = wordErrorRate(speech.text, text);
    console.log(`1-s bound: "${text}" WER ${(score.wer * 100).toFixed(1)} %, ${watch.seen.spillFilePhrases} phrase(s) spilled`);
    // Every phrase of the clip is longer than 1 s, so none fits in memory.
    assert.ok(watch.seen.spillFilePhrases >= 2, `phrases went to spill files (${watch.seen.spillFilePhrases})`);
    assert.ok(watch.seen.phrasesReadFromDisk >= 2, `and were read back (${watch.seen.phrasesReadFromDisk})`);
    assert.ok(score.wer <= 0.15, `no word lost: ${JSON.stringify(text)} (WER ${score.wer})`);
    await waitFor(() => readdirSync(dictation.registry.sessionTempDir()).every((f) => !f.endsWith('.f32')), 5000, 'spill files to be deleted');
    // Only the last phrases kept for "Improve Last Phrase" outlive the dictation, on purpose (bounded, counted).
    const outliving = dictation.controller.audioBuffers.breakdown().filter((u) => u.name !== 'recent phrases' && u.bytes > 0);
    assert.deepEqual(outliving, [], 'no other audio buffer outlives the dictation');
  });
});
