#!/usr/bin/env node
// `npm run bench:dictation`: the public clips are played in real time into the virtual microphone while the real
// extension dictates in a real VS Code; for every phrase we record the delay from the end of speech to the text
// being in the editor, and when its first live preview showed. Side by side: whisper.cpp's own CLI, built from the
// same sources with the same flags, same model and threads, on each phrase's audio with the full 30-s window (the
// transcription-time ratio) and on each whole clip (its word error rate). Results: bench/results/dictation.{json,md,svg}.
// The CLI times each phrase right after its clip's dictation stopped (VS Code idle, the recorder stopped): this
// machine's speed drifts (the CLI's full window took 855 ms, then 1414 ms twenty minutes later, on the same phrase),
// so a reference timed at the end of the run measured another machine. It times every phrase again after the run too
// (`transcribeToCliRatioAfterRun`), to show how far that drift goes.
// DICTATION_BENCH_MODEL (a model file) measures another model; DICTATION_BENCH_NAME names its result files, so a
// candidate's run (e.g. dictation-base-q8_0) does not replace tiny.en's figures of the real-time issue.
// Each clip is played as SoX resampled it to the virtual sink's 48 kHz (very high quality), as a microphone delivers
// its audio: the recorder's way down to 16 kHz is then the only resampling, as on a real machine.
// DICTATION_BENCH_PLAYBACK=16k plays the 16-kHz file and lets PulseAudio's default resampler make the 48 kHz (the
// figures before 2026-12-04): it keeps about 88 % of the band, a stage no microphone has, which costs whisper.cpp
// itself 4 words of 328 (bench/results/wer-sensitivity.md).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVirtualMic, stopVirtualMic } from '../../test/host/virtualMic.mjs';
import { buildBenchSubjects } from '../buildSubjects.mjs';
import { median, percentile, runContext } from '../report.mjs';
import { aggregateWer, wordErrorRate } from '../../src/core/text/wer.ts';
import { barChartSvg } from '../svgChart.mjs';

const root = join(fileURLToPath(import.meta.url), '../../..');
const evalDir = join(root, '../shared/eval/public');
const model = process.env.DICTATION_BENCH_MODEL ?? join(process.env.OFFLINE_DICTATION_CACHE ?? join(process.env.HOME, '.cache'), 'offline-dictation/models/ggml-tiny.en.bin');
const runs = Number(process.env.DICTATION_BENCH_RUNS ?? 3);
// Live takes of the same clip differ by a few words and tens of milliseconds (the audio path's blocks fall
// differently, and greedy decoding follows): every clip is dictated this many times and the figures are pooled.
const takesWanted = Number(process.env.DICTATION_BENCH_TAKES ?? 3);
const resultName = process.env.DICTATION_BENCH_NAME ?? 'dictation';
if (!/^[\w.-]+$/.test(resultName)) throw new Error(`DICTATION_BENCH_NAME must be a plain file name, not ${resultName}`);
// DICTATION_BENCH_ONLY=p07,p08 dictates only those clips (a quick check of the bench itself; not for results).
const only = process.env.DICTATION_BENCH_ONLY?.split(',').filter(Boolean);
const clips = readdirSync(evalDir).filter((f) => f.endsWith('.wav')).sort().map((f) => ({ name: basename(f, '.wav'), wav: join(evalDir, f) }))
  .filter((clip) => !only || only.some((prefix) => clip.name.startsWith(prefix)));

const { variant, whisperCli: cli } = buildBenchSubjects(root);

const work = mkdtempSync(join(tmpdir(), 'bench-dictation-'));
const out = join(work, 'phrases.json');
const phraseDir = join(work, 'phrases');
mkdirSync(phraseDir);
const playback = process.env.DICTATION_BENCH_PLAYBACK ?? '48k';
if (playback !== '16k' && playback !== '48k') throw new Error(`DICTATION_BENCH_PLAYBACK must be 16k or 48k, not ${playback}`);
const played = clips.map((clip) => {
  if (playback === '16k') return clip;
  const play = join(work, `${clip.name}.48k.wav`);
  execFileSync('sox', [clip.wav, '-c', '2', play, 'rate', '-v', '48000']);
  return { ...clip, play };
});
const threadsWanted = Math.max(1, Math.min(8, (await import('node:os')).availableParallelism()));
// The extension's threads (setting `threads` 0: one per core, at most 8), the same flags for every CLI run.
const cliArgs = ['-m', model, '-t', String(threadsWanted), '-bs', '1', '-bo', '1', '-nf', '-l', 'en'];
const micEnv = startVirtualMic();
if (!micEnv) throw new Error('bench:dictation needs PulseAudio for the virtual microphone');
try {
  execFileSync(process.execPath, [join(root, 'test/host/code-test-host.js'), join(root, 'test/fixtures/workspace'),
    `--extensionDevelopmentPath=${root}`, `--extensionTestsPath=${join(root, 'dist/bench/dictationInHost.js')}`, `--user-data-dir=${join(work, 'ud')}`],
  { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...micEnv, DICTATION_BENCH_OUT: out, DICTATION_BENCH_MODEL: model, DICTATION_BENCH_CLIPS: JSON.stringify(played), DICTATION_BENCH_PHRASES: phraseDir, DICTATION_BENCH_TAKES: String(takesWanted), DICTATION_BENCH_CLI: cli, DICTATION_BENCH_CLI_ARGS: JSON.stringify(cliArgs), DICTATION_BENCH_RUNS: String(runs) } });
} finally {
  stopVirtualMic();
}
const inHost = JSON.parse(readFileSync(out, 'utf8'));
const takes = inHost.takes ?? 1;
const threads = inHost.threads;
if (threads !== threadsWanted) throw new Error(`the extension ran ${threads} threads, the CLI ${threadsWanted}: set no \`threads\` for the benchmark`);

/** whisper.cpp's CLI on a WAV: wall time, and its own transcription time (total less model load) from its timings. */
function runCli(wav, extra = []) {
  const started = process.hrtime.bigint();
  const r = spawnSync(cli, [...cliArgs, '-f', wav, ...extra], { encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`whisper-cli failed on ${wav}: ${r.stderr}`);
  const timing = (name) => Number(new RegExp(`${name} time =\\s*([\\d.]+) ms`).exec(r.stderr)?.[1]);
  return { wallMs, transcribeMs: timing('total') - timing('load'), stdout: r.stdout };
}

// Every phrase the extension transcribed, through the CLI with the full 30-s window (its default): timed in the
// host right after the clip (cliMs; its text too: whisper.cpp on the very audio the extension heard, cut where the
// extension cut it), and again now, at the end of the run.
const phraseRows = inHost.phrases.map((p) => {
  // Without -np: the CLI prints its timings only then.
  const afterRunMs = median(Array.from({ length: runs }, () => runCli(p.wav, ['-nt']).transcribeMs));
  const cliMs = median(p.cliMs);
  const { cliMs: _runs, ...phrase } = p;
  return { ...phrase, wav: basename(p.wav), cliFullWindowMs: Math.round(cliMs), ratio: +(p.transcribeMs / cliMs).toFixed(3), cliFullWindowMsAfterRun: Math.round(afterRunMs), ratioAfterRun: +(p.transcribeMs / afterRunMs).toFixed(3) };
});
rmSync(work, { recursive: true, force: true });

// Speech start → first preview of each phrase (previews of one phrase share their speech start, to within a frame).
const previewGroups = [];
for (const p of inHost.previews) {
  const group = previewGroups.find((g) => g.clip === p.clip && g.take === p.take && Math.abs(g.speechStartedAt - p.speechStartedAt) < 100);
  if (group) group.shown.push(p.shownAt);
  else previewGroups.push({ clip: p.clip, take: p.take, speechStartedAt: p.speechStartedAt, shown: [p.shownAt] });
}
const firstPreviewMs = previewGroups.map((g) => Math.min(...g.shown) - g.speechStartedAt);
const previewIntervalsMs = previewGroups.flatMap((g) => g.shown.slice(1).map((t, i) => t - g.shown[i]));

// whisper.cpp's CLI on each whole clip (its wall time, and its text with timestamps on, as the extension decodes;
// -nt loses words on some clips): the same for every take.
const cliByClip = new Map(clips.map((clip) => {
  const cliMs = [];
  for (let i = 0; i < runs; i++) cliMs.push(runCli(clip.wav, ['-nt', '-np']).wallMs);
  const cliText = runCli(clip.wav, ['-np']).stdout.split('\n').map((l) => l.replace(/^\[[^\]]*\]\s*/, '')).join(' ').trim();
  return [clip.name, { whisperCliMs: Math.round(median(cliMs)), cliText }];
}));

/** One take of one clip. */
function resultOf(clip, take) {
  const phrases = phraseRows.filter((p) => p.clip === clip.name && (p.take ?? 1) === take);
  const { whisperCliMs, cliText } = cliByClip.get(clip.name);
  const reference = readFileSync(clip.wav.replace(/\.wav$/, '.txt'), 'utf8');
  const audioMs = Number(readFileSync(clip.wav).readUInt32LE(40)) / 32;
  const text = inHost.texts[take - 1][clip.name];
  // The text as each phrase was first inserted (greedy), before any refinement replaced it.
  const firstText = phrases.map((p) => p.text).join(' ');
  const cliPhrasesText = phrases.map((p) => p.cliText).join(' ');
  const refinements = inHost.refinements?.[take - 1]?.[clip.name] ?? { applied: 0, same: 0, dropped: 0 };
  return {
    clip: clip.name,
    take,
    audioMs: Math.round(audioMs),
    phrases: phrases.length,
    lastPhraseLatencyMs: phrases.length ? Math.round(phrases[phrases.length - 1].latencyMs) : null,
    medianPhraseLatencyMs: phrases.length ? Math.round(median(phrases.map((p) => p.latencyMs))) : null,
    transcribeMs: Math.round(phrases.reduce((s, p) => s + p.transcribeMs, 0)),
    cliFullWindowMs: Math.round(phrases.reduce((s, p) => s + p.cliFullWindowMs, 0)),
    whisperCliMs,
    previews: previewGroups.filter((g) => g.clip === clip.name && g.take === take).reduce((n, g) => n + g.shown.length, 0),
    text,
    firstText,
    refinementsApplied: refinements.applied,
    refinementsSame: refinements.same,
    refinementsDropped: refinements.dropped,
    cliText,
    score: wordErrorRate(reference, text),
    firstScore: wordErrorRate(reference, firstText),
    cliScore: wordErrorRate(reference, cliText),
    cliPhrasesScore: wordErrorRate(reference, cliPhrasesText),
  };
}
const takeNumbers = Array.from({ length: takes }, (_, i) => i + 1);
const results = takeNumbers.flatMap((take) => clips.map((clip) => resultOf(clip, take)));
// End of speech → text: phrases that ended with a pause (or when dictation stopped). A phrase cut at the length
// limit while the person kept talking has no end of speech: its delay is reported on its own.
const latencies = phraseRows.filter((p) => p.endedBy !== 'length').map((p) => p.latencyMs);
const cutDelays = phraseRows.filter((p) => p.endedBy === 'length').map((p) => Math.round(p.latencyMs));
const percent = (scores) => +(aggregateWer(scores).wer * 100).toFixed(2);
const summary = {
  ...runContext(),
  model: basename(model),
  addonVariant: variant,
  threads,
  playback,
  pauseMs: inHost.pauseMs,
  livePreview: inHost.livePreview,
  takes,
  phrases: phraseRows.length,
  // The median over takes (a take that cut a sentence in two shows in phrasesPerClipByTake).
  phrasesPerClip: Object.fromEntries(clips.map((clip) => [clip.name, median(results.filter((r) => r.clip === clip.name).map((r) => r.phrases))])),
  phrasesPerClipByTake: Object.fromEntries(clips.map((clip) => [clip.name, results.filter((r) => r.clip === clip.name).map((r) => r.phrases)])),
  medianLatencyMs: Math.round(median(latencies)),
  p90LatencyMs: Math.round(percentile(latencies, 90)),
  phrasesEndedBySpeech: latencies.length,
  phrasesCutWhileSpeaking: cutDelays.length,
  cutPhraseDelaysMs: cutDelays,
  p90LatencyAllPhrasesMs: Math.round(percentile(phraseRows.map((p) => p.latencyMs), 90)),
  speculativePhrases: phraseRows.filter((p) => p.speculative).length,
  medianFirstPreviewMs: Math.round(median(firstPreviewMs)),
  phrasesWithPreview: previewGroups.length,
  previewsShown: inHost.previews.length,
  medianPreviewIntervalMs: Math.round(median(previewIntervalsMs)),
  transcribeToCliRatio: +median(phraseRows.map((p) => p.ratio)).toFixed(3),
  medianPhraseTranscribeMs: Math.round(median(phraseRows.map((p) => p.transcribeMs))),
  medianPhraseCliFullWindowMs: Math.round(median(phraseRows.map((p) => p.cliFullWindowMs))),
  transcribeToCliRatioAfterRun: +median(phraseRows.map((p) => p.ratioAfterRun)).toFixed(3),
  medianPhraseCliFullWindowMsAfterRun: Math.round(median(phraseRows.map((p) => p.cliFullWindowMsAfterRun))),
  werExtension: percent(results.map((r) => r.score)),
  werCli: percent(results.map((r) => r.cliScore)),
  // whisper.cpp's CLI (full window, no prompt) on the phrases as the extension cut and heard them live: what the
  // live audio path and the cutting into phrases cost, apart from how the extension transcribes a phrase.
  werCliOnPhrases: percent(results.map((r) => r.cliPhrasesScore)),
  // Each take on its own, to show how much a single take varies.
  werExtensionByTake: takeNumbers.map((take) => percent(results.filter((r) => r.take === take).map((r) => r.score))),
  transcribeToCliRatioByTake: takeNumbers.map((take) => +median(phraseRows.filter((p) => (p.take ?? 1) === take).map((p) => p.ratio)).toFixed(3)),
  // Refinement (setting offlineDictation.refine): the text as first inserted, before the second pass replaced phrases.
  refine: inHost.refine ?? 'off',
  werFirstInsert: percent(results.map((r) => r.firstScore)),
  refinementsApplied: results.reduce((n, r) => n + r.refinementsApplied, 0),
  refinementsSame: results.reduce((n, r) => n + r.refinementsSame, 0),
  refinementsDropped: results.reduce((n, r) => n + r.refinementsDropped, 0),
  fallbacks: inHost.worker?.windowFallbacks ?? null,
  fallbacksByGuard: inHost.worker?.windowFallbacksByGuard ?? null,
  fittedWindowJobs: inHost.worker?.fittedWindowJobs ?? null,
  previewsAborted: inHost.worker?.jobsAborted ?? null,
  medianWhisperCliMs: Math.round(median([...cliByClip.values()].map((c) => c.whisperCliMs))),
};
mkdirSync(join(root, 'bench/results'), { recursive: true });
const errorsOf = (score) => score.substitutions + score.deletions + score.insertions;
writeFileSync(join(root, `bench/results/${resultName}.json`), JSON.stringify({ summary, results: results.map(({ score, cliScore, firstScore, cliPhrasesScore, ...r }) => ({ ...r, cliPhrasesWordErrors: errorsOf(cliPhrasesScore), wordErrors: errorsOf(score), firstInsertWordErrors: errorsOf(firstScore), cliWordErrors: errorsOf(cliScore) })), phrases: phraseRows }, null, 2) + '\n');
/** Per clip, over its takes: phrase counts per take, medians of the times, word errors summed. */
const perClip = clips.map((clip) => {
  const rows = results.filter((r) => r.clip === clip.name);
  const mid = (pick) => {
    const values = rows.map(pick).filter((v) => v !== null);
    return values.length ? Math.round(median(values)) : null;
  };
  return {
    clip: clip.name, audioMs: rows[0].audioMs, phrases: rows.map((r) => r.phrases).join('/'),
    medianPhraseLatencyMs: mid((r) => r.medianPhraseLatencyMs), lastPhraseLatencyMs: mid((r) => r.lastPhraseLatencyMs),
    transcribeMs: mid((r) => r.transcribeMs), cliFullWindowMs: mid((r) => r.cliFullWindowMs), previews: mid((r) => r.previews),
    wordErrors: rows.reduce((n, r) => n + errorsOf(r.score), 0), cliWordErrors: rows.reduce((n, r) => n + errorsOf(r.cliScore), 0),
  };
});
const table = perClip.map((r) => `| ${r.clip} | ${(r.audioMs / 1000).toFixed(1)} | ${r.phrases} | ${r.medianPhraseLatencyMs ?? '—'} | ${r.lastPhraseLatencyMs ?? '—'} | ${r.transcribeMs} | ${r.cliFullWindowMs} | ${r.previews} | ${r.wordErrors} | ${r.cliWordErrors} |`).join('\n');
writeFileSync(join(root, `bench/results/${resultName}.md`), `# Dictation latency (${summary.date.slice(0, 10)})

${summary.machine}; model ${summary.model}; ${summary.addonVariant} build; ${summary.threads} threads; greedy decoding; live preview \`${summary.livePreview}\`.
The ${clips.length} public clips played in real time into the virtual microphone${playback === '48k' ? ' (each resampled to 48 kHz by SoX first, DICTATION_BENCH_PLAYBACK=48k)' : ''} while the extension dictates in a real VS Code,
${takes} take${takes === 1 ? '' : 's'} of each; the figures pool all takes (one take's WER varies by about ±2 words: by take ${summary.werExtensionByTake.join(' / ')} %, ratio ${summary.transcribeToCliRatioByTake.join(' / ')}).

| | value |
|---|---|
| end of speech → text in the editor, median / p90 over the ${summary.phrasesEndedBySpeech} phrases that ended with a pause (the pause that ends a phrase is ${summary.pauseMs} ms) | **${summary.medianLatencyMs} / ${summary.p90LatencyMs} ms** |
| phrases cut at the 25-s length limit while the speaker went on (no end of speech): delay from the cut to the text | ${summary.phrasesCutWhileSpeaking}: ${summary.cutPhraseDelaysMs.join(', ') || '—'} ms (p90 over all ${summary.phrases} phrases with them: ${summary.p90LatencyAllPhrasesMs} ms) |
| phrases whose text was transcribed during the pause (speculatively) | ${summary.speculativePhrases} of ${summary.phrases} |
| speech start → first live preview, median over ${summary.phrasesWithPreview} phrases | ${summary.medianFirstPreviewMs} ms |
| previews shown; median time between two previews of a phrase | ${summary.previewsShown}; ${summary.medianPreviewIntervalMs} ms |
| transcription time per phrase: extension (fitted window) / whisper.cpp CLI on the same phrase WAV (full window, total less model load, timed right after the clip's dictation), median of per-phrase ratios | ${summary.transcribeToCliRatio} (${summary.medianPhraseTranscribeMs} ms / ${summary.medianPhraseCliFullWindowMs} ms) |
| the same with the CLI timed again at the end of the run (the machine's speed drifts) | ${summary.transcribeToCliRatioAfterRun} (CLI ${summary.medianPhraseCliFullWindowMsAfterRun} ms) |
| WER: text in the editor / whisper.cpp CLI on the whole clips (same model, threads, greedy, no fallback) | ${summary.werExtension} % / ${summary.werCli} % |
| WER of whisper.cpp's CLI on the extension's own phrases (the audio it heard live, cut where it cut; full window, no prompt) | ${summary.werCliOnPhrases} % |
| refinement (\`${summary.refine}\`: a monologue cut at the 25-s limit transcribed again as one piece once it ends): WER of the text as first inserted; monologues replaced / agreed / dropped | ${summary.werFirstInsert} %; ${summary.refinementsApplied} / ${summary.refinementsSame} / ${summary.refinementsDropped} |
| full-window fallbacks (window guards) / fitted-window jobs; jobs aborted inside whisper.cpp (previews and refinements that gave way to a final) | ${summary.fallbacks} / ${summary.fittedWindowJobs}; ${summary.previewsAborted} |

| clip | audio s | phrases (per take) | median phrase latency ms | last phrase latency ms | extension transcribe ms | CLI full window ms (same phrases) | previews | word errors (all takes) | CLI word errors (× takes) |
|---|---|---|---|---|---|---|---|---|---|
${table}

![chart](${resultName}.svg)
`);
writeFileSync(join(root, `bench/results/${resultName}.svg`), barChartSvg({
  title: 'Per clip: end of speech → text (last phrase), and transcription time: extension vs whisper.cpp CLI on the same phrases',
  unit: 'milliseconds',
  categories: perClip.map((r) => r.clip.replace(/^p(\d+)_.*/, 'p$1')),
  series: [
    { name: 'extension: last phrase latency (median over takes)', values: perClip.map((r) => r.lastPhraseLatencyMs ?? NaN) },
    { name: 'extension: transcription time', values: perClip.map((r) => r.transcribeMs) },
    { name: 'whisper-cli: same phrases, full window', values: perClip.map((r) => r.cliFullWindowMs) },
  ],
}));
console.log(JSON.stringify(summary, null, 2));
