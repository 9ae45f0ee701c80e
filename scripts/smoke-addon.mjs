#!/usr/bin/env node
// Release smoke test: loads every whisper.cpp addon build of this platform (native/<platform>-<arch>/<variant>/) in
// a fresh process each, transcribes the JFK clip (test/fixtures/speech) with the real tiny.en model, and fails
// unless the words come out. Run on each release runner after `npm run build:addon` and `npm run model:fixture`.
//   node scripts/smoke-addon.mjs [--model PATH] [--target linux-arm64] [--exec "qemu-aarch64 -L /usr/aarch64-linux-gnu"]
// A variant whose instructions this CPU lacks (AVX2 on an old x86) is reported and skipped, not failed: the
// extension falls back from it the same way. --exec runs the node of another architecture (the cross build's check).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '../..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const target = arg('--target', `${process.platform}-${process.arch}`);
const cache = join(resolve(process.env.OFFLINE_DICTATION_CACHE || process.env.XDG_CACHE_HOME || join(homedir(), '.cache')), 'offline-dictation');
const model = arg('--model', join(cache, 'models', 'ggml-tiny.en.bin'));
const exec = (arg('--exec', '') || '').split(' ').filter(Boolean);
const node = arg('--node', process.execPath);
const wav = join(root, 'test/fixtures/speech/jfk.wav');
const reference = readFileSync(join(root, 'test/fixtures/speech/jfk.txt'), 'utf8');

if (!existsSync(model)) throw new Error(`smoke: no model at ${model} (npm run model:fixture)`);
const dir = join(root, 'native', target);
const variants = existsSync(dir) ? readdirSync(dir).filter((v) => existsSync(join(dir, v, 'smart-whisper.node'))) : [];
if (variants.length === 0) throw new Error(`smoke: no addon build in ${dir} (npm run build:addon)`);

// The child: load the addon itself (no worker, no bundle), transcribe, print the text.
const child = `
const { readFileSync } = require('node:fs');
const [addon, model, wav] = process.argv.slice(1);
const b = require(addon);
const bytes = readFileSync(wav);
let at = 12, data;
while (at < bytes.length) { const id = bytes.toString('ascii', at, at + 4), size = bytes.readUInt32LE(at + 4); if (id === 'data') { data = bytes.subarray(at + 8, at + 8 + size); break; } at += 8 + size + (size % 2); }
const pcm = new Float32Array(data.length / 2);
for (let i = 0; i < pcm.length; i++) pcm[i] = data.readInt16LE(i * 2) / 32768;
b.WhisperModel.load(model, false).then((m) => b.transcribe(m.handle, pcm, { language: 'en', n_threads: 2, format: 'simple' }, (r) => {
  if (r instanceof Error) { console.error(r.message); process.exit(1); }
  process.stdout.write(r.map((s) => s.text).join('').trim());
  process.exit(0);
}, () => undefined));
`;

const words = (text) => text.toLowerCase().replace(/[^a-z' ]+/g, ' ').split(/\s+/).filter(Boolean);
let failed = 0;
for (const variant of variants.sort()) {
  const addon = join(dir, variant, 'smart-whisper.node');
  const started = Date.now();
  const [file, ...pre] = exec.length ? exec : [node];
  const run = spawnSync(file, [...pre, ...(exec.length ? [node] : []), '-e', child, addon, model, wav], { encoding: 'utf8', timeout: 300_000 });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (run.signal === 'SIGILL' || (process.platform === 'win32' && run.status !== null && run.status >>> 0 === 0xc000001d)) {
    console.log(`smoke: ${target}/${variant}: this CPU lacks its instructions (illegal instruction); skipped`);
    continue;
  }
  const text = run.stdout ?? '';
  const want = words(reference);
  const got = new Set(words(text));
  const missing = want.filter((w) => !got.has(w));
  if (run.status !== 0 || missing.length > 2) {
    failed++;
    console.error(`smoke: ${target}/${variant}: FAILED (exit ${run.status}${run.signal ? `, ${run.signal}` : ''}, ${seconds} s)\n  text: ${text}\n  missing words: ${missing.join(' ')}\n  ${(run.stderr ?? '').trim().split('\n').slice(-5).join('\n  ')}`);
  } else {
    console.log(`smoke: ${target}/${variant}: ok in ${seconds} s: ${text}`);
  }
}
process.exit(failed ? 1 : 0);
