// Where the words go, in the real VS Code with the real recorder listening to the virtual microphone and the real
// model: speech played with paplay must land in the terminal (typed, never run), the Source Control commit box of
// a real git repository, a notebook cell, or the clipboard; and the history must survive a reload.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { TranscriptHistory } from '../../src/core/history/transcriptHistory';
import { wordErrorRate } from '../../src/core/text/wer';
import { HistoryStore } from '../../src/node/history/historyStore';
import type { GitApi, GitRepository } from '../../src/vscode/targets/scmTarget';
import { api, clip, dictateFromVirtualMicrophone, freshEditor, play, waitFor } from './support';

/** Dictates one public clip: start (with a keybinding's argument, if any), play it, stop. */
async function dictate(clipName: string, startArg?: unknown): Promise<string> {
  const speech = clip(clipName);
  await vscode.commands.executeCommand('offlineDictation.start', ...(startArg ? [startArg] : []));
  await play(speech.wav);
  await vscode.commands.executeCommand('offlineDictation.stop');
  return speech.text;
}

function assertWords(reference: string, got: string, what: string): void {
  const score = wordErrorRate(reference, got);
  console.log(`${what}: ${JSON.stringify(got)} WER ${(score.wer * 100).toFixed(1)} %`);
  assert.ok(score.wer <= 0.25, `${what} holds the spoken words: ${JSON.stringify(got)} vs ${JSON.stringify(reference)} (WER ${score.wer})`);
}

suite('Dictation targets', function () {
  this.timeout(180_000);
  const terminals: vscode.Terminal[] = [];

  suiteSetup(dictateFromVirtualMicrophone);

  teardown(async () => {
    const dictation = await api();
    if (dictation.controller.active) await dictation.controller.cancel();
    for (const terminal of terminals.splice(0)) terminal.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('into the terminal that has focus: typed, never executed, and not into the editor open beside it', async () => {
    const dictation = await api();
    const folder = mkdtempSync(join(tmpdir(), 'dictation-terminal-'));
    const editor = await freshEditor('Untouched. ');
    // The terminal's program writes what it reads to out.txt, and `finished` only once its input has ended.
    const terminal = vscode.window.createTerminal({ name: 'dictation-cat', cwd: folder, shellPath: '/bin/sh', shellArgs: ['-c', 'cat > out.txt && touch finished'] });
    terminals.push(terminal);
    terminal.show(false);
    await waitFor(() => Promise.resolve(terminal.processId), 20_000, 'the terminal process');
    // Focus went from the editor to the new terminal: dictation follows it (no target argument).
    await waitFor(() => dictation.inserter.decide().kind === 'terminal', 5000, 'the terminal to be the target');
    // 8.7 s of continuous speech: long enough for live previews, which must not appear in the editor beside it.
    const previews: string[] = [];
    const listener = dictation.controller.onDidShowPreview((p) => previews.push(p.text));
    let reference: string;
    try {
      reference = await dictate('p14_librispeech_1995-1837-0001');
    } finally {
      listener.dispose();
    }
    assert.equal(editor.document.getText(), 'Untouched. ', 'nothing went into the editor');
    assert.deepEqual(previews, [], 'no ghost text in the editor while the words go to the terminal');
    assert.ok(!existsSync(join(folder, 'finished')), 'the input has not ended: nothing pressed Enter and Ctrl-D');
    // End the input: the first Ctrl-D hands cat the typed line, the second is end of file.
    terminal.sendText('\u0004', false);
    await new Promise((r) => setTimeout(r, 300));
    terminal.sendText('\u0004', false);
    await waitFor(() => existsSync(join(folder, 'finished')), 15_000, 'cat to finish');
    const typed = readFileSync(join(folder, 'out.txt'), 'utf8');
    assert.doesNotMatch(typed, /[\r\n]/, 'no line ending was ever sent: the words were typed, not executed');
    assertWords(reference, typed, 'terminal');
    const entry = dictation.history.list()[0];
    assert.equal(entry.kind, 'terminal');
    assert.equal(entry.target, 'terminal:dictation-cat');
  });

  test('into the commit message box of a real git repository (the keybinding in the SCM input passes the target)', async () => {
    const dictation = await api();
    const folder = mkdtempSync(join(tmpdir(), 'dictation-repo-'));
    execFileSync('git', ['init', '-q', folder]);
    writeFileSync(join(folder, 'README.md'), 'fixture\n');
    const git = vscode.workspace.getConfiguration('git');
    const wasEnabled = git.get<boolean>('enabled');
    // The test host turns git off (test/host/code-test-host.js); this test needs the real git extension, and a
    // repository outside the workspace folder is only opened with openRepositoryInParentFolders 'always'.
    await git.update('enabled', true, vscode.ConfigurationTarget.Global);
    await git.update('openRepositoryInParentFolders', 'always', vscode.ConfigurationTarget.Global);
    try {
      const extension = vscode.extensions.getExtension<{ enabled: boolean; getAPI(v: 1): GitApi & { openRepository(root: vscode.Uri): Promise<GitRepository | null> } }>('vscode.git');
      assert.ok(extension, 'the built-in git extension is present');
      const exports = extension.isActive ? extension.exports : await extension.activate();
      await waitFor(() => exports.enabled, 30_000, 'the git extension to be enabled');
      const gitApi = exports.getAPI(1);
      const repository = await gitApi.openRepository(vscode.Uri.file(folder));
      assert.ok(repository, 'git opened the fixture repository');
      repository.inputBox.value = '';
      // Git also opens the enclosing checkout of this test run: the file being edited decides which repository.
      await vscode.window.showTextDocument(vscode.Uri.file(join(folder, 'README.md')));
      const reference = await dictate('p07_pocketsphinx_goforward', { target: 'scm' });
      assertWords(reference, repository.inputBox.value, 'commit message');
      assert.equal(dictation.history.list()[0].kind, 'scm');
      // "scratch that" removes the phrase from the box again.
      assert.equal(await dictation.inserter.removeLast(), true);
      assert.equal(repository.inputBox.value, '');
    } finally {
      await git.update('openRepositoryInParentFolders', undefined, vscode.ConfigurationTarget.Global);
      await git.update('enabled', wasEnabled === false ? false : undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('into the selected cell of the notebook that has focus', async () => {
    const dictation = await api();
    const data = new vscode.NotebookData([
      new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, '# Notes', 'markdown'),
      new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, 'Said: ', 'markdown'),
    ]);
    const notebook = await vscode.workspace.openNotebookDocument('jupyter-notebook', data);
    const editor = await vscode.window.showNotebookDocument(notebook);
    editor.selection = new vscode.NotebookRange(1, 2);
    await waitFor(() => dictation.inserter.decide().kind === 'notebook', 5000, 'the notebook to be the target');
    const reference = await dictate('p16_cmu_arctic_awb_a0007');
    assert.equal(notebook.cellAt(0).document.getText(), '# Notes', 'the other cell is untouched');
    const cell = notebook.cellAt(1).document.getText();
    assert.ok(cell.startsWith('Said: '), cell);
    assertWords(reference, cell.slice('Said: '.length), 'notebook cell');
    assert.equal(dictation.history.list()[0].kind, 'notebook');
  });

  test('with nowhere to type, the clipboard gets the words and the previous clipboard can be restored', async () => {
    const dictation = await api();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.env.clipboard.writeText('my own clipboard');
    const reference = await dictate('p07_pocketsphinx_goforward');
    assert.equal(dictation.history.list()[0].delivery, 'clipboard');
    assertWords(reference, await vscode.env.clipboard.readText(), 'clipboard');
    await vscode.commands.executeCommand('offlineDictation.restoreClipboard');
    assert.equal(await vscode.env.clipboard.readText(), 'my own clipboard');
    assertWords(reference, dictation.history.list()[0].text, 'history');
  });

  test('the history survives a reload: a new history reading the same private file has the phrases', async () => {
    const dictation = await api();
    await freshEditor('');
    const reference = await dictate('p07_pocketsphinx_goforward');
    assertWords(reference, dictation.history.list()[0].text, 'history');
    await dictation.historyStore.flush();
    const path = dictation.historyStore.path;
    assert.equal(statSync(path).mode & 0o777, 0o600, 'the history file is private');
    const reloaded = new TranscriptHistory(100);
    const store = new HistoryStore(reloaded, path);
    await store.load();
    const describe = (e: { at: number; kind?: string; text: string }) => `${e.at} ${e.kind} ${e.text}`;
    const live = dictation.history.list().map(describe);
    assert.ok(live.length >= 1, 'the phrases dictated above are in the history');
    assert.deepEqual(reloaded.list().map(describe).slice(0, live.length), live, 'every phrase, where it went, newest first');
    await store.dispose();
    // Clear History empties it on disk too.
    await vscode.commands.executeCommand('offlineDictation.clearHistory');
    await dictation.historyStore.flush();
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')).entries, []);
  });
});
