// Localisation in the real VS Code: the manifest's %key% placeholders are resolved through package.nls.json (what the
// command palette, the Settings UI and the walkthrough show), and the runtime texts come out of vscode.l10n.t with
// their values filled in. (The unit test test/unit/l10n.test.ts checks that nothing bypasses l10n.t.)
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, EXTENSION_ID, repoRoot } from './support';

suite('Localisation', () => {
  test('VS Code resolves every manifest placeholder: command titles, settings, walkthrough', async () => {
    await api();
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
    const nls: Record<string, string> = JSON.parse(readFileSync(join(repoRoot, 'package.nls.json'), 'utf8'));
    const raw = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    assert.equal(raw.contributes.commands[0].title, '%command.start.title%', 'the file on disk holds the placeholder');
    const unresolved: string[] = [];
    JSON.stringify(manifest, (key, value) => {
      if (typeof value === 'string' && /^%[\w.-]+%$/.test(value)) unresolved.push(`${key}: ${value}`);
      return value;
    });
    assert.deepEqual(unresolved, [], 'no raw %key% reaches the palette or the Settings UI');
    const titles = manifest.contributes.commands.map((c: { category: string; title: string }) => `${c.category}: ${c.title}`);
    assert.ok(titles.includes('Dictation: Start Dictation'), titles.join(', '));
    assert.ok(titles.includes('Dictation: Transcribe Audio File…'), titles.join(', '));
    assert.equal(manifest.displayName, nls['extension.displayName']);
    const sections = manifest.contributes.configuration.map((s: { title: string }) => s.title);
    assert.ok(sections.includes('Microphone'), sections.join(', '));
    assert.equal(manifest.contributes.walkthroughs[0].steps[2].title, nls['walkthrough.gettingStarted.tryDictation.title']);
  });

  test('runtime texts come from vscode.l10n.t with their values', async () => {
    const dictation = await api();
    assert.equal(vscode.l10n.t('Dictation: {0}', 'the recorder stopped'), 'Dictation: the recorder stopped');
    if (!dictation.controller.active) {
      assert.equal(dictation.statusBar.text, '$(mic) Dictate');
      assert.match(dictation.statusBar.tooltip, /^Start dictation \(Ctrl\+Alt\+D\)\n/);
      assert.match(dictation.statusBar.tooltip, /\nModel: \S+/);
      assert.match(dictation.statusBar.tooltip, /\nMicrophone: .+/);
    }
  });
});
