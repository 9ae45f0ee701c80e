// Localisation cannot be bypassed: every text the UI code shows goes through vscode.l10n.t and is in the English
// bundle, and every manifest string a person reads is a %key% with its text in package.nls.json. The checks are
// scripts/l10n-export.mjs and scripts/l10n-manifest.mjs (also run by `npm run lint`); each is shown failing on a probe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../..');
type Export = {
  bypasses(files?: string[]): string[];
  uiFiles(): string[];
  messagesInCode(files?: string[]): { messages: string[]; problems: string[] };
  BUNDLE: string;
};
type Manifest = { manifestProblems(pkg?: object, nls?: object): string[]; PACKAGE_JSON: string; PACKAGE_NLS: string };
const exporter = () => import(join(root, 'scripts/l10n-export.mjs')) as Promise<Export>;
const manifest = () => import(join(root, 'scripts/l10n-manifest.mjs')) as Promise<Manifest>;

/** A throwaway UI source file inside the repository (so `vscode`'s types resolve), removed afterwards. */
async function withProbe<T>(source: string, run: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(root, 'test/unit/l10n-probe-'));
  const file = join(dir, 'probe.ts');
  writeFileSync(file, source);
  try {
    return await run(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('no text reaches the person without vscode.l10n.t (src/vscode and src/extension.ts)', async () => {
  const { bypasses, uiFiles } = await exporter();
  assert.ok(uiFiles().length >= 20, 'the UI code is found');
  assert.deepEqual(bypasses(), []);
});

test('the bypass check finds plain texts in every kind of place the person reads them', async () => {
  const { bypasses, uiFiles } = await exporter();
  const probe = `import * as vscode from 'vscode';
const item = vscode.window.createStatusBarItem();
item.text = '$(mic) Plain status';
item.tooltip = \`Plain tooltip \${1}\`;
void vscode.window.showInformationMessage(vscode.l10n.t('Wrapped {0}', 1), 'Plain Button');
const message = 'Plain constant';
void vscode.window.showErrorMessage(message);
void vscode.window.showQuickPick([{ label: 'Plain item', detail: vscode.l10n.t('Wrapped detail') }], { title: 'Plain title', placeHolder: vscode.l10n.t('Wrapped') });
void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: true ? 'Plain progress' : '' }, async () => undefined);
throw new Error('Plain error');
`;
  const found = await withProbe(probe, (file) => Promise.resolve(bypasses([...uiFiles(), file])));
  const probed = found.filter((line) => line.includes('l10n-probe-'));
  for (const text of ['Plain status', 'Plain tooltip', 'Plain Button', 'Plain constant', 'Plain item', 'Plain title', 'Plain progress', 'Plain error']) {
    assert.ok(probed.some((line) => line.includes(text)), `"${text}" is reported:\n${probed.join('\n')}`);
  }
  assert.ok(!probed.some((line) => line.includes('Wrapped')), 'texts inside l10n.t are not reported');
  assert.equal(probed.length, 8);
});

test('the English bundle holds exactly the l10n.t texts of the code, each with its {n} values', async () => {
  const { messagesInCode, BUNDLE } = await exporter();
  const bundle: Record<string, string> = JSON.parse(readFileSync(BUNDLE, 'utf8'));
  const { messages, problems } = messagesInCode();
  assert.deepEqual(problems, []);
  assert.ok(messages.length >= 100, `${messages.length} messages`);
  assert.deepEqual(messages.filter((m) => bundle[m] !== m), [], 'every message is in l10n/bundle.l10n.json (node scripts/l10n-export.mjs)');
  assert.deepEqual(Object.keys(bundle).filter((k) => !messages.includes(k)), [], 'no stale entries');
  assert.equal(readFileSync(BUNDLE, 'utf8'), (await import(join(root, 'scripts/l10n-export.mjs'))).bundleText(), 'bundle written by the script');
  // A new message, a computed one and a missing value are caught.
  await withProbe(`import * as vscode from 'vscode';\nconst name = 'x';\nvscode.l10n.t('Probe message {0}', name);\nvscode.l10n.t(\`Computed \${name}\`);\nvscode.l10n.t('Needs {0} and {1}', name);\n`, async (file) => {
    const probed = messagesInCode([file]);
    assert.deepEqual(probed.messages.filter((m) => !(m in bundle)), ['Probe message {0}', 'Needs {0} and {1}']);
    assert.equal(probed.problems.length, 2, probed.problems.join('\n'));
  });
});

test('every manifest string a person reads is a %key% with English text in package.nls.json', async () => {
  const { manifestProblems, PACKAGE_JSON, PACKAGE_NLS } = await manifest();
  assert.deepEqual(manifestProblems(), []);
  const pkg = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8'));
  const nls: Record<string, string> = JSON.parse(readFileSync(PACKAGE_NLS, 'utf8'));
  // What VS Code shows after resolving the placeholders.
  const resolve = (value: string) => nls[/^%(.+)%$/.exec(value)?.[1] ?? ''] ?? value;
  const start = pkg.contributes.commands.find((c: { command: string }) => c.command === 'offlineDictation.start');
  assert.equal(`${resolve(start.category)}: ${resolve(start.title)}`, 'Dictation: Start Dictation');
  const device = pkg.contributes.configuration.find((s: { properties: object }) => 'offlineDictation.recorder.device' in s.properties);
  assert.equal(resolve(device.title), 'Microphone');
  assert.match(resolve(device.properties['offlineDictation.recorder.device'].markdownDescription), /Recording device/);

  // A plain title, a placeholder without text and an unused text are each reported.
  const plain = structuredClone(pkg);
  plain.contributes.commands[0].title = 'Start Dictation';
  plain.contributes.configuration[0].properties['offlineDictation.model'].markdownDescription = '%config.nowhere%';
  const problems = manifestProblems(plain, nls);
  assert.ok(problems.some((p) => p.includes('contributes.commands.0.title is plain text')), problems.join('\n'));
  assert.ok(problems.some((p) => p.includes('%config.nowhere% has no text')), problems.join('\n'));
  assert.ok(problems.some((p) => p.includes('"command.start.title" is not used')), problems.join('\n'));
  // New settings, commands and walkthrough steps are covered without a list to update.
  const added = structuredClone(pkg);
  added.contributes.configuration[0].properties['offlineDictation.newSetting'] = { type: 'string', description: 'New', enum: ['a'], enumDescriptions: ['A'] };
  assert.equal(manifestProblems(added, nls).length, 2);
});
