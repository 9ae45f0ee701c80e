// Spoken punctuation through the real microphone path: real speech (the public clips, and Debian's
// asterisk-core-sounds-en-wav for the command words, CC BY-SA 3.0) played into the virtual microphone, recorded by
// sox, transcribed by the real model, parsed and inserted by the extension.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, clip, dictateFromVirtualMicrophone, freshEditor, play } from './support';

const ASTERISK = '/usr/share/asterisk/sounds/en';

/** Joins clips with a 250-ms pause (shorter than the pause that ends a phrase): one phrase, as a person says it. */
function phrase(dir: string, name: string, parts: string[]): string {
  const pieces = parts.map((part, i) => {
    const piece = join(dir, `${name}-${i}.wav`);
    execFileSync('sox', ['-q', part, '-r', '16000', '-c', '1', '-b', '16', piece, 'pad', '0', i === parts.length - 1 ? '0' : '0.25']);
    return piece;
  });
  const out = join(dir, `${name}.wav`);
  execFileSync('sox', ['-q', ...pieces, out]);
  return out;
}

suite('Spoken punctuation through the virtual microphone', function () {
  this.timeout(120_000);
  let dir: string;

  suiteSetup(async function (this: Mocha.Context) {
    await dictateFromVirtualMicrophone.call(this);
    // scripts/setup.sh installs the package; a missing one is a setup failure, not a reason to pass.
    assert.ok(existsSync(join(ASTERISK, 'letters/ascii63.wav')), `${ASTERISK} is missing: apt install asterisk-core-sounds-en-wav`);
    dir = mkdtempSync(join(tmpdir(), 'spoken-'));
  });

  suiteTeardown(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  teardown(async () => {
    const dictation = await api();
    if (dictation.controller.active) await dictation.controller.cancel();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('"question mark" said at the end of a phrase ends it with "?", not with the words', async () => {
    const editor = await freshEditor('Notes: ');
    await vscode.commands.executeCommand('offlineDictation.start');
    await play(phrase(dir, 'goforward-question', [clip('p07_pocketsphinx_goforward').wav, join(ASTERISK, 'letters/ascii63.wav')]));
    await vscode.commands.executeCommand('offlineDictation.stop');
    const text = editor.document.getText();
    console.log(`dictated: ${JSON.stringify(text)}`);
    assert.match(text, /^Notes: Go forward (10|ten) meters\?\s*$/i);
  });

  test('"question mark" said as a phrase of its own after typed words', async () => {
    const editor = await freshEditor('Is it ready');
    await vscode.commands.executeCommand('offlineDictation.start');
    await play(phrase(dir, 'question', [join(ASTERISK, 'letters/ascii63.wav')]));
    await vscode.commands.executeCommand('offlineDictation.stop');
    assert.equal(editor.document.getText(), 'Is it ready?');
  });
});
