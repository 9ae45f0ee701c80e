#!/usr/bin/env node
// `npm run bench:dictation`: the public clips are played in real time into the virtual microphone while the real
// extension dictates in a real VS Code; for every phrase we record the delay from the end of speech to the text
// being in the editor. Side by side: whisper.cpp's own CLI, built from the same sources with the same flags, same
// model and threads, transcribing each clip file. Results: bench/results/dictation.{json,md,svg}.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVirtualMic, stopVirtualMic } from '../../test/host/virtualMic.mjs';
import { buildBenchSubjects } from '../buildSubjects.mjs';
import { median, percentile, runContext } from '../report.mjs';
import { barChartSvg } from '../svgChart.mjs';

const root = join(fileURLToPath(import.meta.url), '../../..');
const evalDir = join(root, '../shared/eval/public');
const model = process.env.DICTATION_BENCH_MODEL ?? join(process.env.OFFLINE_DICTATION_CACHE ?? join(process.env.HOME, '.cache'), 'offline-dictation/models/ggml-tiny.en.bin');
const runs = Number(process.env.DICTATION_BENCH_RUNS ?? 3);
const clips = readdirSync(evalDir).filter((f) => f.endsWith('.wav')).sort().map((f) => ({ name: basename(f, '.wav'), wav: join(evalDir, f) }));

const { variant, whisperCli: cli } = buildBenchSubjects(root);

const work = mkdtempSync(join(tmpdir(), 'bench-dictation-'));
const out = join(work, 'phrases.json');
const micEnv = startVirtualMic();
if (!micEnv) throw new Error('bench:dictation needs PulseAudio for the virtual microphone');
try {
  execFileSync(process.execPath, [join(root, 'test/host/code-test-host.js'), join(root, 'test/fixtures/workspace'),
    `--extensionDevelopmentPath=${root}`, `--extensionTestsPath=${join(root, 'dist/bench/dictationInHost.js')}`, `--user-data-dir=${join(work, 'ud')}`],
  { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...micEnv, DICTATION_BENCH_OUT: out, DICTATION_BENCH_MODEL: model, DICTATION_BENCH_CLIPS: JSON.stringify(clips) } });
} finally {
  stopVirtualMic();
}
const inHost = JSON.parse(readFileSync(out, 'utf8'));
rmSync(work, { recursive: true, force: true });
const threads = inHost.threads;

const results = clips.map((clip) => {
  const phrases = inHost.phrases.filter((p) => p.clip === clip.name);
  const cliMs = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const r = spawnSync(cli, ['-m', model, '-f', clip.wav, '-t', String(threads), '-bs', '1', '-bo', '1', '-nt', '-np', '-l', 'en'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`whisper-cli failed on ${clip.name}: ${r.stderr}`);
    cliMs.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const audioMs = Number(readFileSync(clip.wav).readUInt32LE(40)) / 32;
  return {
    clip: clip.name,
    audioMs: Math.round(audioMs),
    phrases: phrases.length,
    lastPhraseLatencyMs: phrases.length ? Math.round(phrases[phrases.length - 1].latencyMs) : null,
    medianPhraseLatencyMs: phrases.length ? Math.round(median(phrases.map((p) => p.latencyMs))) : null,
    transcribeMs: Math.round(phrases.reduce((s, p) => s + p.transcribeMs, 0)),
    whisperCliMs: Math.round(median(cliMs)),
    text: inHost.texts[clip.name],
  };
});
const latencies = inHost.phrases.map((p) => p.latencyMs);
const summary = {
  ...runContext(),
  model: basename(model),
  addonVariant: variant,
  threads,
  phrases: latencies.length,
  medianLatencyMs: Math.round(median(latencies)),
  p90LatencyMs: Math.round(percentile(latencies, 90)),
  medianWhisperCliMs: Math.round(median(results.map((r) => r.whisperCliMs))),
  medianTranscribeMsPerClip: Math.round(median(results.map((r) => r.transcribeMs))),
  ratioTranscribeToCli: +(results.reduce((s, r) => s + r.transcribeMs, 0) / results.reduce((s, r) => s + r.whisperCliMs, 0)).toFixed(2),
};
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/dictation.json'), JSON.stringify({ summary, results }, null, 2) + '\n');
const table = results.map((r) => `| ${r.clip} | ${(r.audioMs / 1000).toFixed(1)} | ${r.phrases} | ${r.medianPhraseLatencyMs ?? '—'} | ${r.lastPhraseLatencyMs ?? '—'} | ${r.transcribeMs} | ${r.whisperCliMs} |`).join('\n');
writeFileSync(join(root, 'bench/results/dictation.md'), `# Dictation latency (${summary.date.slice(0, 10)})

${summary.machine}; model ${summary.model}; ${summary.addonVariant} build; ${summary.threads} threads; greedy decoding.
End of speech → text in the editor, over ${summary.phrases} phrases: **median ${summary.medianLatencyMs} ms, p90 ${summary.p90LatencyMs} ms**
(this includes the ${700} ms pause that ends a phrase). whisper.cpp's CLI (same sources, flags, model, threads) needs a median
${summary.medianWhisperCliMs} ms per clip file (process start and model load included); the extension's own transcription time per
clip is ${summary.ratioTranscribeToCli}× the CLI's.

| clip | audio s | phrases | median phrase latency ms | last phrase latency ms | extension transcribe ms | whisper-cli ms |
|---|---|---|---|---|---|---|
${table}

![chart](dictation.svg)
`);
writeFileSync(join(root, 'bench/results/dictation.svg'), barChartSvg({
  title: 'End of speech → text in editor (extension) vs whisper.cpp CLI on the same clip',
  unit: 'milliseconds',
  categories: results.map((r) => r.clip.replace(/^p(\d+)_.*/, 'p$1')),
  series: [
    { name: 'extension: last phrase latency', values: results.map((r) => r.lastPhraseLatencyMs ?? NaN) },
    { name: 'extension: transcription time', values: results.map((r) => r.transcribeMs) },
    { name: 'whisper-cli: whole clip', values: results.map((r) => r.whisperCliMs) },
  ],
}));
console.log(JSON.stringify(summary, null, 2));
