// `npm run bench:vocabulary`: does a vocabulary prompt make tiny.en write names and rare words right, without
// hurting the rest? The public clips (../shared/eval/public) are cut into phrases as dictation cuts them (the real
// segmenter, 700-ms pause) and each phrase is transcribed through the extension's worker with dictation's options
// and dictation's prompt (composePrompt: the vocabulary, then the end of the previous phrase of the same clip).
//
// The terms, by a rule fixed before looking at the prompted results:
//   1. transcribe every clip once without a vocabulary;
//   2. a reference word is a candidate when the transcripts missed it (it occurs in the reference more often than in
//      the transcript of its clip, compared after normalising), and
//   3. it is a rare word for Whisper: whisper.cpp's tokenizer cuts it (with its leading space, as it is spoken in a
//      sentence) into two or more pieces of tiny.en's vocabulary; every common English word is one piece. These are
//      the names and uncommon terms of the set (a family name, a place, a technical term): what a developer puts in
//      a word list or has in a workspace.
// ONE prompt with all the terms is used for EVERY clip, as a workspace's vocabulary would be: the gain is counted on
// the terms' occurrences, the harm on the whole set's WER. Term spelling is the reference's (lower case where the
// reference has no case); names that the reference writes in lower case are capitalised only if they are capitalised
// in a cased reference of the set.
// Results: bench/results/vocabulary.{json,md}. Run it alone: it is one transcription pass after another.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PhraseSegmenter } from '../../src/core/vad/phraseSegmenter.ts';
import { aggregateWer, normaliseForWer, wordErrorRate } from '../../src/core/text/wer.ts';
import { acceptTranscript } from '../../src/core/text/transcriptFilter.ts';
import { buildVocabularyPrompt, composePrompt, estimateTokens } from '../../src/core/vocabulary/vocabularyPrompt.ts';
import { vocabularyFromTokens, whisperTokenize } from '../../src/core/vocabulary/whisperTokens.ts';
import { readGgmlLayout } from '../../src/node/model/ggml/ggmlFormat.ts';
import { readWavAs16kMono } from '../../src/node/audio/wavFile.ts';
import { addonCandidates } from '../../src/node/whisper/addonVariant.ts';
import { WhisperClient } from '../../src/node/whisper/client.ts';
import { fixtureModelPath } from '../../src/node/model/fixtureModel.ts';
import { median, runContext } from '../report.mjs';

const root = join(fileURLToPath(import.meta.url), '../../..');
const evalDir = join(root, '../shared/eval/public');
const model = process.env.DICTATION_BENCH_MODEL ?? fixtureModelPath();
const ASTERISK = '/usr/share/asterisk/sounds/en';
const ASTERISK_DOC = '/usr/share/doc/asterisk-core-sounds-en';
const OPTIONS = { language: 'en', threads: 2, beamSize: 1, audioContext: 'fit', timestamps: false };

/**
 * The public set has few names (tiny.en misses one rare word in it), so the set is joined by the recordings of
 * Debian's asterisk-core-sounds-en-wav (Allison Smith, CC BY-SA 3.0; transcripts in the package's
 * core-sounds-en.txt) whose transcript holds a technical name: a word written in capitals (PBX, IAX) or capitalised
 * inside a sentence (Digium, Asterisk) that is rare for Whisper (two or more pieces). The WER of the done-when is the
 * public set's alone; the term counts are over both.
 */
function asteriskTechnicalClips(whisperVocabulary) {
  const list = execFileSync('zcat', [join(ASTERISK_DOC, 'core-sounds-en.txt.gz')], { encoding: 'utf8' });
  const clips = [];
  for (const line of list.split('\n')) {
    const match = /^([\w/-]+): (.+)$/.exec(line);
    if (!match) continue;
    const text = match[2].replace(/\[[^\]]*\]|\([^)]*\)/g, '').replace(/\s+/g, ' ').trim();
    const words = text.match(/[A-Za-z][A-Za-z'-]*[A-Za-z]/g) ?? [];
    const technical = words.some((w, i) => (/^[A-Z]{2,}$/.test(w) || (i > 0 && /^[A-Z][a-z]/.test(w))) && whisperTokenize(` ${w.toLowerCase()}`, whisperVocabulary).length >= 2);
    const wav = join(ASTERISK, `${match[1]}.wav`);
    if (technical && existsSync(wav)) clips.push({ name: `asterisk ${match[1]}`, wav, reference: text });
  }
  return clips;
}

async function phrasesOfClips(whisperVocabulary) {
  const sources = [
    ...readdirSync(evalDir).filter((f) => f.endsWith('.wav')).sort().map((file) => ({
      name: basename(file, '.wav'), wav: join(evalDir, file), reference: readFileSync(join(evalDir, file.replace(/\.wav$/, '.txt')), 'utf8').trim(), isPublic: true,
    })),
    ...asteriskTechnicalClips(whisperVocabulary).map((c) => ({ ...c, isPublic: false })),
  ];
  const clips = [];
  for (const source of sources) {
    const pcm = await readWavAs16kMono(source.wav);
    // Dictation hears the clip after a stretch of room silence (the segmenter's noise floor settles on it).
    const withLead = new Float32Array(16000 + pcm.length + 16000);
    withLead.set(pcm, 16000);
    const phrases = [];
    const segmenter = new PhraseSegmenter((p) => phrases.push(p.samples), { pauseMs: 700 });
    segmenter.push(withLead);
    segmenter.flush();
    clips.push({ ...source, phrases });
  }
  return clips;
}

/** Each clip as one dictation: phrase by phrase, the prompt being the vocabulary and the previous phrase's text. */
async function transcribeAll(client, clips, vocabulary) {
  const texts = {};
  let ms = 0;
  const times = [];
  const fallbacks = [];
  for (const clip of clips) {
    let previous = '';
    const parts = [];
    for (const samples of clip.phrases) {
      const result = await client.transcribe(samples, { ...OPTIONS, initialPrompt: composePrompt(vocabulary, previous) });
      ms += result.elapsedMs;
      times.push(result.elapsedMs);
      if (result.fallback) fallbacks.push(result.fallback);
      const kept = acceptTranscript(result.text, { speechMs: 1000, speechDbfs: -20 });
      if (kept) {
        parts.push(kept);
        previous = kept;
      }
    }
    texts[clip.name] = parts.join(' ');
  }
  return { texts, ms, times, fallbacks };
}

function counts(text) {
  const map = new Map();
  for (const word of normaliseForWer(text).split(' ').filter(Boolean)) map.set(word, (map.get(word) ?? 0) + 1);
  return map;
}

/** Occurrences of the terms in the references that the transcripts got (per clip, up to the reference's count). */
function rightTerms(clips, texts, terms) {
  const keys = new Set(terms.map((t) => normaliseForWer(t)));
  let right = 0;
  let total = 0;
  const perTerm = {};
  for (const clip of clips) {
    const ref = counts(clip.reference);
    const hyp = counts(texts[clip.name]);
    for (const key of keys) {
      const n = ref.get(key) ?? 0;
      if (!n) continue;
      const got = Math.min(n, hyp.get(key) ?? 0);
      total += n;
      right += got;
      perTerm[key] = { occurrences: (perTerm[key]?.occurrences ?? 0) + n, right: (perTerm[key]?.right ?? 0) + got };
    }
  }
  return { right, total, perTerm };
}

/** Occurrences written exactly as the term (case and all): a name's spelling is what a developer sees. */
function exactTerms(clips, texts, terms) {
  let right = 0;
  for (const clip of clips) {
    for (const term of terms) {
      const escaped = term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const inReference = (clip.reference.match(new RegExp(`(?<![\\w'])${escaped}(?![\\w'])`, 'gi')) ?? []).length;
      const written = (texts[clip.name].match(new RegExp(`(?<![\\w'])${escaped}(?![\\w'])`, 'g')) ?? []).length;
      right += Math.min(inReference, written);
    }
  }
  return right;
}

function wer(clips, texts) {
  const total = aggregateWer(clips.map((clip) => wordErrorRate(clip.reference, texts[clip.name])));
  return { percent: +(total.wer * 100).toFixed(2), errors: total.substitutions + total.deletions + total.insertions, words: total.refWords };
}

async function main() {
  const whisperVocabulary = vocabularyFromTokens((await readGgmlLayout(model)).vocabulary);
  const clips = await phrasesOfClips(whisperVocabulary);
  const publicClips = clips.filter((c) => c.isPublic);
  const termClips = clips.filter((c) => !c.isPublic);
  const client = new WhisperClient({ workerScript: join(root, 'dist/whisperWorker.js'), host: 'process', addonCandidates: addonCandidates(root), idleUnloadMs: 0 });
  try {
    await client.ensureModel(model);
    await client.transcribe(clips[0].phrases[0], OPTIONS);
    const without = await transcribeAll(client, clips, undefined);

    // The terms: missed reference words that are rare for Whisper (see the rule at the top).
    const cased = new Map();
    // A term is spelled as a cased reference writes it (IAX, Digium); LibriSpeech's all-capitals sentences say
    // nothing about case (a one-word reference in capitals, "DAHDI", does).
    for (const clip of clips.filter((c) => /[a-z]/.test(c.reference) || c.reference.split(/\s+/).length <= 3)) {
      for (const word of clip.reference.match(/[A-Za-z][A-Za-z']*/g) ?? []) if (/^[A-Z]/.test(word) && !cased.has(word.toLowerCase())) cased.set(word.toLowerCase(), word);
    }
    const candidates = [];
    for (const clip of clips) {
      const ref = counts(clip.reference);
      const hyp = counts(without.texts[clip.name]);
      for (const [word, n] of ref) {
        if ((hyp.get(word) ?? 0) >= n || /\d/.test(word)) continue;
        const pieces = whisperTokenize(` ${word}`, whisperVocabulary).length;
        candidates.push({ clip: clip.name, word, pieces, rare: pieces >= 2 });
      }
    }
    const terms = [...new Set(candidates.filter((c) => c.rare).map((c) => cased.get(c.word) ?? c.word))];
    const vocabulary = buildVocabularyPrompt({ user: terms, nearCursor: [], symbols: [], workspace: [] });
    if (vocabulary.terms.length !== terms.length) throw new Error(`the prompt holds ${vocabulary.terms.length} of ${terms.length} terms`);
    const realTokens = whisperTokenize(vocabulary.prompt, whisperVocabulary).length;

    const withVocabulary = await transcribeAll(client, clips, vocabulary.prompt);
    const before = rightTerms(clips, without.texts, terms);
    const after = rightTerms(clips, withVocabulary.texts, terms);
    const werWithout = wer(publicClips, without.texts);
    const werWith = wer(publicClips, withVocabulary.texts);
    const asteriskWithout = wer(termClips, without.texts);
    const asteriskWith = wer(termClips, withVocabulary.texts);
    const result = {
      terms: terms.length,
      rightWithout: before.right,
      rightWith: after.right,
      werWithout: werWithout.percent,
      werWith: werWith.percent,
      termOccurrences: before.total,
      rightWithoutExactSpelling: exactTerms(clips, without.texts, terms),
      rightWithExactSpelling: exactTerms(clips, withVocabulary.texts, terms),
      wordErrorsWithout: werWithout.errors,
      wordErrorsWith: werWith.errors,
      referenceWords: werWithout.words,
      publicClips: publicClips.length,
      asteriskClips: termClips.length,
      asteriskWerWithout: asteriskWithout.percent,
      asteriskWerWith: asteriskWith.percent,
      asteriskReferenceWords: asteriskWithout.words,
      prompt: vocabulary.prompt,
      promptTokensEstimated: vocabulary.tokens,
      promptTokensWhisperCpp: realTokens,
      transcribeMsWithout: Math.round(without.ms),
      transcribeMsWith: Math.round(withVocabulary.ms),
      phrases: without.times.length,
      medianPhraseMsWithout: Math.round(median(without.times)),
      medianPhraseMsWith: Math.round(median(withVocabulary.times)),
      windowFallbacksWithout: without.fallbacks,
      windowFallbacksWith: withVocabulary.fallbacks,
      phraseMs: without.times.map((ms, i) => [Math.round(ms), Math.round(withVocabulary.times[i])]),
      perTerm: Object.fromEntries(Object.entries(before.perTerm).map(([k, v]) => [k, { occurrences: v.occurrences, rightWithout: v.right, rightWith: after.perTerm[k].right }])),
      missedCommonWords: candidates.filter((c) => !c.rare).map((c) => `${c.clip}: ${c.word}`),
      clips: clips.map((c) => ({ name: c.name, public: c.isPublic, phrases: c.phrases.length, reference: c.reference, without: without.texts[c.name], with: withVocabulary.texts[c.name] })),
      model: basename(model),
      ...runContext(),
    };
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    writeFileSync(join(root, 'bench/results/vocabulary.json'), JSON.stringify(result, null, 2) + '\n');
    writeFileSync(join(root, 'bench/results/vocabulary.md'), report(result));
    console.log(JSON.stringify({ terms: result.terms, rightWithout: result.rightWithout, rightWith: result.rightWith, werWithout: result.werWithout, werWith: result.werWith, prompt: result.prompt }));
  } finally {
    await client.shutdown();
  }
}

function report(r) {
  const rows = Object.entries(r.perTerm).map(([term, v]) => `| ${term} | ${v.occurrences} | ${v.rightWithout} | ${v.rightWith} |`).join('\n');
  const changed = r.clips.filter((c) => c.without !== c.with).map((c) => `- **${c.name}**\n  - reference: ${c.reference}\n  - without: ${c.without}\n  - with: ${c.with}`).join('\n');
  return `# Vocabulary prompt (${r.date.slice(0, 10)})

${r.machine}; model ${r.model}; the extension's worker with dictation's options (greedy, fitted window, no timestamps),
the ${r.publicClips} public clips (../shared/eval/public) and ${r.asteriskClips} recordings of asterisk-core-sounds-en-wav whose transcript
holds a technical name (PBX, IAX, Digium, ...: the public set has almost none), cut into phrases by the dictation segmenter, each
clip dictated phrase by phrase with dictation's prompt (the vocabulary, then the previous phrase's text).

**Terms** (rule in bench/vocabulary/run.mjs, fixed before the prompted run): reference words the unprompted transcripts
missed that whisper.cpp's tokenizer cuts into two or more pieces of tiny.en's vocabulary (names and rare words; every
common word is one piece). One prompt with all ${r.terms} terms for every clip, as a workspace vocabulary would be.

| | without vocabulary | with vocabulary |
|---|---|---|
| term occurrences right (of ${r.termOccurrences}), as WER counts (case aside) | ${r.rightWithout} | ${r.rightWith} |
| term occurrences spelled exactly as the term (case too) | ${r.rightWithoutExactSpelling} | ${r.rightWithExactSpelling} |
| WER over the whole public set, % | ${r.werWithout} | ${r.werWith} |
| word errors in the public set (of ${r.referenceWords} words) | ${r.wordErrorsWithout} | ${r.wordErrorsWith} |
| WER of the asterisk recordings (${r.asteriskReferenceWords} words), % | ${r.asteriskWerWithout} | ${r.asteriskWerWith} |
| transcription time, all ${r.phrases} phrases, ms | ${r.transcribeMsWithout} | ${r.transcribeMsWith} |
| transcription time per phrase, median, ms | ${r.medianPhraseMsWithout} | ${r.medianPhraseMsWith} |

How the method came to be, in order: the first run used the public clips alone and found one rare word missed
("trivialities", still missed with the prompt), so the asterisk recordings were added by the rule above; then terms
were spelled as their reference writes them ("IAX", not "iax"; a one-word reference in capitals counts). Nothing was
chosen per clip. Most of the public set's gain is not the terms' own words: with any prompt before it, tiny.en kept
words it had dropped in the long spontaneous clips (p09 "going else going", p10 "so I probably"); see the changed
clips below. The prompt costs decoding time (its tokens, and longer texts): compare the medians above.

Prompt (${r.promptTokensEstimated} tokens estimated, ${r.promptTokensWhisperCpp} by whisper.cpp's tokenizer): \`${r.prompt}\`

| term | occurrences | right without | right with |
|---|---|---|---|
${rows}

Missed words that are common (one piece; not terms): ${r.missedCommonWords.join(', ') || 'none'}.

## Clips whose text changed

${changed || 'none'}
`;
}

await main();
