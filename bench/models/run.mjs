// `npm run bench:models`: the Whisper models side by side on this machine, each through the extension's own path
// (WhisperClient → worker process → the project's whisper.cpp addon) with dictation's options (greedy, a window
// fitted to the phrase with its guards, no timestamps):
//   tiny.en and base in f16 (the project's fixtures), and q8_0 / q5_1 made from them by whisper.cpp's own quantize
//   (scripts/build-whisper-quantize.mjs, same sources as the addon) into the model cache.
// Per model, exactly: model, sizeMB (file), werPublic (% over the public clips cut into phrases by the dictation
// segmenter, the phrases' texts joined per clip and scored with src/core/text/wer.ts; language `en`),
// medianPhraseTranscribeMs (those phrases), workerPeakRssMB (the worker process's VmHWM, read from /proc, after the
// model's whole run), languageIdAccuracy (% of the multilingual set, scripts/eval/multilingualSet.ts, 8 prompts each
// in Spanish, French, Italian and Russian, each a fresh dictation with language `auto`; null for English-only models).
// Results: bench/results/models.{json,md,svg}. Run it alone (under the heavy lock): on 2 cores anything beside it
// spoils the times.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PhraseSegmenter } from '../../src/core/vad/phraseSegmenter.ts';
import { aggregateWer, wordErrorRate } from '../../src/core/text/wer.ts';
import { acceptTranscript } from '../../src/core/text/transcriptFilter.ts';
import { isEnglishOnlyModel } from '../../src/core/model/languages.ts';
import { readWavAs16kMono } from '../../src/node/audio/wavFile.ts';
import { addonCandidates } from '../../src/node/whisper/addonVariant.ts';
import { WhisperClient } from '../../src/node/whisper/client.ts';
import { LocalTranscriber } from '../../src/node/whisper/localTranscriber.ts';
import { LanguageKeeper } from '../../src/node/transcription/languageKeeper.ts';
import { fixtureModelPath } from '../../src/node/model/fixtureModel.ts';
import { baseFixtureModelPath } from '../../src/node/model/baseFixture.ts';
import { multilingualSet, multilingualSetMissing, readClip } from '../../scripts/eval/multilingualSet.ts';
import { median, runContext } from '../report.mjs';
import { barChartSvg } from '../svgChart.mjs';
import { buildBenchSubjects } from '../buildSubjects.mjs';

const root = join(fileURLToPath(import.meta.url), '../../..');
const evalDir = join(root, '../shared/eval/public');
const THREADS = 2;
const QUANTIZATIONS = ['q8_0', 'q5_1'];

/** The quantized sibling of an f16 model file, made once with whisper.cpp's quantize. */
function quantized(f16Path, type) {
  const out = f16Path.replace(/\.bin$/, `-${type}.bin`);
  if (existsSync(out)) return out;
  execFileSync(process.execPath, [join(root, 'scripts/build-whisper-quantize.mjs')], { cwd: root, stdio: 'inherit' });
  execFileSync(join(root, '.cache/whisper-quantize/quantize'), [f16Path, `${out}.tmp`, type], { stdio: ['ignore', 'ignore', 'inherit'] });
  renameSync(`${out}.tmp`, out);
  return out;
}

async function publicPhrases() {
  const clips = [];
  const phrases = [];
  for (const file of readdirSync(evalDir).filter((f) => f.endsWith('.wav')).sort()) {
    const name = basename(file, '.wav');
    const pcm = await readWavAs16kMono(join(evalDir, file));
    // Dictation hears the clip after a stretch of room silence (the segmenter's noise floor settles on it).
    const withLead = new Float32Array(16000 + pcm.length + 16000);
    withLead.set(pcm, 16000);
    const segmenter = new PhraseSegmenter((p) => phrases.push({ clip: name, samples: p.samples, speechMs: p.speechMs, speechDbfs: p.speechDbfs }), { pauseMs: 700 });
    segmenter.push(withLead);
    segmenter.flush();
    clips.push({ name, reference: readFileSync(join(evalDir, `${name}.txt`), 'utf8') });
  }
  return { clips, phrases };
}

/** Peak resident memory of a process so far (Linux: VmHWM). */
function peakRssMB(pid) {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : null;
}

async function measure(model, path, phrases, clips, multilingual) {
  const client = new WhisperClient({ workerScript: join(root, 'dist/whisperWorker.js'), host: 'process', addonCandidates: addonCandidates(root), idleUnloadMs: 0 });
  try {
    await client.ensureModel(path);
    const dictation = { language: 'en', threads: THREADS, beamSize: 1, audioContext: 'fit', timestamps: false };
    // One untimed warm-up: the first transcription pays for page faults of the weights.
    await client.transcribe(phrases[0].samples, dictation);
    const times = [];
    const texts = new Map();
    for (const phrase of phrases) {
      const result = await client.transcribe(phrase.samples, dictation);
      times.push(result.elapsedMs);
      const kept = acceptTranscript(result.text, { speechMs: phrase.speechMs ?? 1000, speechDbfs: phrase.speechDbfs ?? -20 }) ?? '';
      texts.set(phrase.clip, [...(texts.get(phrase.clip) ?? []), kept]);
    }
    const wer = aggregateWer(clips.map((clip) => wordErrorRate(clip.reference, (texts.get(clip.name) ?? []).join(' '))));
    let languageIdAccuracy = null;
    const languages = [];
    if (!isEnglishOnlyModel(basename(path))) {
      let right = 0;
      for (const clip of multilingual) {
        const keeper = new LanguageKeeper('auto');
        await keeper.wrap(new LocalTranscriber(client, path)).transcribe(await readClip(clip), { ...dictation, language: 'auto' });
        if (keeper.language === clip.language) right++;
        languages.push({ clip: `${clip.language}/${clip.name}`, detected: keeper.language });
      }
      languageIdAccuracy = +((right / multilingual.length) * 100).toFixed(1);
    }
    const entry = {
      model,
      sizeMB: +(statSync(path).size / 1e6).toFixed(1),
      werPublic: +(wer.wer * 100).toFixed(2),
      medianPhraseTranscribeMs: Math.round(median(times)),
      workerPeakRssMB: peakRssMB(client.pid),
      languageIdAccuracy,
    };
    return { entry, detail: { model, file: path, phrases: times.length, wordErrors: wer.substitutions + wer.deletions + wer.insertions, referenceWords: wer.refWords, languages } };
  } finally {
    await client.shutdown();
  }
}

async function main() {
  const missing = multilingualSetMissing();
  if (missing) throw new Error(missing);
  const { variant } = buildBenchSubjects(root);
  const bases = [['tiny.en', fixtureModelPath()], ['base', baseFixtureModelPath()]];
  const subjects = bases.flatMap(([name, path]) => [[name, path], ...QUANTIZATIONS.map((q) => [`${name}-${q}`, quantized(path, q)])]);
  const { clips, phrases } = await publicPhrases();
  const multilingual = multilingualSet(8);
  const loadBefore = loadavg();
  const started = Date.now();
  const entries = [];
  const details = [];
  for (const [name, path] of subjects) {
    const { entry, detail } = await measure(name, path, phrases, clips, multilingual);
    entries.push(entry);
    details.push(detail);
    console.log(JSON.stringify(entry));
  }
  const context = { ...runContext(), addonVariant: variant, threads: THREADS, minutes: +((Date.now() - started) / 60000).toFixed(1), loadAverageBefore: loadBefore.map((l) => +l.toFixed(2)), loadAverageAfter: loadavg().map((l) => +l.toFixed(2)) };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/models.json'), JSON.stringify(entries, null, 2) + '\n');
  writeFileSync(join(root, 'bench/results/models-detail.json'), JSON.stringify({ context, details }, null, 2) + '\n');
  const row = (e) => `| ${e.model} | ${e.sizeMB} | ${e.werPublic} | ${e.medianPhraseTranscribeMs} | ${e.workerPeakRssMB} | ${e.languageIdAccuracy ?? '—'} |`;
  writeFileSync(join(root, 'bench/results/models.md'), `# Whisper models on this machine (${context.date.slice(0, 10)})

${context.machine}; ${context.addonVariant} build of the addon; ${THREADS} threads; greedy decoding, the encoder window fitted to each
phrase with its guards, no timestamps (dictation's options). ${phrases.length} phrases cut by the dictation segmenter from the
${clips.length} public clips (${details[0]?.referenceWords} reference words); WER over the clips, the phrases' texts joined, normalised by
src/core/text/wer.ts, language \`en\`. Worker peak RSS: the worker process's VmHWM after loading the model, the phrases and (multilingual models)
the ${multilingual.length} language-ID clips. Language ID: ${multilingual.length} Asterisk prompts (8 each in Spanish, French, Italian, Russian), each a fresh
dictation with language \`auto\`. q8_0 / q5_1 made from the f16 files by whisper.cpp's own quantize. Load average before / after:
${context.loadAverageBefore.join(' ')} / ${context.loadAverageAfter.join(' ')}; ${context.minutes} min.

| model | size MB | WER % (public) | median ms per phrase | worker peak RSS MB | language ID % |
|---|---|---|---|---|---|
${entries.map(row).join('\n')}

Word errors, misidentified clips: models-detail.json.

![chart](models.svg)
`);
  writeFileSync(join(root, 'bench/results/models.svg'), barChartSvg({
    title: 'Whisper models: median ms per phrase, worker peak RSS, WER',
    unit: 'ms / MB / WER % × 10',
    categories: entries.map((e) => e.model),
    series: [
      { name: 'median ms per phrase', values: entries.map((e) => e.medianPhraseTranscribeMs) },
      { name: 'worker peak RSS MB', values: entries.map((e) => e.workerPeakRssMB) },
      { name: 'WER % × 10', values: entries.map((e) => e.werPublic * 10) },
    ],
  }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
