// Model downloads against a local HTTP server (the real downloader, the real storage folder), and imports.
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { findModel } from '../../src/core/model/catalog';
import { api, fixtureModel, setSetting, waitFor } from './support';
import { isAlive } from '../support/processes';

suite('Model management', function () {
  this.timeout(60_000);
  let server: Server;
  let base = '';

  suiteSetup(async () => {
    server = createServer((request, response) => {
      if (request.url?.startsWith('/wrong/')) {
        response.writeHead(200, { 'content-length': '4096' });
        response.end(Buffer.alloc(4096, 7));
      } else {
        response.writeHead(404);
        response.end('not here');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  suiteTeardown(async () => {
    await setSetting('modelMirrorUrl', undefined);
    await new Promise((resolve) => server.close(resolve));
  });

  test('a download whose checksum does not match is refused and leaves no file', async () => {
    const dictation = await api();
    await setSetting('modelMirrorUrl', `${base}/wrong`);
    const result = await vscode.commands.executeCommand('offlineDictation.downloadModel', 'base.en');
    assert.equal(result, undefined);
    assert.match(dictation.modelCommands.lastError?.message ?? '', /bytes, expected|SHA-1|sha256|checksum/i);
    const target = dictation.store.pathFor(findModel('base.en')!);
    assert.equal(existsSync(target), false);
    assert.equal(existsSync(`${target}.partial`), false);
  });

  test('a missing file on the server (404) is reported and nothing is written', async () => {
    const dictation = await api();
    await setSetting('modelMirrorUrl', `${base}/missing`);
    await vscode.commands.executeCommand('offlineDictation.downloadModel', 'base.en');
    assert.match(dictation.modelCommands.lastError?.message ?? '', /404/);
    assert.equal(existsSync(dictation.store.pathFor(findModel('base.en')!)), false);
  });

  test('importing a file that is not a model is refused; a real model is imported, validated and used', async () => {
    const dictation = await api();
    const scratch = mkdtempSync(join(tmpdir(), 'import-'));
    try {
      const notAModel = join(scratch, 'notes.bin');
      writeFileSync(notAModel, 'definitely not a model');
      const before = existsSync(dictation.store.directory) ? readdirSync(dictation.store.directory) : [];
      assert.equal(await vscode.commands.executeCommand('offlineDictation.importModel', vscode.Uri.file(notAModel)), undefined);
      assert.deepEqual(existsSync(dictation.store.directory) ? readdirSync(dictation.store.directory) : [], before);
      const imported = await vscode.commands.executeCommand<string>('offlineDictation.importModel', vscode.Uri.file(fixtureModel()));
      assert.ok(imported && existsSync(imported));
      assert.equal(vscode.workspace.getConfiguration('offlineDictation').get('modelPath'), imported);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
      await setSetting('modelPath', fixtureModel());
    }
  });

  test('Delete Model deletes an imported model in use: the worker lets go of it, the space freed is reported, the model path is cleared', async () => {
    const dictation = await api();
    const scratch = mkdtempSync(join(tmpdir(), 'delete-'));
    try {
      const source = join(scratch, 'my-imported-model.bin');
      copyFileSync(fixtureModel(), source);
      const imported = await vscode.commands.executeCommand<string>('offlineDictation.importModel', vscode.Uri.file(source));
      assert.ok(imported && existsSync(imported));
      const listed = await dictation.store.files();
      assert.ok(listed.some((f) => f.path === imported && !f.catalog), 'the picker lists the imported model');
      await dictation.client.ensureModel(imported);
      const workerPid = dictation.client.pid!;
      assert.ok(isAlive(workerPid));
      const freed = await vscode.commands.executeCommand<number>('offlineDictation.deleteModel', imported);
      assert.equal(freed, statSync(fixtureModel()).size);
      assert.equal(existsSync(imported), false);
      assert.equal(vscode.workspace.getConfiguration('offlineDictation').get('modelPath'), '');
      await waitFor(() => !isAlive(workerPid), 5000, 'the worker holding the deleted model to end');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
      await setSetting('modelPath', fixtureModel());
    }
  });
});
