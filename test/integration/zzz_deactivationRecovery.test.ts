// Runs after zz_deactivate: the window closes (the extension is deactivated) while a phrase is still on its way to
// the editor. Its audio is saved, and at the next activation it is transcribed into the dictation history, so the
// words reach the person. Real VS Code, real microphone path, real model; activation as VS Code does it, with a
// context on the same global storage.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { wordErrorRate } from '../../src/core/text/wer';
import type { DictationApi } from '../../src/extension';
import { clip, dictateFromVirtualMicrophone, EXTENSION_ID, freshEditor, play, setSetting, fixtureModel, waitFor } from './support';

type ExtensionModule = { activate(context: unknown): DictationApi; deactivate(): void };

function activateAgain(extension: vscode.Extension<DictationApi>, globalStorage: string): DictationApi {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(join(extension.extensionPath, 'dist/extension.js')) as ExtensionModule;
  const state = new Map<string, unknown>();
  return module.activate({
    subscriptions: [],
    globalStorageUri: vscode.Uri.file(globalStorage),
    extensionPath: extension.extensionPath,
    asAbsolutePath: (p: string) => join(extension.extensionPath, p),
    secrets: { get: async () => undefined, store: async () => undefined, delete: async () => undefined, onDidChange: () => ({ dispose() {} }) },
    globalState: { get: (k: string, d?: unknown) => (state.has(k) ? state.get(k) : d), update: async (k: string, v: unknown) => void state.set(k, v), keys: () => [...state.keys()] },
  });
}

function deactivate(extension: vscode.Extension<DictationApi>): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require(join(extension.extensionPath, 'dist/extension.js')) as ExtensionModule).deactivate();
}

suite('Deactivation mid-dictation', function () {
  this.timeout(120_000);
  suiteSetup(dictateFromVirtualMicrophone);

  test('a phrase not yet transcribed when the extension is deactivated reaches the history at the next activation', async () => {
    const extension = vscode.extensions.getExtension<DictationApi>(EXTENSION_ID)!;
    const globalStorage = dirname((extension.isActive ? extension.exports : await extension.activate()).files.cacheRoot);
    const saved = join(globalStorage, 'unfinished-phrases');
    // A fresh activation of our own (zz_deactivate may have deactivated the one VS Code made).
    deactivate(extension);
    const first = activateAgain(extension, globalStorage);
    await setSetting('modelPath', fixtureModel());
    const editor = await freshEditor();
    await vscode.commands.executeCommand('offlineDictation.start');
    await waitFor(() => first.controller.recorderPid, 10_000, 'the recorder');
    await new Promise((r) => setTimeout(r, 300));
    const speech = clip('p13_librispeech_61-70968-0000');
    await play(speech.wav);
    // The speaker has just finished: the phrase has not reached the editor yet, and the window closes.
    assert.equal(editor.document.getText(), '', 'nothing delivered before the window closed');
    deactivate(extension);
    assert.ok(existsSync(saved) && readdirSync(saved).length > 0, 'the unfinished phrase was saved');
    const second = activateAgain(extension, globalStorage);
    const recovered = await second.recovered;
    assert.ok(wordErrorRate(speech.text, recovered.join(' ')).wer <= 0.25, `the words reached the history: ${JSON.stringify(recovered)}`);
    assert.deepEqual(second.history.list().slice(0, recovered.length).map((e) => e.text).reverse(), recovered, 'as history entries');
    assert.deepEqual(readdirSync(saved), [], 'and the saved audio is gone once transcribed');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
