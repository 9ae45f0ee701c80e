// The extension activates in the real VS Code without starting anything heavy, and contributes what it says.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { api, EXTENSION_ID } from './support';

suite('Activation', () => {
  test('activates cheaply: no worker, no recorder, no model loaded', async () => {
    const dictation = await api();
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
    assert.equal(dictation.client.running, false, 'the Whisper worker starts lazily');
    assert.deepEqual(dictation.registry.stats().processes, []);
    assert.equal(dictation.controller.active, false);
  });

  test("sweeps the temp folder a crashed window left behind", async () => {
    await api();
    const leftover = process.env.DICTATION_CRASHED_SESSION;
    assert.ok(leftover, 'the test runner seeds a crashed session folder before VS Code starts');
    assert.equal(existsSync(leftover), false, `${leftover} is removed at activation`);
  });

  test('registers every command it contributes', async () => {
    await api();
    const contributed: { command: string }[] = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands;
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepEqual(missing, []);
  });

  test('opens the fixture workspace', () => {
    assert.equal(vscode.workspace.workspaceFolders?.[0]?.name, 'workspace');
  });
});
