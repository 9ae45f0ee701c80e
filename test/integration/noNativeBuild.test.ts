// A copy of the extension without a whisper.cpp build for this platform (a .vsix of another platform): activation
// succeeds, every command and the status bar are there, the person is told what is missing and where to get it, and
// starting dictation says the same instead of throwing. test/host/run-integration.mjs runs this suite in a second
// VS Code whose development extension is such a copy (no native/, no node_modules); in the normal run it is skipped.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, dictateFromVirtualMicrophone, EXTENSION_ID, freshEditor, setSetting } from './support';

export const NO_NATIVE_BUILD_SUITE = 'Without a native build for this platform';

suite(NO_NATIVE_BUILD_SUITE, () => {
  suiteSetup(function () {
    if (!process.env.DICTATION_TEST_NO_ADDON) this.skip();
  });

  test('the extension under test really has no addon build', () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    assert.equal(existsSync(join(extension.extensionPath, 'native')), false);
    assert.equal(existsSync(join(extension.extensionPath, 'node_modules/smart-whisper')), false);
  });

  test('activates: every command registered, the status bar shown, and the missing build named with where to get it', async () => {
    const dictation = await api();
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
    const contributed: { command: string }[] = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands;
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.map((c) => c.command).filter((id) => !registered.has(id)), []);
    assert.ok(dictation.statusBar.text.length > 0, 'the status bar item has its text');
    const target = `${process.platform}-${process.arch}`;
    assert.ok(dictation.addonMissing, 'the person was told');
    assert.match(dictation.addonMissing, new RegExp(`build for this platform, ${target}\\.`));
    assert.match(dictation.addonMissing, /Marketplace/);
    assert.match(dictation.addonMissing, /npm run build:addon/);
  });

  test('starting dictation gives the same actionable error, leaves nothing running, and the commands still work', async function () {
    await dictateFromVirtualMicrophone.call(this);
    const dictation = await api();
    await freshEditor();
    await vscode.commands.executeCommand('offlineDictation.start');
    assert.equal(dictation.controller.active, false, 'dictation did not stay on');
    const error = dictation.controller.lastError as (Error & { code?: string }) | undefined;
    assert.ok(error, 'the start failed with an error the person sees');
    assert.equal(error.code, 'ADDON_MISSING');
    assert.equal(error.message, dictation.addonMissing);
    assert.deepEqual(dictation.registry.stats().processes, [], 'no recorder or worker left behind');
    // Another command still runs in this window.
    await vscode.commands.executeCommand('offlineDictation.showLogs');
    await setSetting('modelPath', '');
  });
});
