#!/usr/bin/env node
// `npm run bench:files`: long-file transcription. Files of 1, 10 and 60 minutes of real speech (the public clips,
// one after another with a second of silence, repeated) are transcribed by the project's CLI (chunked, streamed from
// disk) and by whisper.cpp's own CLI built from the same sources, with the same model, threads and decoding (greedy,
// no temperature fallback, timestamps: the CLI's default output, and what subtitles need). whisper-cli's `-nt` is
// not the reference: without timestamps it decodes each 30-s window blind to where speech was cut, and on these
// files it lost about 40 % of the words.
// For each: wall time, real-time factor, peak RSS (the whole process tree, sampled from /proc) and word error rate.
// Results: bench/results/files.{json,md,svg}.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wordErrorRate } from '../../src/core/text/wer.ts';
import { buildBenchSubjects } from '../buildSubjects.mjs';
import { median, runContext } from '../report.mjs';
import { barChartSvg } from '../svgChart.mjs';

const root = join(fileURLToPath(import.meta.url), '../../..');
const evalDir = join(root, '../shared/eval/public');
const model = process.env.FILES_BENCH_MODEL ?? join(process.env.OFFLINE_DICTATION_CACHE ?? join(process.env.HOME, '.cache'), 'offline-dictation/models/ggml-tiny.en.bin');
const minutesList = (process.env.FILES_BENCH_MINUTES ?? '1,10,60').split(',').map(Number);
const threads = Math.min(8, availableParallelism());
const clips = readdirSync(evalDir).filter((f) => f.endsWith('.wav')).sort();

const { variant, whisperCli } = buildBenchSubjects(root);

const work = mkdtempSync(join(tmpdir(), 'bench-files-'));

/** Each public clip resampled to 16 kHz mono with a second of silence after it, its length and its words. */
function paddedClips() {
  return clips.map((c, i) => {
    const path = join(work, `clip-${i}.wav`);
    execFileSync('sox', [join(evalDir, c), '-r', '16000', '-c', '1', '-b', '16', path, 'pad', '0', '1']);
    return { path, seconds: Number(execFileSync('soxi', ['-D', path], { encoding: 'utf8' })), words: readFileSync(join(evalDir, c.replace(/\.wav$/, '.txt')), 'utf8').trim() };
  });
}

/**
 * A file of `minutes` of speech (±2 s): the clips one after another, over and over, skipping a clip that would pass
 * the length (whole clips only, so the reference transcript is exact).
 */
function makeLongFile(padded, minutes) {
  const target = minutes * 60;
  const chosen = [];
  let seconds = 0;
  for (let i = 0, misses = 0; seconds < target - 2 && misses < padded.length; i++) {
    const clip = padded[i % padded.length];
    if (seconds + clip.seconds > target + 2) {
      misses++;
      continue;
    }
    misses = 0;
    chosen.push(clip);
    seconds += clip.seconds;
  }
  const out = join(work, `speech-${minutes}min.wav`);
  // A few hundred clip paths on sox's command line (an hour is ~400 clips) fit easily.
  execFileSync('sox', [...chosen.map((c) => c.path), out]);
  return { path: out, seconds: Number(execFileSync('soxi', ['-D', out], { encoding: 'utf8' })), reference: chosen.map((c) => c.words).join(' ') };
}

/** Sum of VmRSS over a process and its descendants, in MB. */
function treeRssMB(pid) {
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    try {
      total += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0) / 1024;
      for (const task of readdirSync(`/proc/${p}/task`)) {
        const children = readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
        if (children) stack.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // exited between listing and reading
    }
  }
  return total;
}

/** Runs a command, sampling the RSS of its process tree every 50 ms; resolves with wall time, peak RSS, stdout. */
function measured(command, args) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, treeRssMB(child.pid))), 50);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      clearInterval(timer);
      if (code !== 0) return reject(new Error(`${basename(command)} exited with ${code}: ${stderr.slice(-2000)}`));
      resolve({ wallMs: Number(process.hrtime.bigint() - started) / 1e6, peakRssMB: peak, stdout });
    });
  });
}

const padded = paddedClips();
const results = [];
try {
  for (const minutes of minutesList) {
    const file = makeLongFile(padded, minutes);
    console.log(`bench:files: ${minutes} min (${file.seconds.toFixed(0)} s of audio)`);
    const ours = await measured(process.execPath, [join(root, 'dist/cli.js'), 'transcribe', file.path, '--model', model, '--format', 'txt', '--no-cache']);
    const reference = await measured(whisperCli, ['-m', model, '-f', file.path, '-t', String(threads), '-bs', '1', '-bo', '1', '-nf', '-np', '-l', 'en']);
    // "[00:00:00.000 --> 00:00:04.360]   words": the words only.
    reference.stdout = reference.stdout.replace(/^\[[^\]]*-->[^\]]*\]/gm, ' ');
    const row = { minutes, audioSeconds: +file.seconds.toFixed(1) };
    for (const [name, run] of [['project', ours], ['whisperCli', reference]]) {
      row[name] = {
        wallSeconds: +(run.wallMs / 1000).toFixed(1),
        realTimeFactor: +(run.wallMs / 1000 / file.seconds).toFixed(4),
        peakRssMB: +run.peakRssMB.toFixed(1),
        wer: +(wordErrorRate(file.reference, run.stdout).wer * 100).toFixed(2),
      };
    }
    row.speedRatio = +(row.whisperCli.wallSeconds / row.project.wallSeconds).toFixed(2);
    console.log(JSON.stringify(row));
    results.push(row);
    rmSync(file.path, { force: true });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const first = results[0];
const last = results[results.length - 1];
const summary = {
  ...runContext(),
  model: basename(model),
  addonVariant: variant,
  threads,
  projectPeakRssGrowthPct: +(((last.project.peakRssMB - first.project.peakRssMB) / first.project.peakRssMB) * 100).toFixed(1),
  whisperCliPeakRssGrowthPct: +(((last.whisperCli.peakRssMB - first.whisperCli.peakRssMB) / first.whisperCli.peakRssMB) * 100).toFixed(1),
  medianSpeedRatio: median(results.map((r) => r.speedRatio)),
};
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/files.json'), JSON.stringify({ summary, results }, null, 2) + '\n');
const table = results
  .map((r) => `| ${r.minutes} min | ${r.project.wallSeconds} | ${r.whisperCli.wallSeconds} | ${r.project.realTimeFactor} | ${r.whisperCli.realTimeFactor} | ${r.speedRatio}× | ${r.project.peakRssMB} | ${r.whisperCli.peakRssMB} | ${r.project.wer} | ${r.whisperCli.wer} |`)
  .join('\n');
writeFileSync(join(root, 'bench/results/files.md'), `# Long-file transcription (${summary.date.slice(0, 10)})

${summary.machine}; model ${summary.model}; ${summary.addonVariant} build; ${summary.threads} threads; greedy decoding without temperature fallback, with timestamps, both sides.
Project: \`node dist/cli.js transcribe FILE --no-cache\` (chunked, streamed from disk, Whisper in its own process).
Reference: whisper.cpp's own CLI built from the same sources with the same flags (\`-t ${summary.threads} -bs 1 -bo 1 -nf\`). Peak RSS covers the whole process tree.

| speech | project s | whisper-cli s | project RTF | whisper-cli RTF | speed (cli time / project time) | project peak RSS MB | whisper-cli peak RSS MB | project WER % | whisper-cli WER % |
|---|---|---|---|---|---|---|---|---|---|
${table}

Peak RSS from the shortest to the longest file: project **${summary.projectPeakRssGrowthPct} %**, whisper-cli ${summary.whisperCliPeakRssGrowthPct} %.

![chart](files.svg)
`);
writeFileSync(join(root, 'bench/results/files.svg'), barChartSvg({
  title: 'Peak RSS (MB) and wall time (s) by length of speech: project vs whisper.cpp CLI',
  unit: 'MB / s',
  categories: results.map((r) => `${r.minutes} min`),
  series: [
    { name: 'project peak RSS MB', values: results.map((r) => r.project.peakRssMB) },
    { name: 'whisper-cli peak RSS MB', values: results.map((r) => r.whisperCli.peakRssMB) },
    { name: 'project wall s', values: results.map((r) => r.project.wallSeconds) },
    { name: 'whisper-cli wall s', values: results.map((r) => r.whisperCli.wallSeconds) },
  ],
}));
console.log(JSON.stringify(summary, null, 2));
