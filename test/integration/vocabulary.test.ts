// The vocabulary prompt in the real VS Code: the collector reads the identifiers around the cursor, the symbols the
// language's provider reports (the built-in Markdown one), the workspace's names and the person's word list; and a
// word from the list reaches Whisper when dictating through the virtual microphone (real speech, real model).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, dictateFromVirtualMicrophone, freshEditor, play, repoRoot, setSetting, waitFor } from './support';

const workspaceDir = join(repoRoot, 'test/fixtures/workspace');
const wordsFile = join(workspaceDir, '.vscode/dictation-words.txt');

suite('Vocabulary from the code', function () {
  this.timeout(120_000);

  // The code's words are opt-in (they cost each phrase time on a small machine): this suite turns them on.
  suiteSetup(async () => {
    await setSetting('vocabulary.fromCode', true);
  });
  suiteTeardown(async () => {
    await setSetting('vocabulary.fromCode', undefined);
  });

  teardown(async () => {
    await setSetting('vocabulary.words', undefined);
    rmSync(join(workspaceDir, '.vscode'), { recursive: true, force: true });
    const dictation = await api();
    if (dictation.controller.active) await dictation.controller.cancel();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the prompt holds identifiers near the cursor, open editors\' symbols, workspace names and the person\'s words', async () => {
    const dictation = await api();
    await dictation.vocabulary.ready;
    mkdirSync(join(workspaceDir, '.vscode'), { recursive: true });
    writeFileSync(wordsFile, '# project words\nKubernetes\n');
    await setSetting('vocabulary.words', ['Dashwood']);
    // The heading is far from the cursor (past the 3,000 characters read around it): only the symbols bring it.
    const filler = 'the '.repeat(1000);
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: `# Configuring the PhraseSegmenter\n\n${filler}\n\nCall fetchUserProfile here` });
    const editor = await vscode.window.showTextDocument(document);
    const end = document.positionAt(document.getText().length);
    editor.selection = new vscode.Selection(end, end);
    let last: string[] = [];
    const terms = await waitFor(async () => {
      last = (await dictation.vocabulary.refresh()).terms;
      return last.includes('PhraseSegmenter') && last.includes('Kubernetes') && last;
    }, 60_000, 'the Markdown symbols and the word file in the vocabulary').catch((error) => {
      throw new Error(`${error.message}; terms: ${last.join(', ')}`);
    });
    console.log(`vocabulary: ${dictation.vocabulary.current()}`);
    for (const term of ['Dashwood', 'Kubernetes', 'fetchUserProfile', 'PhraseSegmenter', 'workspace']) assert.ok(terms.includes(term), `${term} in ${terms.join(', ')}`);
    assert.equal(terms[0], 'Dashwood', 'the setting\'s words rank first');
    // Most important last: nearest the audio in the prompt.
    assert.match(dictation.vocabulary.current() ?? '', /Kubernetes, Dashwood\.$/);
  });

  test('a word from the vocabulary reaches Whisper while dictating', async function () {
    await dictateFromVirtualMicrophone.call(this);
    const source = '/usr/share/asterisk/sounds/en/basic-pbx-ivr-main.wav';
    assert.ok(existsSync(source), 'asterisk-core-sounds-en-wav is missing (scripts/setup.sh installs it)');
    const dir = mkdtempSync(join(tmpdir(), 'vocabulary-'));
    try {
      // Real speech: "Thank you for calling Super Awesome Company, Waldo's premier provider of perfect products."
      const wav = join(dir, 'waldos.wav');
      execFileSync('sox', ['-q', source, '-r', '16000', '-c', '1', '-b', '16', wav, 'trim', '0', '6']);
      const dictation = await api();
      const dictate = async () => {
        const editor = await freshEditor('');
        await vscode.commands.executeCommand('offlineDictation.start');
        await play(wav);
        await vscode.commands.executeCommand('offlineDictation.stop');
        return editor.document.getText();
      };
      await setSetting('vocabulary.words', ["Waldo's"]);
      await waitFor(async () => (await dictation.vocabulary.refresh()).terms.includes("Waldo's"), 5000, 'the word in the vocabulary');
      const withWord = await dictate();
      await setSetting('vocabulary.words', undefined);
      await setSetting('vocabulary.fromCode', false);
      await waitFor(async () => !(await dictation.vocabulary.refresh()).prompt, 5000, 'an empty vocabulary');
      const without = await dictate();
      console.log(`without: ${JSON.stringify(without)}\nwith: ${JSON.stringify(withWord)}`);
      assert.match(withWord, /Waldo's/);
      assert.doesNotMatch(without, /Waldo's/);
    } finally {
      await setSetting('vocabulary.fromCode', true);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
