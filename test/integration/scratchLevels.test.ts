// "scratch that" said again takes back one more phrase each time, in the real editor, through the real inserter:
// each phrase its own edit, removed only while it is still there unchanged.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, freshEditor } from './support';

suite('Scratch that, several levels', () => {
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('each "scratch that" removes one more phrase, newest first, and never text the person typed', async () => {
    const dictation = await api();
    const editor = await freshEditor('Typed by hand.');
    for (const text of ['First phrase.', 'Second phrase.', 'Third phrase.']) await dictation.inserter.insert([{ kind: 'text', text }]);
    assert.match(editor.document.getText(), /^Typed by hand\. First phrase\. Second phrase\. Third phrase\.$/);
    assert.equal(await dictation.inserter.removeLast(), true);
    assert.equal(editor.document.getText().trimEnd(), 'Typed by hand. First phrase. Second phrase.');
    assert.equal(await dictation.inserter.removeLast(), true);
    assert.equal(editor.document.getText().trimEnd(), 'Typed by hand. First phrase.');
    assert.equal(await dictation.inserter.removeLast(), true);
    assert.equal(editor.document.getText().trimEnd(), 'Typed by hand.');
    assert.equal(await dictation.inserter.removeLast(), false, 'nothing more to take back');
    assert.equal(editor.document.getText().trimEnd(), 'Typed by hand.');
  });
});
