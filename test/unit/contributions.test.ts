// Checks on package.json contributions that VS Code itself would not report until a user hits the problem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));
const settings: Record<string, { scope?: string }> = Object.assign({}, ...pkg.contributes.configuration.map((g: { properties: object }) => g.properties));

test('no setting is the parent of another (VS Code would merge them into one object)', () => {
  const keys = Object.keys(settings);
  const clashes = keys.filter((a) => keys.some((b) => b.startsWith(`${a}.`)));
  assert.deepEqual(clashes, []);
});

test('settings that name executables or model files are machine-scoped and restricted in untrusted workspaces', () => {
  const sensitive = ['offlineDictation.modelPath', 'offlineDictation.recorder.path', 'offlineDictation.recorder.program', 'offlineDictation.recorder.device', 'offlineDictation.modelMirrorUrl'];
  for (const key of sensitive) assert.equal(settings[key]?.scope, 'machine', key);
  const restricted: string[] = pkg.capabilities.untrustedWorkspaces.restrictedConfigurations;
  for (const key of ['offlineDictation.modelPath', 'offlineDictation.recorder.path']) assert.ok(restricted.includes(key), key);
});

test('activation is on use only, and the engine matches the VS Code the tests run', () => {
  assert.ok(!pkg.activationEvents.includes('*'));
  assert.equal(pkg.engines.vscode, '^1.100.0');
  assert.deepEqual(pkg.extensionKind, ['ui', 'workspace']);
});
