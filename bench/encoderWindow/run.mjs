// `npm run bench:window`: how the encoder window (`audio_ctx`) changes transcription time and accuracy, on the
// public clips cut into phrases exactly as dictation cuts them (the real segmenter, a 700-ms pause), through the
// extension's own worker path (WhisperClient → worker process → the project's whisper.cpp addon).
// Each configuration transcribes every phrase; a clip's text is its phrases' texts joined, scored against the
// clip's reference. Configurations: the full 30-s window; windows fitted to the phrase with 0, 64, 128, 192 and
// 256 frames of padding, each without and with the window guards (which transcribe again with the full window
// when they trip); flash attention on and off; 1 and 2 threads. The padding and the guard thresholds of
// src/core/transcription/encoderWindow.ts were chosen from this table. A decoding table sets greedy decoding beside
// beam search (word errors, time, the ratio to whisper.cpp's CLI) and gives the CLI's own WER on the whole clips.
// Results: bench/results/encoder-window.{json,md,svg}. Run it alone: on 2 cores anything beside it spoils the times.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PhraseSegmenter } from '../../src/core/vad/phraseSegmenter.ts';
import { aggregateWer, wordErrorRate } from '../../src/core/text/wer.ts';
import { fittedAudioContext, windowGuardTrip, DEFAULT_WINDOW_PADDING_FRAMES } from '../../src/core/transcription/encoderWindow.ts';
import { acceptTranscript } from '../../src/core/text/transcriptFilter.ts';
import { composePrompt } from '../../src/core/vocabulary/vocabularyPrompt.ts';
import { encodePcm16Wav } from '../../src/core/audio/wav.ts';
import { readWavAs16kMono } from '../../src/node/audio/wavFile.ts';
import { addonCandidates } from '../../src/node/whisper/addonVariant.ts';
import { WhisperClient } from '../../src/node/whisper/client.ts';
import { fixtureModelPath } from '../../src/node/model/fixtureModel.ts';
import { baseFixtureModelPath } from '../../src/node/model/baseFixture.ts';
import { median, percentile, runContext } from '../report.mjs';
import { barChartSvg } from '../svgChart.mjs';
import { buildBenchSubjects } from '../buildSubjects.mjs';

const root = join(fileURLToPath(import.meta.url), '../../..');
const evalDir = join(root, '../shared/eval/public');
// `npm run bench:window -- base`: the multilingual base model (npm run model:fixture -- base), fewer configurations.
const which = process.argv[2] ?? 'tiny.en';
if (!['tiny.en', 'base'].includes(which)) throw new Error(`bench:window takes tiny.en or base, not ${which}`);
const model = process.env.DICTATION_BENCH_MODEL ?? (which === 'base' ? baseFixtureModelPath() : fixtureModelPath());
const suffix = which === 'base' ? '-base' : '';

const PADDINGS = [0, 64, 128, 192, 256, 384, 512];
const ENDPOINTING_PAUSES = which === 'base' ? [] : [500, 600, 700, 900];
const allConfigs = [
  { name: 'full window', audioContext: 0 },
  ...PADDINGS.flatMap((padding) => [
    { name: `fit +${padding}, no guards`, audioContext: 'fit', padding, guards: false },
    { name: `fit +${padding}, guarded`, audioContext: 'fit', padding, guards: true },
  ]),
  { name: 'full window, flash attention', audioContext: 0, flashAttention: true },
  { name: `fit +${DEFAULT_WINDOW_PADDING_FRAMES}, guarded, flash attention`, audioContext: 'fit', padding: DEFAULT_WINDOW_PADDING_FRAMES, guards: true, flashAttention: true },
  { name: 'full window, 1 thread', audioContext: 0, threads: 1 },
  { name: `fit +${DEFAULT_WINDOW_PADDING_FRAMES}, guarded, 1 thread`, audioContext: 'fit', padding: DEFAULT_WINDOW_PADDING_FRAMES, guards: true, threads: 1 },
];
const configs = which === 'base'
  ? allConfigs.filter((c) => c.name === 'full window' || (c.audioContext === 'fit' && [128, 256].includes(c.padding) && !c.flashAttention && !c.threads))
  : allConfigs;

async function phrasesOfClips(segmenterConfig = {}) {
  const clips = [];
  const phrases = [];
  for (const file of readdirSync(evalDir).filter((f) => f.endsWith('.wav')).sort()) {
    const name = basename(file, '.wav');
    const pcm = await readWavAs16kMono(join(evalDir, file));
    // Dictation hears the clip after a stretch of room silence (the segmenter's noise floor settles on it).
    const withLead = new Float32Array(16000 + pcm.length + 16000);
    withLead.set(pcm, 16000);
    let index = 0;
    const segmenter = new PhraseSegmenter((p) => phrases.push({ clip: name, index: index++, samples: p.samples }), { pauseMs: 700, ...segmenterConfig });
    segmenter.push(withLead);
    segmenter.flush();
    clips.push({ name, reference: readFileSync(join(evalDir, `${name}.txt`), 'utf8'), seconds: pcm.length / 16000 });
  }
  return { clips, phrases };
}

async function main() {
  const { variant, whisperCli } = buildBenchSubjects(root);
  const { clips, phrases } = await phrasesOfClips();
  const rows = [];
  const perPhrase = phrases.map((p) => ({ clip: p.clip, index: p.index, seconds: +(p.samples.length / 16000).toFixed(2), fittedAudioContext: fittedAudioContext(p.samples.length) }));
  for (const config of configs) {
    const client = new WhisperClient({ workerScript: join(root, 'dist/whisperWorker.js'), host: 'process', addonCandidates: addonCandidates(root), idleUnloadMs: 0, flashAttention: config.flashAttention });
    try {
      await client.ensureModel(model);
      // One untimed warm-up: the first transcription pays for page faults of the weights.
      await client.transcribe(phrases[0].samples, { language: 'en', threads: config.threads ?? 2, beamSize: 1, audioContext: 0 });
      const texts = new Map();
      const times = [];
      let fallbacks = 0;
      let loops = 0;
      const byGuard = {};
      for (const [i, phrase] of phrases.entries()) {
        const result = await client.transcribe(phrase.samples, {
          language: 'en', threads: config.threads ?? 2, beamSize: 1, audioContext: config.audioContext, timestamps: false,
          windowPaddingFrames: config.padding, windowGuards: config.guards,
        });
        times.push(result.elapsedMs);
        if (result.fallback) {
          fallbacks++;
          byGuard[result.fallback] = (byGuard[result.fallback] ?? 0) + 1;
        }
        // A text the guards would reject (judged on the text alone, as an unguarded run has no token counts).
        if (windowGuardTrip({ text: result.text }, phrase.samples.length)) loops++;
        const kept = acceptTranscript(result.text, { speechMs: 1000, speechDbfs: -20 }) ?? '';
        texts.set(phrase.clip, [...(texts.get(phrase.clip) ?? []), kept]);
        perPhrase[i][config.name] = { ms: result.elapsedMs, text: result.text, ...(result.fallback ? { fallback: result.fallback } : {}) };
      }
      const scores = clips.map((clip) => wordErrorRate(clip.reference, (texts.get(clip.name) ?? []).join(' ')));
      const total = aggregateWer(scores);
      const row = {
        config: config.name,
        audioContext: config.audioContext,
        paddingFrames: config.padding ?? null,
        guards: !!config.guards,
        flashAttention: !!config.flashAttention,
        threads: config.threads ?? 2,
        werPercent: +(total.wer * 100).toFixed(2),
        wordErrors: total.substitutions + total.deletions + total.insertions,
        referenceWords: total.refWords,
        medianPhraseMs: Math.round(median(times)),
        p90PhraseMs: Math.round(percentile(times, 90)),
        totalMs: Math.round(times.reduce((a, b) => a + b, 0)),
        fallbacks,
        fallbacksByGuard: byGuard,
        textsTheGuardsReject: loops,
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    } finally {
      await client.shutdown();
    }
  }

  // Endpointing: the pause that ends a phrase, with the chosen window. More phrases per clip means sentences cut.
  const endpointing = [];
  const client = new WhisperClient({ workerScript: join(root, 'dist/whisperWorker.js'), host: 'process', addonCandidates: addonCandidates(root), idleUnloadMs: 0 });
  try {
    await client.ensureModel(model);
    for (const pauseMs of ENDPOINTING_PAUSES) {
      const cut = await phrasesOfClips({ pauseMs });
      const texts = new Map();
      for (const phrase of cut.phrases) {
        const result = await client.transcribe(phrase.samples, { language: 'en', threads: 2, beamSize: 1, audioContext: 'fit', timestamps: false });
        texts.set(phrase.clip, [...(texts.get(phrase.clip) ?? []), acceptTranscript(result.text, { speechMs: 1000, speechDbfs: -20 }) ?? '']);
      }
      const total = aggregateWer(cut.clips.map((clip) => wordErrorRate(clip.reference, (texts.get(clip.name) ?? []).join(' '))));
      const perClip = Object.fromEntries(cut.clips.map((clip) => [clip.name, cut.phrases.filter((p) => p.clip === clip.name).length]));
      const row = { pauseMs, phrases: cut.phrases.length, werPercent: +(total.wer * 100).toFixed(2), wordErrors: total.substitutions + total.deletions + total.insertions, phrasesPerClip: perClip };
      endpointing.push(row);
      console.log(JSON.stringify(row));
    }
  } finally {
    await client.shutdown();
  }

  // Decoding, with the chosen window: what beam search would buy against greedy decoding, and what it costs, beside
  // whisper.cpp's CLI (the real-time issue's references: greedy, the full window, each phrase for the time ratio and
  // each whole clip for the word error rate). Dictation prompts each phrase with the end of the one before it.
  const decoding = which === 'base' ? null : await decodingTable(clips, phrases, whisperCli);

  // What real speech reaches, for the guard thresholds: the full window's texts.
  const full = perPhrase.map((p) => ({ seconds: p.seconds, text: p['full window'].text }));
  const wordsPerSecond = full.map((p) => p.text.split(/\s+/).filter(Boolean).length / Math.max(1, p.seconds));
  const summary = {
    ...runContext(),
    model: basename(model),
    addonVariant: variant,
    phrases: phrases.length,
    clips: clips.length,
    audioSeconds: +clips.reduce((s, c) => s + c.seconds, 0).toFixed(1),
    maxWordsPerSecondFullWindow: +Math.max(...wordsPerSecond).toFixed(2),
    chosenPaddingFrames: DEFAULT_WINDOW_PADDING_FRAMES,
  };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, `bench/results/encoder-window${suffix}.json`), JSON.stringify({ summary, rows, endpointing, ...(decoding ? { decoding } : {}), phrases: perPhrase }, null, 2) + '\n');
  const table = rows.map((r) => `| ${r.config} | ${r.werPercent} | ${r.wordErrors} | ${r.medianPhraseMs} | ${r.p90PhraseMs} | ${r.totalMs} | ${r.fallbacks}${Object.keys(r.fallbacksByGuard).length ? ` (${Object.entries(r.fallbacksByGuard).map(([g, n]) => `${g} ${n}`).join(', ')})` : ''} | ${r.textsTheGuardsReject} |`).join('\n');
  writeFileSync(join(root, `bench/results/encoder-window${suffix}.md`), `# Encoder window per phrase (${summary.date.slice(0, 10)})

${summary.machine}; model ${summary.model}; ${summary.addonVariant} build; greedy decoding; 2 threads unless said.
The ${summary.clips} public clips (${summary.audioSeconds} s, ${rows[0]?.referenceWords} reference words) cut into ${summary.phrases} phrases by the dictation
segmenter (700-ms pause); every phrase transcribed through the extension's worker as dictation does (greedy, no timestamps). WER over the clips (phrase texts joined,
normalised). "fit +N": \`audio_ctx\` = the phrase's frames (50 per second) + N, rounded up to 64. "guarded": a transcript that
reaches the token cap, has more than 5 words per second, repeats a word 4× / a phrase 3× in a row or is one run of words said
twice is transcribed again with
the full window (counted as a fallback). "texts the guards reject": final texts that still fail the text guards.
Real speech in the full window reached at most ${summary.maxWordsPerSecondFullWindow} words per second.

| configuration | WER % | word errors | median ms per phrase | p90 ms | total ms | fallbacks | texts the guards reject |
|---|---|---|---|---|---|---|---|
${table}

Chosen: padding ${summary.chosenPaddingFrames} frames with the guards, for dictation and previews. Per-phrase texts and times: encoder-window${suffix}.json.

## Endpointing: the pause that ends a phrase

The same clips cut with each pause (500-ms pre-roll, 400-ms trail), transcribed with the chosen window. More phrases per clip
means sentences cut in two, which costs words at the seams.

| pause ms | phrases | WER % | word errors | clips cut into more than one phrase |
|---|---|---|---|---|
${endpointing.map((r) => `| ${r.pauseMs} | ${r.phrases} | ${r.werPercent} | ${r.wordErrors} | ${Object.entries(r.phrasesPerClip).filter(([, n]) => n > 1).map(([c, n]) => `${c.replace(/^(p\d+)_.*/, '$1')}: ${n}`).join(', ')} |`).join('\n')}

${decoding ? decodingMarkdown(decoding) : ''}![chart](encoder-window${suffix}.svg)
`);
  writeFileSync(join(root, `bench/results/encoder-window${suffix}.svg`), barChartSvg({
    title: 'Median transcription time per phrase, and WER, by encoder window',
    unit: 'ms / WER × 100',
    categories: rows.map((r) => r.config.replace('fit ', '').replace(', no guards', ' raw').replace(', guarded', ' g').replace('full window', 'full').replace('flash attention', 'FA').replace('1 thread', '1t')),
    series: [
      { name: 'median ms per phrase', values: rows.map((r) => r.medianPhraseMs) },
      { name: 'WER % × 100', values: rows.map((r) => r.werPercent * 100) },
    ],
  }));
  console.log(JSON.stringify(summary, null, 2));
}

const DECODINGS = [
  { name: 'greedy, no prompt', beamSize: 1, prompt: false },
  { name: 'greedy, previous phrase as prompt (dictation)', beamSize: 1, prompt: true },
  { name: 'beam 3, previous phrase as prompt', beamSize: 3, prompt: true },
  { name: 'beam 5, previous phrase as prompt', beamSize: 5, prompt: true },
];

/** whisper.cpp's CLI on a WAV (temperature fallback off, as in the worker): its text and its own time less the load. */
function runCli(cli, wav, extra) {
  const r = spawnSync(cli, ['-m', model, '-t', '2', '-nf', '-l', 'en', '-nt', '-f', wav, ...extra], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`whisper-cli failed on ${wav}: ${r.stderr}`);
  const timing = (name) => Number(new RegExp(`${name} time =\\s*([\\d.]+) ms`).exec(r.stderr)?.[1]);
  return { text: r.stdout.replace(/\s+/g, ' ').trim(), ms: timing('total') - timing('load') };
}

async function decodingTable(clips, phrases, cli) {
  const work = mkdtempSync(join(tmpdir(), 'bench-window-'));
  try {
    const greedy = ['-bs', '1', '-bo', '1'];
    const cliPhraseMs = phrases.map((p, i) => {
      const wav = join(work, `phrase-${i}.wav`);
      writeFileSync(wav, encodePcm16Wav(p.samples, 16000));
      return median([0, 1, 2].map(() => runCli(cli, wav, greedy).ms));
    });
    const cliRows = [['whisper.cpp CLI, whole clips, greedy', greedy], ['whisper.cpp CLI, whole clips, beam 5', ['-bs', '5', '-bo', '5']]].map(([name, flags]) => {
      const total = aggregateWer(clips.map((clip) => wordErrorRate(clip.reference, runCli(cli, join(evalDir, `${clip.name}.wav`), flags).text)));
      return { name, werPercent: +(total.wer * 100).toFixed(2), wordErrors: total.substitutions + total.deletions + total.insertions };
    });
    const rows = [];
    const client = new WhisperClient({ workerScript: join(root, 'dist/whisperWorker.js'), host: 'process', addonCandidates: addonCandidates(root), idleUnloadMs: 0 });
    try {
      await client.ensureModel(model);
      await client.transcribe(phrases[0].samples, { language: 'en', threads: 2, beamSize: 1, audioContext: 0 });
      for (const decoding of DECODINGS) {
        const texts = new Map();
        const times = [];
        for (const phrase of phrases) {
          const before = (texts.get(phrase.clip) ?? []).join(' ');
          const result = await client.transcribe(phrase.samples, {
            language: 'en', threads: 2, beamSize: decoding.beamSize, audioContext: 'fit', timestamps: false,
            initialPrompt: decoding.prompt ? composePrompt(undefined, before) : undefined,
          });
          times.push(result.elapsedMs);
          texts.set(phrase.clip, [...(texts.get(phrase.clip) ?? []), acceptTranscript(result.text, { speechMs: 1000, speechDbfs: -20 }) ?? '']);
        }
        const total = aggregateWer(clips.map((clip) => wordErrorRate(clip.reference, (texts.get(clip.name) ?? []).join(' '))));
        const row = {
          name: decoding.name, beamSize: decoding.beamSize, prompt: decoding.prompt,
          werPercent: +(total.wer * 100).toFixed(2), wordErrors: total.substitutions + total.deletions + total.insertions,
          medianPhraseMs: Math.round(median(times)), p90PhraseMs: Math.round(percentile(times, 90)),
          medianRatioToCliFullWindow: +median(times.map((ms, i) => ms / cliPhraseMs[i])).toFixed(3),
        };
        rows.push(row);
        console.log(JSON.stringify(row));
      }
    } finally {
      await client.shutdown();
    }
    return { medianCliPhraseFullWindowMs: Math.round(median(cliPhraseMs)), rows, cli: cliRows };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function decodingMarkdown(d) {
  return `## Decoding: greedy or beam search

The same phrases with the chosen window and guards, decoded as dictation does (each phrase prompted with the end of the
one before it) and with beam search; the ratio is each phrase's time over whisper.cpp's CLI on the same phrase with
the full window, greedy (median ${d.medianCliPhraseFullWindowMs} ms), as \`transcribeToCliRatio\` is in bench:dictation.

| decoding | WER % | word errors | median ms per phrase | p90 ms | median ratio to the CLI |
|---|---|---|---|---|---|
${d.rows.map((r) => `| ${r.name} | ${r.werPercent} | ${r.wordErrors} | ${r.medianPhraseMs} | ${r.p90PhraseMs} | ${r.medianRatioToCliFullWindow} |`).join('\n')}
${d.cli.map((r) => `| ${r.name} | ${r.werPercent} | ${r.wordErrors} | | | |`).join('\n')}

`;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
