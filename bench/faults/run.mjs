#!/usr/bin/env node
// `npm run bench:faults`: fault injection, counted. Real speech (the short public clips) is dictated in a real VS Code
// (code-server + the virtual microphone, as bench:dictation) while one fault per run is injected at a random moment
// (bench/faults/inHost.ts); file transcription runs with its job cache made read-only or corrupted. For each scenario:
// { scenario, runs, wordsLost, orphanProcesses, tempFilesLeft, hostErrors } in bench/results/faults.json, with
// bench/results/faults.md (the definitions, the per-run detail and what the person sees).
//
// wordsLost: the reference transcript and each text are normalised as for WER and aligned word by word (minimum
// edit distance, Levenshtein backtrace); a reference word is "got" by a text when the alignment matches it exactly.
// A word counts as lost in a run when every fault-free baseline run of the same clip got it (so the model's own
// misses and its run-to-run wobble are not counted) and none of the editor, the clipboard or the history of the
// faulty run got it. File transcription: the same, against fault-free file transcriptions of the clip.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { startVirtualMic, stopVirtualMic } from '../../test/host/virtualMic.mjs';
import { normaliseForWer } from '../../src/core/text/wer.ts';
import { runContext } from '../report.mjs';

const root = join(fileURLToPath(import.meta.url), '../../..');
const evalDir = join(root, '../shared/eval/public');
const modelSource = process.env.DICTATION_BENCH_MODEL ?? join(process.env.OFFLINE_DICTATION_CACHE ?? join(process.env.HOME, '.cache'), 'offline-dictation/models/ggml-tiny.en.bin');
const runs = Number(process.env.FAULTS_RUNS ?? 20);
const SCENARIOS = [
  'worker-sigkill-during-transcription',
  'worker-sigstop-hang',
  'recorder-sigkill',
  'disk-full-capture-and-spill',
  'model-file-truncated-or-replaced',
  'deactivation-during-transcription',
  'cache-read-only',
  'cache-corrupted',
];
// FAULTS_SCENARIOS=a,b runs only those; their entries replace the same scenarios' entries in the committed results
// (faults.json keeps every scenario, in this order, with the same fields; faults.md keeps its notes).
const scenarios = (process.env.FAULTS_SCENARIOS ?? SCENARIOS.join(',')).split(',').filter(Boolean);
for (const s of scenarios) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s} (known: ${SCENARIOS.join(', ')})`);
const partial = SCENARIOS.some((s) => !scenarios.includes(s));
// Short clips of plain read speech keep a run at ~8 s (the whole bench ≤ 25 min).
const clipNames = (process.env.FAULTS_CLIPS ?? 'p03_librivox_sense_and_sensibility_0880,p07_pocketsphinx_goforward,p08_pocketsphinx_cards_005,p13_librispeech_61-70968-0000,p16_cmu_arctic_awb_a0007').split(',');
const clips = clipNames.map((name) => {
  const wav = join(evalDir, `${name}.wav`);
  return { name, wav, seconds: readFileSync(wav).readUInt32LE(40) / 32000, reference: readFileSync(join(evalDir, `${name}.txt`), 'utf8') };
});

await esbuild.build({
  entryPoints: { 'bench/faultsInHost': join(root, 'bench/faults/inHost.ts') }, outdir: join(root, 'dist'), bundle: true, platform: 'node', target: 'node20', format: 'cjs',
  sourcemap: 'linked', logLevel: 'warning', external: ['vscode', 'smart-whisper'],
});

const work = mkdtempSync(join(tmpdir(), 'bench-faults-'));
// The extension host's temp folder (TMPDIR); the extension's own folder in it (spill files, capture WAVs) is a small
// tmpfs, so that a full disk is a real ENOSPC from the kernel.
const hostTmp = join(work, 'tmp');
const tempRoot = join(hostTmp, `offline-dictation-${process.getuid?.() ?? 'user'}`);
mkdirSync(tempRoot, { recursive: true, mode: 0o700 });
execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', tempRoot]);
const model = join(work, 'ggml-tiny.en.bin');
copyFileSync(modelSource, model);
const out = join(work, 'result.json');
const micEnv = startVirtualMic();
if (!micEnv) throw new Error('bench:faults needs PulseAudio for the virtual microphone');
const started = Date.now();
try {
  execFileSync(process.execPath, [join(root, 'test/host/code-test-host.js'), join(root, 'test/fixtures/workspace'),
    `--extensionDevelopmentPath=${root}`, `--extensionTestsPath=${join(root, 'dist/bench/faultsInHost.js')}`, `--user-data-dir=${join(work, 'ud')}`],
  { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...micEnv, CODE_TEST_TMPDIR: hostTmp, FAULTS_OUT: out, FAULTS_MODEL: model, FAULTS_MODEL_ORIGINAL: modelSource,
    FAULTS_TEMP_ROOT: tempRoot, FAULTS_RUNS: String(runs), FAULTS_BASELINE_RUNS: process.env.FAULTS_BASELINE_RUNS ?? "2", FAULTS_SCENARIOS: scenarios.join(','), FAULTS_CLIPS: JSON.stringify(clips.map(({ reference, ...c }) => c)) } });
} finally {
  stopVirtualMic();
  spawnSync('umount', [tempRoot]);
}
const minutes = +((Date.now() - started) / 60000).toFixed(1);
const inHost = JSON.parse(readFileSync(out, 'utf8'));
if (!process.env.FAULTS_KEEP) rmSync(work, { recursive: true, force: true });

const words = (text) => normaliseForWer(text).split(' ').filter(Boolean);

/** Indices of the reference words an alignment of minimum edit distance matches exactly in `hypothesis`. */
function got(reference, hypothesis) {
  const r = words(reference);
  const h = words(hypothesis);
  const d = Array.from({ length: r.length + 1 }, (_, i) => Array.from({ length: h.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= r.length; i++) for (let j = 1; j <= h.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (r[i - 1] === h[j - 1] ? 0 : 1));
  const hits = new Set();
  for (let i = r.length, j = h.length; i > 0 && j > 0; ) {
    if (r[i - 1] === h[j - 1] && d[i][j] === d[i - 1][j - 1]) {
      hits.add(i - 1);
      i--;
      j--;
    } else if (d[i][j] === d[i - 1][j - 1] + 1) {
      i--;
      j--;
    } else if (d[i][j] === d[i - 1][j] + 1) i--;
    else j--;
  }
  return hits;
}

const reference = Object.fromEntries(clips.map((c) => [c.name, c.reference]));
/** Reference words every baseline text of the clip got. */
function reliable(clip, texts) {
  const sets = texts.map((t) => got(reference[clip], t));
  return [...(sets[0] ?? [])].filter((i) => sets.every((s) => s.has(i)));
}
const baselineGot = Object.fromEntries(clips.map((c) => [c.name, reliable(c.name, inHost.baselines.filter((b) => b.clip === c.name).map((b) => b.editor))]));
const fileBaselineGot = Object.fromEntries(clips.map((c) => [c.name, reliable(c.name, inHost.fileBaselines.filter((b) => b.clip === c.name).map((b) => b.text))]));

const detail = inHost.records.map((r) => {
  const expected = (r.scenario.startsWith('cache-') ? fileBaselineGot : baselineGot)[r.clip];
  const arrived = [r.editor, r.clipboard, ...r.history].map((t) => got(reference[r.clip], t));
  const lost = expected.filter((i) => !arrived.some((s) => s.has(i)));
  const refWords = words(reference[r.clip]);
  return { ...r, expectedWords: expected.length, wordsLost: lost.length, lostWords: lost.map((i) => refWords[i]) };
});
const measured = scenarios.map((scenario) => {
  const rows = detail.filter((d) => d.scenario === scenario);
  return {
    scenario,
    runs: rows.length,
    wordsLost: rows.reduce((n, d) => n + d.wordsLost, 0),
    orphanProcesses: rows.reduce((n, d) => n + d.orphans.length, 0),
    tempFilesLeft: rows.reduce((n, d) => n + d.tempFiles.length, 0),
    hostErrors: rows.reduce((n, d) => n + d.hostErrors.length, 0),
  };
});
mkdirSync(join(root, 'bench/results'), { recursive: true });
const resultsFile = join(root, 'bench/results/faults.json');
const detailFile = join(root, 'bench/results/faults-detail.json');
const mdFile = join(root, 'bench/results/faults.md');
const readJson = (path) => {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
};
const context = { ...runContext(), model: 'ggml-tiny.en.bin', minutes, clips: clips.map((c) => c.name), scenarios };
const baselineWordsExpected = Object.fromEntries(clips.map((c) => [c.name, `${baselineGot[c.name].length} of ${words(c.reference).length}`]));
let results = measured;
let detailOut = { context, baselines: inHost.baselines, fileBaselines: inHost.fileBaselines, baselineWordsExpected, runs: detail };
let allRuns = detail;
if (partial) {
  // A run of some scenarios: the others keep their committed figures and per-run detail; this run's baselines and
  // context are kept beside them (each scenario's words were counted against the baselines of its own run).
  const previous = readJson(resultsFile) ?? [];
  const previousDetail = readJson(detailFile);
  results = SCENARIOS.map((s) => measured.find((r) => r.scenario === s) ?? previous.find((r) => r.scenario === s)).filter(Boolean);
  const rerun = { context, baselines: inHost.baselines, fileBaselines: inHost.fileBaselines, baselineWordsExpected };
  allRuns = [...(previousDetail?.runs ?? []).filter((r) => !scenarios.includes(r.scenario)), ...detail];
  allRuns.sort((a, b) => SCENARIOS.indexOf(a.scenario) - SCENARIOS.indexOf(b.scenario) || a.run - b.run);
  detailOut = previousDetail
    ? { ...previousDetail, reruns: [...(previousDetail.reruns ?? []).filter((r) => !r.context.scenarios.some((s) => scenarios.includes(s))), rerun], runs: allRuns }
    : { ...rerun, runs: allRuns };
}
writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');
writeFileSync(detailFile, JSON.stringify(detailOut, null, 2) + '\n');
const table = results.map((r) => `| ${r.scenario} | ${r.runs} | ${r.wordsLost} | ${r.orphanProcesses} | ${r.tempFilesLeft} | ${r.hostErrors} |`).join('\n');
const lossRows = allRuns.filter((d) => d.wordsLost || d.orphans.length || d.tempFiles.length || d.hostErrors.length).map((d) => `| ${d.scenario} #${d.run} | ${d.clip} | ${d.fault} at ${d.faultAtMs} ms | ${d.wordsLost}${d.lostWords.length ? ` (${d.lostWords.join(' ')})` : ''} | ${d.orphans.length} | ${d.tempFiles.length} | ${d.hostErrors.length} | ${(d.lastError ?? '').replace(/\|/g, '/').slice(0, 160)} |`).join('\n');
// The notes below the generated part (what each figure means, scenario by scenario) are written by hand: kept.
const previousMd = (() => {
  try {
    return readFileSync(mdFile, 'utf8');
  } catch {
    return '';
  }
})();
const notesAt = previousMd.indexOf('\n## What the figures mean');
const notes = notesAt >= 0 ? previousMd.slice(notesAt) : '';
const runLine = partial
  ? `This run: ${scenarios.join(', ')} (${context.machine}; ${minutes} minutes; ${context.date}); the other scenarios' figures are from their last run (bench/results/faults-detail.json).`
  : `${context.machine}; ${minutes} minutes; ${context.date}.`;
writeFileSync(mdFile, `# Fault injection, counted (${context.date.slice(0, 10)})

\`npm run bench:faults\`: ${runs} runs per scenario, each fault at a random moment, in a real VS Code (code-server) with the
real extension, the real whisper.cpp worker (${context.model}) and real speech played into the virtual microphone
(${clips.length} short public clips with reference transcripts, in turn). File transcription for the two cache scenarios.

- **wordsLost**: reference words (normalised as for WER) aligned with each text by minimum edit distance; a word is
  lost in a run when every fault-free baseline run of the same clip got it right and none of the editor, the
  clipboard or the dictation history of the faulty run did. (So a word the model misses anyway is not lost.)
- **orphanProcesses**: recorder processes, and Whisper worker processes other than the one the client holds, still
  alive below the extension host once the run has settled (up to 5 s after stop; after deactivation: any at all).
- **tempFilesLeft**: files left in the extension's temp folder (spill files, capture WAVs) after stop.
- **hostErrors**: uncaught exceptions and unhandled rejections in the extension host during the run.

| scenario | runs | wordsLost | orphanProcesses | tempFilesLeft | hostErrors |
|---|---|---|---|---|---|
${table}

Runs with a non-zero figure:

| run | clip | fault | words lost | orphans | temp files | host errors | error the person was shown |
|---|---|---|---|---|---|---|---|
${lossRows || '| — | | | | | | | |'}

${runLine}
${notes}`);
console.log(JSON.stringify(results, null, 2));
