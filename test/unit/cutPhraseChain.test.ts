// The parts of a monologue cut at the phrase length limit: which ones are joined once it ends (pure), and, with the
// real worker and tiny.en, that transcribing them again as one piece mends the words around the cut.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CutPhraseChain, JOINED_MAX_SAMPLES, type ChainPart } from '../../src/core/audio/cutPhraseChain';
import { PhraseSegmenter, type SegmentedPhrase } from '../../src/core/vad/phraseSegmenter';
import { acceptTranscript } from '../../src/core/text/transcriptFilter';
import { wordErrorRate } from '../../src/core/text/wer';
import { readWavAs16kMono } from '../../src/node/audio/wavFile';
import { PhraseRefiner, type RefinementReport } from '../../src/node/dictation/phraseRefiner';
import { fixtureModelPath } from '../../src/node/model/fixtureModel';
import { addonCandidates } from '../../src/node/whisper/addonVariant';
import { WhisperClient } from '../../src/node/whisper/client';
import { LocalTranscriber } from '../../src/node/whisper/localTranscriber';
import type { TranscribeOptions } from '../../src/node/whisper/protocol';

const part = (startSample: number, seconds: number, endedBy: ChainPart<string>['endedBy'], info: string): ChainPart<string> => ({
  samples: new Float32Array(Math.round(seconds * 16000)), startSample, endSample: startSample + Math.round(seconds * 16000), endedBy, info,
});

describe('CutPhraseChain', () => {
  it('holds the parts cut at the length limit and hands them back with the part that ends the monologue', () => {
    const chain = new CutPhraseChain<string>();
    const a = part(0, 20, 'length', 'a');
    assert.equal(chain.continues({ startSample: a.endSample, endedBy: 'pause' }), false, 'nothing held yet');
    assert.equal(chain.add(a), undefined);
    assert.equal(chain.samples, a.samples.length);
    const b = part(a.endSample!, 6, 'pause', 'b');
    assert.equal(chain.continues(b), true);
    assert.deepEqual(chain.add(b)?.map((p) => p.info), ['a', 'b']);
    assert.equal(chain.samples, 0, 'let go once joined');
    assert.equal(chain.continues({ startSample: b.endSample, endedBy: 'pause' }), false);
  });

  it('joins a monologue ended by stopping the dictation too', () => {
    const chain = new CutPhraseChain<string>();
    const a = part(16000, 21, 'length', 'a');
    chain.add(a);
    assert.deepEqual(chain.add(part(a.endSample!, 3, 'stop', 'b'))?.map((p) => p.info), ['a', 'b']);
  });

  it('starts over on a phrase that does not continue the monologue', () => {
    const chain = new CutPhraseChain<string>();
    const a = part(0, 20, 'length', 'a');
    chain.add(a);
    // Heard after a pause: a phrase of its own, whose start is not where the cut part ended.
    assert.equal(chain.add(part(a.endSample! + 16000, 3, 'pause', 'b')), undefined);
    assert.equal(chain.samples, 0);
    chain.add(part(0, 20, 'length', 'c'));
    chain.reset();
    assert.equal(chain.continues({ startSample: 20 * 16000, endedBy: 'pause' }), false, 'reset lets the parts go');
  });

  it('joins only the newest parts that fit one Whisper window together, and nothing when the last part alone fills it', () => {
    const chain = new CutPhraseChain<string>();
    const a = part(0, 20, 'length', 'a');
    const b = part(a.endSample!, 17, 'length', 'b');
    chain.add(a);
    chain.add(b);
    assert.ok(chain.samples <= JOINED_MAX_SAMPLES, 'a part that no longer fits beside the newest is let go');
    assert.deepEqual(chain.add(part(b.endSample!, 10, 'pause', 'c'))?.map((p) => p.info), ['b', 'c']);
    const d = part(0, 20, 'length', 'd');
    chain.add(d);
    assert.equal(chain.add(part(d.endSample!, 12, 'pause', 'e')), undefined, '32 s: no window holds both');
  });
});

const root = resolve(__dirname, '../..');
const evalDir = resolve(root, '../shared/eval/public');
const workerScript = join(root, 'dist/whisperWorker.js');
const modelPath = fixtureModelPath();
const missing = !existsSync(modelPath) ? `the real model is missing at ${modelPath} (npm run model:fixture)` : !existsSync(workerScript) ? 'dist/ is missing (node esbuild.mjs)' : false;

/** A 25.7-s monologue of the public set: the segmenter cuts it at its 25-s limit, then it ends by a pause. */
const MONOLOGUE = 'p10_mfa_spontaneous_cold_corpus';
/** Dictation's options (DictationController.newTranscribeOptions): greedy, fitted window, no timestamps. */
const dictation: TranscribeOptions = { language: 'en', threads: 2, beamSize: 1, audioContext: 'fit', timestamps: false };

describe('joining a cut monologue with the real worker and model', { skip: !process.env.CI && missing }, () => {
  let client: WhisperClient;
  before(async () => {
    client = new WhisperClient({ workerScript, host: 'process', addonCandidates: addonCandidates(root), idleUnloadMs: 0 });
    await client.ensureModel(modelPath);
  });
  after(() => client.dispose());

  it('the monologue transcribed again as one piece has fewer word errors than its parts', async () => {
    const pcm = await readWavAs16kMono(join(evalDir, `${MONOLOGUE}.wav`));
    const padded = new Float32Array(16000 + pcm.length + 16000);
    padded.set(pcm, 16000);
    const phrases: SegmentedPhrase[] = [];
    const segmenter = new PhraseSegmenter((p) => phrases.push(p), { pauseMs: 700 });
    segmenter.push(padded);
    segmenter.flush();
    assert.deepEqual(phrases.map((p) => p.endedBy), ['length', 'pause'], 'cut at the length limit, then ended by a pause');

    // As dictation does: each part greedy, prompted with the text before it, inserted, and handed to the chain.
    const chain = new CutPhraseChain<{ text: string; options: TranscribeOptions }>();
    const transcriber = new LocalTranscriber(client, modelPath);
    let previous = '';
    let span: ChainPart<{ text: string; options: TranscribeOptions }>[] | undefined;
    for (const phrase of phrases) {
      const options = { ...dictation, initialPrompt: previous || undefined };
      const result = await transcriber.transcribe(phrase.samples, options);
      previous = result.text.trim();
      span = chain.add({ samples: phrase.samples, startSample: phrase.startSample, endSample: phrase.endSample, endedBy: phrase.endedBy, info: { text: previous, options } });
    }
    assert.equal(span?.length, 2, 'the last part hands back both');
    const partsText = span!.map((p) => p.info.text).join(' ');

    const joined = new Float32Array(span!.reduce((n, p) => n + p.samples.length, 0));
    span!.reduce((at, p) => (joined.set(p.samples, at), at + p.samples.length), 0);
    const reports: RefinementReport[] = [];
    const applied: string[] = [];
    const refiner = new PhraseRefiner({ transcriber, onOutcome: (r) => reports.push(r) });
    refiner.refine(joined, span![0].info.options, partsText, (text) => acceptTranscript(text, { speechMs: 20_000, speechDbfs: -20 }), {
      apply: async (text) => (applied.push(text), true),
      close: async () => undefined,
    });
    await refiner.settle(30_000);

    const reference = readFileSync(join(evalDir, `${MONOLOGUE}.txt`), 'utf8');
    const errors = (text: string) => {
      const score = wordErrorRate(reference, text);
      return score.substitutions + score.deletions + score.insertions;
    };
    assert.equal(reports[0]?.outcome, 'applied', JSON.stringify(reports));
    const partsErrors = errors(partsText);
    const joinedErrors = errors(applied[0]);
    console.log(`parts: ${partsErrors} errors "${partsText}"\njoined: ${joinedErrors} errors "${applied[0]}"`);
    assert.ok(joinedErrors < partsErrors, `joined ${joinedErrors} word errors, parts ${partsErrors}`);
  });
});
