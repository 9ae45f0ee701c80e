// Builds every entry point into dist/ as CommonJS for Node 20 (the VS Code 1.100 extension host).
// Separate entries: the extension, the Whisper worker (its own process or thread), the CLI, and the
// integration tests that run inside the real extension host. `vscode` and native code stay external: the
// whisper.cpp addon (`.node`) is loaded at run time from the path of the build that suits the CPU, which a bundle
// cannot resolve; pure-JS dependencies (pidusage) are bundled.
import * as esbuild from 'esbuild';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

function filesUnder(dir, suffix) {
  let out = [];
  let entries = [];
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(filesUnder(p, suffix));
    else if (p.endsWith(suffix)) out.push(p);
  }
  return out;
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  external: ['vscode', 'smart-whisper', 'mocha', 'playwright-core'],
};

const builds = [
  { ...common, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist' },
  { ...common, entryPoints: { whisperWorker: 'src/worker/whisperWorker.ts' }, outdir: 'dist' },
  { ...common, entryPoints: { cli: 'src/cli.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
];
if (!production) {
  const tests = ['test/integration/index.ts', ...filesUnder('test/integration', '.test.ts')];
  builds.push({ ...common, entryPoints: tests, outdir: 'dist/test/integration', outbase: 'test/integration' });
  builds.push({ ...common, entryPoints: { 'bench/dictationInHost': 'bench/dictation/inHost.ts', 'bench/memoryInHost': 'bench/memory/inHost.ts', 'bench/leaksInHost': 'bench/leaks/inHost.ts' }, outdir: 'dist' });
}

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('esbuild: watching for changes…');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
