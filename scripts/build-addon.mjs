#!/usr/bin/env node
// Builds smart-whisper's native addon (whisper.cpp) in the variants the extension ships for this platform:
//   native/<platform>-<arch>/baseline/smart-whisper.node   runs on every CPU of the architecture
//   native/<platform>-<arch>/avx2/smart-whisper.node       x86-64 with AVX2/FMA/F16C: 5–9× faster
// The extension picks one at run time (src/node/whisper/addonVariant.ts). Builds happen in a temporary copy of
// node_modules/smart-whisper, with COMPUTE_BACKEND=cpu (no accidental OpenBLAS link), offline (node-gyp finds
// Node's headers through npm_config_nodedir). A stamp per variant skips builds that are already up to date.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '../..');
const source = join(root, 'node_modules/smart-whisper');
const version = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')).version;
const target = `${process.platform}-${process.arch}`;
const x86 = process.arch === 'x64' || process.arch === 'ia32';
const variants = [{ name: 'baseline', flags: '' }, ...(x86 ? [{ name: 'avx2', flags: '-mavx -mavx2 -mfma -mf16c' }] : [])];

function findNodeGyp() {
  const candidates = [
    join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    join(root, 'node_modules/node-gyp/bin/node-gyp.js'),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`node-gyp not found (looked in ${candidates.join(', ')})`);
  return found;
}

function nodeHeadersDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  for (const dir of ['/usr', join(dirname(process.execPath), '..')]) if (existsSync(join(dir, 'include/node/node_api.h'))) return dir;
  return undefined;
}

const nodeGyp = findNodeGyp();
const nodedir = nodeHeadersDir();
for (const variant of variants) {
  const outDir = join(root, 'native', target, variant.name);
  const stampFile = join(outDir, 'build-stamp.json');
  const stamp = JSON.stringify({ smartWhisper: version, flags: variant.flags, node: process.versions.modules });
  if (existsSync(join(outDir, 'smart-whisper.node')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    console.log(`build-addon: ${target}/${variant.name} is up to date`);
    continue;
  }
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), `smart-whisper-${variant.name}-`));
  try {
    cpSync(source, work, { recursive: true, filter: (p) => !p.includes(`${source}/build`) });
    const env = {
      ...process.env,
      COMPUTE_BACKEND: 'cpu',
      CFLAGS: variant.flags,
      CXXFLAGS: variant.flags,
      JOBS: String(Math.max(1, (await import('node:os')).availableParallelism())),
      ...(nodedir ? { npm_config_nodedir: nodedir } : {}),
    };
    const args = [nodeGyp, 'rebuild', '--release', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
    execFileSync(process.execPath, args, { cwd: work, env, stdio: ['ignore', 'ignore', 'inherit'] });
    mkdirSync(outDir, { recursive: true });
    cpSync(join(work, 'build/Release/smart-whisper.node'), join(outDir, 'smart-whisper.node'));
    writeFileSync(stampFile, stamp);
    console.log(`build-addon: built ${target}/${variant.name} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
