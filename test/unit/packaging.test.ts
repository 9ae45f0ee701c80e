// The .vsix holds exactly what the extension needs at run time: the allowlist in .vscodeignore, checked with the
// same file listing vsce uses to package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../..');

test('vsce packages only the allowlisted files, including both whisper.cpp addon builds', () => {
  execFileSync(process.execPath, [join(root, 'scripts/build-addon.mjs')], { cwd: root, stdio: 'ignore' });
  const listing = execFileSync(process.execPath, [join(root, 'node_modules/@vscode/vsce/vsce'), 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
  const files = listing.split('\n').map((l) => l.trim()).filter(Boolean).sort();
  const target = `${process.platform}-${process.arch}`;
  const expected = [
    'CHANGELOG.md', 'LICENSE', 'README.md', 'THIRD_PARTY_NOTICES.md', 'package.json', 'package.nls.json', 'l10n/bundle.l10n.json', 'media/icon.png', 'media/screenshot-dictation.png',
    'dist/extension.js', 'dist/whisperWorker.js',
    `native/${target}/baseline/smart-whisper.node`,
    ...(process.arch === 'x64' ? [`native/${target}/avx2/smart-whisper.node`] : []),
  ].sort();
  const walkthrough = files.filter((f) => f.startsWith('media/walkthrough/'));
  assert.deepEqual(files.filter((f) => !f.startsWith('media/walkthrough/')), expected);
  for (const f of walkthrough) assert.match(f, /\.md$|\.png$|\.svg$/);
});
