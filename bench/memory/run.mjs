#!/usr/bin/env node
// `npm run bench:memory`: soak test of the real extension in a real VS Code with the virtual microphone —
// DICTATION_SOAK_CYCLES (200) dictations (start, speak a clip, stop), then DICTATION_SOAK_MINUTES (30) of continuous
// dictation. Reports host and worker RSS, open files, child processes and the audio-buffer high-water mark.
// Results: bench/results/memory.{json,md,svg}.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVirtualMic, stopVirtualMic } from '../../test/host/virtualMic.mjs';
import { runContext } from '../report.mjs';
import { barChartSvg } from '../svgChart.mjs';

const root = join(fileURLToPath(import.meta.url), '../../..');
const evalDir = join(root, '../shared/eval/public');
const model = process.env.DICTATION_SOAK_MODEL ?? join(process.env.OFFLINE_DICTATION_CACHE ?? join(process.env.HOME, '.cache'), 'offline-dictation/models/ggml-tiny.en.bin');
const clips = readdirSync(evalDir).filter((f) => f.endsWith('.wav')).sort().map((f) => join(evalDir, f));
const shortClips = clips.filter((c) => /p0[3-8]|p1[1-3]|p16/.test(c));

execFileSync(process.execPath, [join(root, 'esbuild.mjs')], { cwd: root, stdio: 'inherit' });
const work = mkdtempSync(join(tmpdir(), 'bench-memory-'));
const out = join(work, 'soak.json');
const micEnv = startVirtualMic();
if (!micEnv) throw new Error('bench:memory needs PulseAudio for the virtual microphone');
const started = Date.now();
try {
  execFileSync(process.execPath, [join(root, 'test/host/code-test-host.js'), join(root, 'test/fixtures/workspace'),
    `--extensionDevelopmentPath=${root}`, `--extensionTestsPath=${join(root, 'dist/bench/memoryInHost.js')}`, `--user-data-dir=${join(work, 'ud')}`],
  { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...micEnv, CODE_TEST_TIMEOUT_MS: String(4 * 3600_000),
    DICTATION_SOAK_OUT: out, DICTATION_SOAK_MODEL: model, DICTATION_SOAK_CLIPS: JSON.stringify(shortClips) } });
} finally {
  stopVirtualMic();
}
const soak = JSON.parse(readFileSync(out, 'utf8'));
rmSync(work, { recursive: true, force: true });

const tenth = soak.cycleSamples.find((s) => s.label === 10);
const last = soak.cycleSamples[soak.cycleSamples.length - 1];
const growth = (a, b) => (a == null || b == null ? null : +(b - a).toFixed(1));
const pct = (a, b) => (a == null || b == null ? null : +(((b - a) / a) * 100).toFixed(1));
const longFirst = soak.longSamples[0];
const longLast = soak.longSamples[soak.longSamples.length - 1];
const summary = {
  ...runContext(),
  wallMinutes: +((Date.now() - started) / 60000).toFixed(1),
  cycles: soak.cycles,
  continuousMinutes: soak.minutes,
  wordsDictated: soak.words,
  hostRssAfter10thMB: +tenth?.hostRssMB.toFixed(1),
  hostRssAfterLastMB: +last.hostRssMB.toFixed(1),
  hostRssGrowthPct: pct(tenth?.hostRssMB, last.hostRssMB),
  workerRssAfter10thMB: tenth?.workerRssMB == null ? null : +tenth.workerRssMB.toFixed(1),
  workerRssAfterLastMB: last.workerRssMB == null ? null : +last.workerRssMB.toFixed(1),
  workerRssGrowthPct: pct(tenth?.workerRssMB, last.workerRssMB),
  openFilesGrowth: growth(tenth?.openFiles, last.openFiles),
  childProcessesGrowth: growth(tenth?.childProcesses, last.childProcesses),
  continuousHostRssGrowthMB: growth(longFirst?.hostRssMB, longLast?.hostRssMB),
  continuousWorkerRssGrowthMB: growth(longFirst?.workerRssMB, longLast?.workerRssMB),
  maxAudioBufferedMB: +(soak.maxBufferedBytes / 1048576).toFixed(2),
};
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/memory.json'), JSON.stringify({ summary, ...soak }, null, 2) + '\n');
const rows = (samples) => samples.map((s) => `| ${s.label} | ${s.hostRssMB.toFixed(1)} | ${s.workerRssMB?.toFixed(1) ?? '—'} | ${s.openFiles} | ${s.childProcesses} | ${(s.bufferedBytes / 1024).toFixed(0)} |`).join('\n');
writeFileSync(join(root, 'bench/results/memory.md'), `# Memory soak (${summary.date.slice(0, 10)})

${summary.machine}; tiny.en; ${summary.cycles} dictation cycles (start, speak a clip, stop), then ${summary.continuousMinutes} minutes of
continuous dictation; ${summary.wordsDictated} words dictated in ${summary.wallMinutes} minutes.

| | after cycle 10 | after cycle ${summary.cycles} | change |
|---|---|---|---|
| extension host RSS (MB, all extensions) | ${summary.hostRssAfter10thMB} | ${summary.hostRssAfterLastMB} | ${summary.hostRssGrowthPct} % |
| extension host JS heap after GC (MB, all extensions) | ${tenth?.hostHeapMB.toFixed(1)} | ${last.hostHeapMB.toFixed(1)} | ${pct(tenth?.hostHeapMB, last.hostHeapMB)} % |
| Whisper worker RSS (MB) | ${summary.workerRssAfter10thMB} | ${summary.workerRssAfterLastMB} | ${summary.workerRssGrowthPct} % |
| open files of the host | ${tenth?.openFiles} | ${last.openFiles} | ${summary.openFilesGrowth} |
| child processes of the host | ${tenth?.childProcesses} | ${last.childProcesses} | ${summary.childProcessesGrowth} |

Continuous dictation: host RSS ${summary.continuousHostRssGrowthMB} MB and worker RSS ${summary.continuousWorkerRssGrowthMB} MB from first to last
sample; audio held in memory peaked at ${summary.maxAudioBufferedMB} MB (bound: the phrase being recorded, at most 25 s plus pre-roll ≈ 1.6 MB,
plus \`capture.maxBufferedSeconds\` = 120 s ≈ 7.5 MB of speech waiting for transcription; beyond that it waits on disk).
Every sample follows a full garbage collection in the host (what is retained, not where the collector happens to be);
the worker collects after each transcription by itself. Worker samples taken during a transcription include whisper.cpp's
working buffers (~150 MB), which are returned when it ends.

## Cycles

| cycle | host RSS MB | worker RSS MB | open files | child processes | audio buffered KB |
|---|---|---|---|---|---|
${rows(soak.cycleSamples)}

## Continuous dictation (seconds)

| s | host RSS MB | worker RSS MB | open files | child processes | audio buffered KB |
|---|---|---|---|---|---|
${rows(soak.longSamples)}

![chart](memory.svg)
`);
writeFileSync(join(root, 'bench/results/memory.svg'), barChartSvg({
  title: 'RSS over the soak (MB): dictation cycles, then continuous dictation (s)',
  unit: 'MB',
  categories: [...soak.cycleSamples.map((s) => `#${s.label}`), ...soak.longSamples.map((s) => `${s.label}s`)],
  series: [
    { name: 'extension host RSS', values: [...soak.cycleSamples, ...soak.longSamples].map((s) => s.hostRssMB) },
    { name: 'Whisper worker RSS', values: [...soak.cycleSamples, ...soak.longSamples].map((s) => s.workerRssMB ?? NaN) },
  ],
}));
console.log(JSON.stringify(summary, null, 2));
