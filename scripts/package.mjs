#!/usr/bin/env node
// `npm run package`: a platform-specific .vsix for this machine (e.g. linux-x64) holding the bundled JS and the
// whisper.cpp addon builds for this platform (AVX2 and baseline). Runs vsce without a shell.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '../..');
const target = `${{ win32: 'win32', darwin: 'darwin', linux: 'linux' }[process.platform] ?? process.platform}-${process.arch}`;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = join(root, `${pkg.name}-${target}-${pkg.version}.vsix`);
const run = (file, args) => execFileSync(file, args, { cwd: root, stdio: 'inherit' });

run(process.execPath, [join(root, 'scripts/build-addon.mjs')]);
if (!existsSync(join(root, 'native', target))) throw new Error(`No native addon was built for ${target}`);
run(process.execPath, [join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--no-rewrite-relative-links', '--target', target, '--out', out]);
console.log(`packaged ${out}`);
