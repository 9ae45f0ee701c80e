// Runs last: deactivation leaves nothing behind — no worker, no recorder, no temp folder.
import * as assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, EXTENSION_ID, fixtureModel, setSetting, waitFor } from './support';

suite('Deactivation', function () {
  this.timeout(60_000);

  test('kills the worker and the recorder and removes the temp folder', async function () {
    if (!process.env.PULSE_SERVER) this.skip();
    const dictation = await api();
    await setSetting('modelPath', fixtureModel());
    await setSetting('recorder.program', 'sox');
    const document = await vscode.workspace.openTextDocument({ content: '' });
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('offlineDictation.start');
    const processes = dictation.registry.stats().processes;
    const pids = processes.map((p) => p.pid!).filter(Boolean);
    assert.deepEqual(processes.map((p) => p.label).sort(), ['recorder', 'whisper-worker']);
    const tempDir = dictation.registry.sessionTempDir();
    writeFileSync(join(tempDir, 'capture.wav'), Buffer.alloc(1024));

    // What VS Code calls when the extension is disabled or the window reloads.
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(join(extension.extensionPath, 'dist/extension.js')) as { deactivate(): void };
    module.deactivate();

    for (const pid of pids) await waitFor(() => !existsSync(`/proc/${pid}`) || /State:\s+Z/.test(require('node:fs').readFileSync(`/proc/${pid}/status`, 'utf8')), 5000, `process ${pid} to end`);
    assert.equal(existsSync(tempDir), false, 'the session temp folder is gone');
  });
});
