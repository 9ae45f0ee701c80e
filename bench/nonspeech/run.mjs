#!/usr/bin/env node
// `npm run bench:nonspeech`: realistic non-speech played in real time into the virtual microphone while the real
// extension dictates in a real VS Code (the same in-host driver as bench:dictation): room noise cut from the quiet
// stretches of the public clips, white/pink/brown noise at -45…-20 dBFS, keyboard-like clicks and the sounds of
// Debian's sound-theme-freedesktop. Every word that reaches the editor is a false insertion; the target is none.
// Results: bench/results/nonspeech.{json,md}: { "minutes": m, "wordsInserted": n } and what each source gave.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVirtualMic, stopVirtualMic } from '../../test/host/virtualMic.mjs';
import { nonSpeechSet } from '../../test/support/nonSpeech.ts';
import { encodePcm16Wav } from '../../src/core/audio/wav.ts';
import { runContext } from '../report.mjs';

const root = join(fileURLToPath(import.meta.url), '../../..');
const evalDir = join(root, '../shared/eval/public');
const model = process.env.DICTATION_BENCH_MODEL ?? join(process.env.OFFLINE_DICTATION_CACHE ?? join(process.env.HOME, '.cache'), 'offline-dictation/models/ggml-tiny.en.bin');
const scale = Number(process.env.NONSPEECH_SCALE ?? 1.5);

const work = mkdtempSync(join(tmpdir(), 'bench-nonspeech-'));
const set = nonSpeechSet(evalDir, scale);
if (!set.some((s) => s.name.startsWith('desktop sound'))) throw new Error('bench:nonspeech needs sound-theme-freedesktop and sox (scripts/setup.sh installs them)');
const clips = set.map((s, i) => {
  const wav = join(work, `nonspeech-${String(i).padStart(2, '0')}.wav`);
  writeFileSync(wav, encodePcm16Wav(s.samples, 16000));
  return { name: s.name, wav, seconds: s.samples.length / 16000 };
});
const out = join(work, 'result.json');
const phraseDir = join(work, 'phrases');
mkdirSync(phraseDir);
const micEnv = startVirtualMic();
if (!micEnv) throw new Error('bench:nonspeech needs PulseAudio for the virtual microphone');
try {
  execFileSync(process.execPath, [join(root, 'test/host/code-test-host.js'), join(root, 'test/fixtures/workspace'),
    `--extensionDevelopmentPath=${root}`, `--extensionTestsPath=${join(root, 'dist/bench/dictationInHost.js')}`, `--user-data-dir=${join(work, 'ud')}`],
  { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...micEnv, DICTATION_BENCH_OUT: out, DICTATION_BENCH_MODEL: model, DICTATION_BENCH_CLIPS: JSON.stringify(clips), DICTATION_BENCH_PHRASES: phraseDir } });
} finally {
  stopVirtualMic();
}
const inHost = JSON.parse(readFileSync(out, 'utf8'));
rmSync(work, { recursive: true, force: true });

const words = (text) => (text.match(/[\p{L}\p{N}]+/gu) ?? []).length;
// inHost.texts is one record per take (this bench dictates each source once).
const texts = inHost.texts[0] ?? {};
const sources = clips.map((c) => ({ source: c.name, seconds: +c.seconds.toFixed(1), wordsInserted: words(texts[c.name] ?? ''), text: texts[c.name] ?? '', phrasesNotSpeech: inHost.notSpeech?.[c.name] ?? 0, heardAsNotSpeech: inHost.notSpeechText?.[c.name] ?? '' }));
const minutes = +(clips.reduce((n, c) => n + c.seconds, 0) / 60).toFixed(2);
const wordsInserted = sources.reduce((n, s) => n + s.wordsInserted, 0);
const summary = {
  ...runContext(),
  model: model.split('/').pop(),
  minutes,
  wordsInserted,
  wordsPerMinute: +(wordsInserted / minutes).toFixed(2),
  phrasesInserted: inHost.phrases.length,
  phrasesNotSpeech: sources.reduce((n, s) => n + s.phrasesNotSpeech, 0),
  sourcesWithWords: sources.filter((s) => s.wordsInserted > 0).map((s) => s.source),
};
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/nonspeech.json'), JSON.stringify({ ...summary, sources }, null, 2) + '\n');
const rows = sources.map((s) => `| ${s.source} | ${s.seconds} | ${s.wordsInserted} | ${s.text ? `"${s.text.replace(/\|/g, '\\|').replace(/\n/g, ' ')}"` : ''} | ${s.phrasesNotSpeech}${s.heardAsNotSpeech ? `: ${s.heardAsNotSpeech.replace(/\|/g, '\\|')}` : ''} |`).join('\n');
writeFileSync(join(root, 'bench/results/nonspeech.md'), `# Non-speech into the real microphone path (${summary.date})

\`npm run bench:nonspeech\`: ${minutes} minutes of non-speech played in real time into the virtual microphone while the
extension dictates into an editor in a real VS Code (${summary.model}, the default settings). Target: no word inserted.

**${wordsInserted} words inserted in ${minutes} minutes** (${summary.wordsPerMinute} per minute). ${summary.phrasesNotSpeech} would-be
phrases reached Whisper, which wrote text for them, and were judged not to be speech (the log says what Whisper heard
and how sure it was); ${summary.phrasesInserted} reached the editor.

| source | seconds | words inserted | text | phrases judged not speech: what Whisper wrote (mean token probability) |
|---|---|---|---|---|
${rows}

Machine: ${summary.machine}.
`);
console.log(`bench:nonspeech: ${wordsInserted} words in ${minutes} min; with words: ${summary.sourcesWithWords.join(', ') || 'none'}`);
