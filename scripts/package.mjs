#!/usr/bin/env node
// `npm run package [-- --target <platform-arch>] [--out-dir DIR] [--pre-release]`: a platform-specific .vsix (VS Code
// installs the one that matches the machine) holding the bundled JS and the whisper.cpp addon builds of that target
// only. Targets: linux-x64, linux-arm64, darwin-x64, darwin-arm64, win32-x64 (.github/workflows/release.yml builds each
// on its own runner). The addon is built here when the target is this machine; another target's builds must already
// be in native/<target>/ (a cross build). Runs vsce without a shell.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TARGETS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64'];

const root = join(fileURLToPath(import.meta.url), '../..');
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const host = `${process.platform}-${process.arch}`;
const target = arg('--target') ?? host;
if (!TARGETS.includes(target)) {
  console.error(`package: unknown target ${target}; one of ${TARGETS.join(', ')}`);
  process.exit(2);
}
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outDir = arg('--out-dir') ?? root;
mkdirSync(outDir, { recursive: true });
const out = join(outDir, `${pkg.name}-${target}-${pkg.version}.vsix`);
const run = (file, args) => execFileSync(file, args, { cwd: root, stdio: 'inherit' });

if (target === host) run(process.execPath, [join(root, 'scripts/build-addon.mjs')]);
const native = join(root, 'native');
if (!existsSync(join(native, target))) throw new Error(`No native addon was built for ${target} (npm run build:addon on a ${target} machine)`);
// .vscodeignore takes native/*/*: other targets' builds (a cross build) wait outside the tree while vsce runs.
const aside = mkdtempSync(join(root, '.package-aside-'));
const others = readdirSync(native).filter((name) => name !== target && TARGETS.includes(name));
try {
  for (const name of others) renameSync(join(native, name), join(aside, name));
  run(process.execPath, [
    join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--no-rewrite-relative-links',
    '--target', target, '--out', out, ...(process.argv.includes('--pre-release') ? ['--pre-release'] : []),
  ]);
} finally {
  for (const name of others) renameSync(join(aside, name), join(native, name));
  rmSync(aside, { recursive: true, force: true });
}
console.log(`packaged ${out}`);
