// `npm run bench:window`: how the encoder window (`audio_ctx`) changes transcription time and accuracy, on the
// public clips cut into phrases exactly as dictation cuts them (the real segmenter, a 700-ms pause), through the
// extension's own worker path (WhisperClient → worker process → the project's whisper.cpp addon).
// Each configuration transcribes every phrase; a clip's text is its phrases' texts joined, scored against the
// clip's reference. Configurations: the full 30-s window; windows fitted to the phrase with 0 to 512 frames of
// padding and with the tapered padding dictation uses (256 frames, less for long phrases), each without and with the
// window guards (which transcribe again with the full window when they trip); flash attention on and off; 1 and 2
// threads. The padding and the guard thresholds of src/core/transcription/encoderWindow.ts were chosen from this
// table and from a second one: the phrases longer than 3.8 s (where the taper changes the window) of the public clips
// and of Asterisk's English prompts (Debian's asterisk-core-sounds-en, a professional voice, with transcripts). A decoding table sets greedy decoding beside
// beam search (word errors, time, the ratio to whisper.cpp's CLI) and gives the CLI's own WER on the whole clips.
// Results: bench/results/encoder-window.{json,md,svg}. Run it alone: on 2 cores anything beside it spoils the times.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { PhraseSegmenter } from '../../src/core/vad/phraseSegmenter.ts';
import { aggregateWer, wordErrorRate } from '../../src/core/text/wer.ts';
import { fittedAudioContext, windowGuardTrip, DEFAULT_WINDOW_PADDING } from '../../src/core/transcription/encoderWindow.ts';
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
const { minFrames, maxFrames, minWindowFrames } = DEFAULT_WINDOW_PADDING;
const TAPERED = `fit tapered (+${maxFrames}…+${minFrames}, window ≥ ${minWindowFrames})`;
const ENDPOINTING_PAUSES = which === 'base' ? [] : [500, 600, 700, 900];
const allConfigs = [
  { name: 'full window', audioContext: 0 },
  ...PADDINGS.flatMap((padding) => [
    { name: `fit +${padding}, no guards`, audioContext: 'fit', padding, guards: false },
    { name: `fit +${padding}, guarded`, audioContext: 'fit', padding, guards: true },
  ]),
  // No `padding`: the worker's default, DEFAULT_WINDOW_PADDING (tapered).
  { name: TAPERED, audioContext: 'fit', guards: false },
  { name: `${TAPERED}, guarded`, audioContext: 'fit', guards: true },
  { name: 'full window, flash attention', audioContext: 0, flashAttention: true },
  { name: `${TAPERED}, guarded, flash attention`, audioContext: 'fit', guards: true, flashAttention: true },
  { name: 'full window, 1 thread', audioContext: 0, threads: 1 },
  { name: `${TAPERED}, guarded, 1 thread`, audioContext: 'fit', guards: true, threads: 1 },
];
const configs = which === 'base'
  ? allConfigs.filter((c) => c.name === 'full window' || c.name === `${TAPERED}, guarded` || (c.audioContext === 'fit' && [128, 256].includes(c.padding) && !c.flashAttention && !c.threads))
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
  // Every phrase goes through every configuration before the next phrase: this machine's speed drifts (the full
  // window's median was 1.4 s in one run and 1.0 s in the next, half an hour later), and interleaved, the drift falls
  // on all configurations alike. One worker per flash-attention setting (a model-load option), both loaded throughout.
  const clients = new Map();
  const state = configs.map(() => ({ texts: new Map(), times: [], fallbacks: 0, loops: 0, byGuard: {} }));
  try {
    for (const flash of [...new Set(configs.map((c) => !!c.flashAttention))]) {
      const client = new WhisperClient({ workerScript: join(root, 'dist/whisperWorker.js'), host: 'process', addonCandidates: addonCandidates(root), idleUnloadMs: 0, flashAttention: flash });
      clients.set(flash, client);
      await client.ensureModel(model);
      // One untimed warm-up per worker: the first transcription pays for page faults of the weights.
      await client.transcribe(phrases[0].samples, { language: 'en', threads: 2, beamSize: 1, audioContext: 0 });
    }
    for (const [i, phrase] of phrases.entries()) {
      for (const [c, config] of configs.entries()) {
        const result = await clients.get(!!config.flashAttention).transcribe(phrase.samples, {
          language: 'en', threads: config.threads ?? 2, beamSize: 1, audioContext: config.audioContext, timestamps: false,
          windowPaddingFrames: config.padding, windowGuards: config.guards,
        });
        const st = state[c];
        st.times.push(result.elapsedMs);
        if (result.fallback) {
          st.fallbacks++;
          st.byGuard[result.fallback] = (st.byGuard[result.fallback] ?? 0) + 1;
        }
        // A text the guards would reject (judged on the text alone, as an unguarded run has no token counts).
        if (windowGuardTrip({ text: result.text }, phrase.samples.length)) st.loops++;
        const kept = acceptTranscript(result.text, { speechMs: 1000, speechDbfs: -20 }) ?? '';
        st.texts.set(phrase.clip, [...(st.texts.get(phrase.clip) ?? []), kept]);
        perPhrase[i][config.name] = { ms: result.elapsedMs, text: result.text, ...(result.fallback ? { fallback: result.fallback } : {}) };
      }
    }
  } finally {
    for (const client of clients.values()) await client.shutdown();
  }
  for (const [c, config] of configs.entries()) {
    const { texts, times, fallbacks, loops, byGuard } = state[c];
    const total = aggregateWer(clips.map((clip) => wordErrorRate(clip.reference, (texts.get(clip.name) ?? []).join(' '))));
    const row = {
      config: config.name,
      audioContext: config.audioContext,
      paddingFrames: config.padding ?? (config.audioContext === 'fit' ? 'tapered' : null),
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

  // Long phrases, where the taper gives less padding than 256 frames: more of them than the public clips hold.
  const longPhrases = which === 'base' ? null : await longPhraseTable(phrases, clips);

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
    chosenPadding: DEFAULT_WINDOW_PADDING,
  };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, `bench/results/encoder-window${suffix}.json`), JSON.stringify({ summary, rows, endpointing, ...(decoding ? { decoding } : {}), ...(longPhrases ? { longPhrases } : {}), phrases: perPhrase }, null, 2) + '\n');
  const table = rows.map((r) => `| ${r.config} | ${r.werPercent} | ${r.wordErrors} | ${r.medianPhraseMs} | ${r.p90PhraseMs} | ${r.totalMs} | ${r.fallbacks}${Object.keys(r.fallbacksByGuard).length ? ` (${Object.entries(r.fallbacksByGuard).map(([g, n]) => `${g} ${n}`).join(', ')})` : ''} | ${r.textsTheGuardsReject} |`).join('\n');
  writeFileSync(join(root, `bench/results/encoder-window${suffix}.md`), `# Encoder window per phrase (${summary.date.slice(0, 10)})

${summary.machine}; model ${summary.model}; ${summary.addonVariant} build; greedy decoding; 2 threads unless said.
The ${summary.clips} public clips (${summary.audioSeconds} s, ${rows[0]?.referenceWords} reference words) cut into ${summary.phrases} phrases by the dictation
segmenter (700-ms pause); every phrase transcribed through the extension's worker as dictation does (greedy, no timestamps). WER over the clips (phrase texts joined,
normalised). "fit +N": \`audio_ctx\` = the phrase's frames (50 per second) + N, rounded up to 64; "tapered": N is ${maxFrames}, less for a
long phrase, as much as brings the window to ${minWindowFrames} frames, and at least ${minFrames}. "guarded": a transcript that
reaches the token cap, has more than 5 words per second, repeats a word 4× / a phrase 3× in a row or is one run of words said
twice is transcribed again with
the full window (counted as a fallback). "texts the guards reject": final texts that still fail the text guards.
Real speech in the full window reached at most ${summary.maxWordsPerSecondFullWindow} words per second.

| configuration | WER % | word errors | median ms per phrase | p90 ms | total ms | fallbacks | texts the guards reject |
|---|---|---|---|---|---|---|---|
${table}

Chosen: the tapered padding (${maxFrames} frames, down to ${minFrames} for long phrases, so that the window is at least ${minWindowFrames} frames) with the
guards, for dictation, previews and the short pieces of files. Per-phrase texts and times: encoder-window${suffix}.json.

${longPhrases ? longPhraseMarkdown(longPhrases) : ''}
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
    categories: rows.map((r) => r.config.replace(TAPERED, 'tapered').replace('fit ', '').replace(', no guards', ' raw').replace(', guarded', ' g').replace('full window', 'full').replace('flash attention', 'FA').replace('1 thread', '1t')),
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

/** Reads any audio file as 16-kHz mono through SoX. */
function pcmOf(path) {
  const raw = execFileSync('sox', [path, '-t', 'raw', '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-L', '-'], { maxBuffer: 1 << 28 });
  const pcm16 = new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength >> 1);
  return Float32Array.from(pcm16, (s) => s / 32768);
}

/** Asterisk's English prompts with their transcripts (Debian's asterisk-core-sounds-en and -wav), 3.5 to 28 s long. */
function asteriskPrompts() {
  const dir = '/usr/share/asterisk/sounds/en';
  const listing = '/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz';
  if (!existsSync(dir) || !existsSync(listing)) throw new Error('bench:window needs the asterisk-core-sounds-en and asterisk-core-sounds-en-wav packages (apt-get install)');
  const prompts = [];
  for (const line of gunzipSync(readFileSync(listing)).toString('utf8').split('\n')) {
    const match = /^([\w/-]+):\s*(.+)$/.exec(line);
    // Bracketed notes ("[pause]", "(laughs)") are not words said.
    if (!match || /[[(]/.test(match[2]) || !existsSync(join(dir, `${match[1]}.wav`))) continue;
    const pcm = pcmOf(join(dir, `${match[1]}.wav`));
    if (pcm.length >= 3.5 * 16000 && pcm.length <= 28 * 16000) prompts.push({ name: `asterisk:${match[1]}`, reference: match[2], pcm });
  }
  return prompts;
}

const LONG_PHRASE_CONFIGS = [
  { name: 'full window', audioContext: 0 },
  { name: 'fit +256, guarded', padding: 256 },
  { name: 'fit +128, guarded', padding: 128 },
  { name: `${TAPERED}, guarded` },
];

/**
 * The recordings with a phrase whose window the taper changes (longer than 3.8 s): the public clips' and Asterisk's
 * English prompts'. Errors over those recordings (their phrases joined), and times of their long phrases.
 */
async function longPhraseTable(publicPhrases, publicClips) {
  const recordings = publicClips.map((clip) => ({ name: clip.name, reference: clip.reference, phrases: publicPhrases.filter((p) => p.clip === clip.name).map((p) => p.samples) }));
  for (const prompt of asteriskPrompts()) {
    const phrases = [];
    const withLead = new Float32Array(16000 + prompt.pcm.length + 16000);
    withLead.set(prompt.pcm, 16000);
    const segmenter = new PhraseSegmenter((p) => phrases.push(p.samples), { pauseMs: 700 });
    segmenter.push(withLead);
    segmenter.flush();
    recordings.push({ name: prompt.name, reference: prompt.reference, phrases });
  }
  const changed = (samples) => fittedAudioContext(samples.length) !== fittedAudioContext(samples.length, 256);
  const chosen = recordings.filter((r) => r.phrases.some(changed));
  const client = new WhisperClient({ workerScript: join(root, 'dist/whisperWorker.js'), host: 'process', addonCandidates: addonCandidates(root), idleUnloadMs: 0 });
  const rows = [];
  try {
    await client.ensureModel(model);
    await client.transcribe(chosen[0].phrases[0], { language: 'en', threads: 2, beamSize: 1, audioContext: 0 });
    // Interleaved as the main table: each phrase through every configuration in turn.
    const state = LONG_PHRASE_CONFIGS.map(() => ({ scores: [], times: [], fallbacks: 0 }));
    for (const recording of chosen) {
      const texts = LONG_PHRASE_CONFIGS.map(() => []);
      for (const samples of recording.phrases) {
        for (const [c, config] of LONG_PHRASE_CONFIGS.entries()) {
          const result = await client.transcribe(samples, {
            language: 'en', threads: 2, beamSize: 1, timestamps: false, audioContext: config.audioContext ?? 'fit', windowPaddingFrames: config.padding,
          });
          if (changed(samples)) state[c].times.push(result.elapsedMs);
          if (result.fallback) state[c].fallbacks++;
          texts[c].push(acceptTranscript(result.text, { speechMs: 1000, speechDbfs: -20 }) ?? '');
        }
      }
      for (const [c] of LONG_PHRASE_CONFIGS.entries()) state[c].scores.push(wordErrorRate(recording.reference, texts[c].join(' ')));
    }
    for (const [c, config] of LONG_PHRASE_CONFIGS.entries()) {
      const total = aggregateWer(state[c].scores);
      const row = {
        config: config.name, recordings: chosen.length, longPhrases: state[c].times.length, referenceWords: total.refWords,
        werPercent: +(total.wer * 100).toFixed(2), wordErrors: total.substitutions + total.deletions + total.insertions,
        medianLongPhraseMs: Math.round(median(state[c].times)), fallbacks: state[c].fallbacks,
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  } finally {
    await client.shutdown();
  }
  return { asteriskRecordings: chosen.filter((r) => r.name.startsWith('asterisk:')).length, publicRecordings: chosen.filter((r) => !r.name.startsWith('asterisk:')).length, rows };
}

function longPhraseMarkdown(d) {
  return `## Long phrases: how much padding they need

Where the taper gives less than 256 frames: the recordings with a phrase longer than 3.8 s, ${d.publicRecordings} of the public clips and
${d.asteriskRecordings} of Asterisk's English prompts (Debian's asterisk-core-sounds-en: a professional voice, 8-kHz telephone audio, with
transcripts), cut by the same segmenter. Word errors over those recordings (all their phrases); times of their long phrases only.

| configuration | recordings | long phrases | reference words | WER % | word errors | median ms per long phrase | fallbacks |
|---|---|---|---|---|---|---|---|
${d.rows.map((r) => `| ${r.config} | ${r.recordings} | ${r.longPhrases} | ${r.referenceWords} | ${r.werPercent} | ${r.wordErrors} | ${r.medianLongPhraseMs} | ${r.fallbacks} |`).join('\n')}

`;
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
