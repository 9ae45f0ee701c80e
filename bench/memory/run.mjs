#!/usr/bin/env node
// `npm run bench:memory`: soak test of the real extension in a real VS Code with the virtual microphone —
// DICTATION_SOAK_CYCLES (200) dictations (start, speak a clip, stop), then DICTATION_SOAK_MINUTES (30) of continuous
// dictation. Reports host and worker RSS, open files, child processes and the audio-buffer high-water mark.
// Results: bench/results/memory.{json,md,svg}. With DICTATION_SOAK_BASELINE=1 the same host does the same editing
// with the extension idle (VS Code's own drift, for comparison): bench/results/memory-idle.{json,md,svg}.
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
const baseline = process.env.DICTATION_SOAK_BASELINE === '1';
const name = baseline ? 'memory-idle' : 'memory';

// `--report` renders the markdown and chart again from the saved results, without running the soak.
const reportOnly = process.argv.includes('--report');
const saved = reportOnly ? JSON.parse(readFileSync(join(root, `bench/results/${name}.json`), 'utf8')) : undefined;
const soak = saved ?? runSoak();

function runSoak() {
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
  const result = JSON.parse(readFileSync(out, 'utf8'));
  rmSync(work, { recursive: true, force: true });
  result.wallMinutes = +((Date.now() - started) / 60000).toFixed(1);
  return result;
}

const tenth = soak.cycleSamples.find((s) => s.label === 10);
const last = soak.cycleSamples[soak.cycleSamples.length - 1];
const growth = (a, b) => (a == null || b == null ? null : +(b - a).toFixed(1));
const pct = (a, b) => (a == null || b == null ? null : +(((b - a) / a) * 100).toFixed(1));
const mb = (value) => (value == null ? null : +value.toFixed(1));
// V8 keeps the heap it has grown to (above all its young generation, sized by the recent allocation rate) even when
// a full GC has emptied it: with VS Code idle that reserve alone swings the host's RSS by ~30 MB. What a leak would
// grow is the rest: RSS less V8's committed-but-empty heap.
const heldMB = (s) => s.hostRssMB - (s.hostHeapCommittedMB - s.hostHeapMB);
const otherAnonymousMB = (s) => s.anonMB - s.hostHeapCommittedMB;
const rangeMB = (samples, value) => {
  const values = samples.map(value).filter((v) => v != null);
  return values.length ? [mb(Math.min(...values)), mb(Math.max(...values))] : null;
};
const longFirst = soak.longSamples[0];
const longLast = soak.longSamples[soak.longSamples.length - 1];
const { summary: _previous, ...soakData } = soak;
const summary = {
  ...(saved ? { date: saved.summary.date, machine: saved.summary.machine } : runContext()),
  baseline,
  wallMinutes: soak.wallMinutes ?? saved?.summary.wallMinutes,
  cycles: soak.cycles,
  continuousMinutes: soak.minutes,
  wordsDictated: soak.words,
  hostHeldAfter10thMB: mb(heldMB(tenth)),
  hostHeldAfterLastMB: mb(heldMB(last)),
  hostHeldGrowthPct: pct(heldMB(tenth), heldMB(last)),
  hostRssAfter10thMB: mb(tenth?.hostRssMB),
  hostRssAfterLastMB: mb(last.hostRssMB),
  hostRssGrowthPct: pct(tenth?.hostRssMB, last.hostRssMB),
  hostHeldRangeMB: rangeMB(soak.cycleSamples, heldMB),
  hostRssRangeMB: rangeMB(soak.cycleSamples, (s) => s.hostRssMB),
  workerRssAfter10thMB: mb(tenth?.workerRssMB),
  workerRssAfterLastMB: mb(last.workerRssMB),
  workerRssGrowthPct: pct(tenth?.workerRssMB, last.workerRssMB),
  openFilesGrowth: growth(tenth?.openFiles, last.openFiles),
  childProcessesGrowth: growth(tenth?.childProcesses, last.childProcesses),
  continuousHostHeldGrowthMB: growth(heldMB(longFirst), heldMB(longLast)),
  continuousHostHeldRangeMB: rangeMB(soak.longSamples, heldMB),
  // A range, not first-to-last: samples taken during a transcription include whisper.cpp's working buffers.
  continuousWorkerRssRangeMB: rangeMB(soak.longSamples, (s) => s.workerRssMB),
  maxAudioBufferedMB: +(soak.maxBufferedBytes / 1048576).toFixed(2),
};
const idle = baseline ? undefined : readIdleSummary();
function readIdleSummary() {
  try {
    return JSON.parse(readFileSync(join(root, 'bench/results/memory-idle.json'), 'utf8')).summary;
  } catch {
    return undefined;
  }
}
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, `bench/results/${name}.json`), JSON.stringify({ summary, ...soakData }, null, 2) + '\n');
const f1 = (value) => (value == null ? '—' : value.toFixed(1));
const rows = (samples) => samples.map((s) => `| ${s.label} | ${f1(heldMB(s))} | ${f1(s.hostRssMB)} | ${f1(s.hostHeapMB)} | ${f1(otherAnonymousMB(s))} | ${f1(s.workerRssMB)} | ${s.openFiles} | ${s.childProcesses} | ${(s.bufferedBytes / 1024).toFixed(0)} |`).join('\n');
const header = (first) => `| ${first} | host RSS less V8 reserve MB | host RSS MB | JS heap MB | other anonymous MB | worker RSS MB | open files | child processes | audio buffered KB |\n|---|---|---|---|---|---|---|---|---|`;
const row = (label, value) => {
  const change = pct(value(tenth), value(last));
  return `| ${label} | ${f1(value(tenth))} | ${f1(value(last))} | ${change == null ? '—' : `${change} %`} |`;
};
const idleNote = idle
  ? `The same host with the extension idle (\`DICTATION_SOAK_BASELINE=1\`: it plays the same clips and makes the same edits,
${idle.cycles} cycles, [memory-idle.md](memory-idle.md)) wanders too: its RSS less V8's reserve ranged ${idle.hostHeldRangeMB?.[0]}–${idle.hostHeldRangeMB?.[1]} MB
(${idle.hostHeldAfter10thMB} → ${idle.hostHeldAfterLastMB} MB from the 10th cycle to the last), its RSS as measured ${idle.hostRssRangeMB[0]}–${idle.hostRssRangeMB[1]} MB.
Most of the host's swing is VS Code's and V8's own.`
  : '';
writeFileSync(join(root, `bench/results/${name}.md`), `# Memory soak${baseline ? ', extension idle (baseline)' : ''} (${summary.date.slice(0, 10)})

${summary.machine}; tiny.en; ${summary.cycles} ${baseline ? 'cycles of playing a clip and editing with the extension idle' : 'dictation cycles (start, speak a clip, stop)'}, then ${summary.continuousMinutes} minutes of
${baseline ? 'the same without stopping' : 'continuous dictation'}; ${summary.wordsDictated} words ${baseline ? 'typed' : 'dictated'} in ${summary.wallMinutes} minutes.

| | after cycle 10 | after cycle ${summary.cycles} | change |
|---|---|---|---|
${row('extension host RSS less V8\'s empty heap (MB, all extensions)', heldMB)}
${row('extension host RSS as measured (MB, all extensions)', (s) => s?.hostRssMB)}
${row('JS heap in use after GC (MB, all extensions)', (s) => s?.hostHeapMB)}
${row('other anonymous memory of the host: malloc heaps, V8 pages not yet returned (MB)', (s) => (s ? otherAnonymousMB(s) : undefined))}
${row('Whisper worker RSS (MB)', (s) => s?.workerRssMB)}
| open files of the host | ${tenth?.openFiles} | ${last.openFiles} | ${summary.openFilesGrowth} |
| child processes of the host | ${tenth?.childProcesses} | ${last.childProcesses} | ${summary.childProcessesGrowth} |

Over all the cycles the host's RSS less V8's reserve ranged ${summary.hostHeldRangeMB[0]}–${summary.hostHeldRangeMB[1]} MB (as measured: ${summary.hostRssRangeMB[0]}–${summary.hostRssRangeMB[1]} MB).

Every sample follows a full garbage collection in the host and a second's wait (what is retained, not where the
collector happens to be). V8 keeps the heap it has grown to even when a collection has emptied it (its young
generation is sized by the recent allocation rate of everything in the host), so the host's RSS as measured swings by
tens of MB with nobody's memory growing; the first row subtracts that empty reserve (committed − used heap). The
worker collects after each transcription by itself; worker samples taken during a transcription include whisper.cpp's
working buffers (~150 MB), which are returned when it ends.
${baseline ? '' : `
Continuous dictation: the host's RSS less V8's reserve went ${f1(heldMB(longFirst))} → ${f1(heldMB(longLast))} MB from first to last sample (range
${summary.continuousHostHeldRangeMB.join('–')} MB); the worker's RSS ranged ${summary.continuousWorkerRssRangeMB.join('–')} MB (the upper values are samples taken during a
transcription); audio held in memory peaked at ${summary.maxAudioBufferedMB} MB (bound: the phrase being recorded, at most 25 s plus pre-roll
≈ 1.6 MB, plus \`capture.maxBufferedSeconds\` = 120 s ≈ 7.5 MB of speech waiting for transcription; beyond that it waits on disk).

${idleNote}
`}
## Cycles

${header('cycle')}
${rows(soak.cycleSamples)}

## ${baseline ? 'Without stopping' : 'Continuous dictation'} (seconds)

${header('s')}
${rows(soak.longSamples)}

![chart](${name}.svg)
`);
const all = [...soak.cycleSamples, ...soak.longSamples];
writeFileSync(join(root, `bench/results/${name}.svg`), barChartSvg({
  title: `RSS over the soak (MB)${baseline ? ', extension idle' : ''}: cycles, then ${baseline ? 'without stopping' : 'continuous dictation'} (s)`,
  unit: 'MB',
  categories: all.map((s) => (typeof s.label === 'number' && soak.cycleSamples.includes(s) ? `#${s.label}` : `${s.label}s`)),
  series: [
    { name: 'extension host RSS', values: all.map((s) => s.hostRssMB) },
    { name: 'host RSS less V8 reserve', values: all.map(heldMB) },
    ...(baseline ? [] : [{ name: 'Whisper worker RSS', values: all.map((s) => s.workerRssMB ?? NaN) }]),
  ],
}));
console.log(JSON.stringify(summary, null, 2));
