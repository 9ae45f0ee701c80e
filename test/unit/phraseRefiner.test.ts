// Refinement with the real worker and the real tiny.en model: a phrase of a public clip, cut as dictation cuts it,
// whose greedy text is wrong gets the beam-search text (which is right); a final transcription arriving aborts a
// running refinement inside whisper.cpp (and the refinement is sent again behind it), while a preview waits for
// it; a refinement whose phrase was edited meanwhile, or that a newer phrase superseded, replaces nothing and ends
// the phrase's undo step.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PhraseSegmenter } from '../../src/core/vad/phraseSegmenter';
import { acceptTranscript } from '../../src/core/text/transcriptFilter';
import { wordErrorRate } from '../../src/core/text/wer';
import { readWavAs16kMono } from '../../src/node/audio/wavFile';
import { PhraseRefiner, type RefinementReport, type RefinementTarget } from '../../src/node/dictation/phraseRefiner';
import { fixtureModelPath } from '../../src/node/model/fixtureModel';
import { addonCandidates } from '../../src/node/whisper/addonVariant';
import { WhisperClient } from '../../src/node/whisper/client';
import { LocalTranscriber } from '../../src/node/whisper/localTranscriber';
import type { Transcriber } from '../../src/node/transcription/transcriber';
import type { TranscribeOptions } from '../../src/node/whisper/protocol';

const root = resolve(__dirname, '../..');
const evalDir = resolve(root, '../shared/eval/public');
const workerScript = join(root, 'dist/whisperWorker.js');
const modelPath = fixtureModelPath();
const missing = !existsSync(modelPath) ? `the real model is missing at ${modelPath} (npm run model:fixture)` : !existsSync(workerScript) ? 'dist/ is missing (node esbuild.mjs)' : false;

/**
 * A phrase where greedy decoding goes wrong and beam search does not (found with the offline comparison of the
 * public clips cut at 700-ms pauses; README "Refinement"): greedy "…is to be old-sposed.", beam 3 and 5
 * "…is to be ill-disposed.". The clip is one phrase.
 */
const CLIP = 'p04_librivox_sense_and_sensibility_0890';
const PHRASE_INDEX = 0;
/** The words of the reference transcript this phrase speaks. */
const PHRASE_WORDS = 'unless to be rather cold hearted and rather selfish is to be ill disposed';

/** The dictation's options: greedy, fitted window, no timestamps (DictationController.newTranscribeOptions). */
const dictation: TranscribeOptions = { language: 'en', threads: 2, beamSize: 1, audioContext: 'fit', timestamps: false };
/**
 * The second pass over a phrase: the same with beam search 3 and 256 frames of window padding (DictationController's
 * PHRASE_BEAM_SIZE and SECOND_PASS_PADDING_FRAMES).
 */
const second: TranscribeOptions = { ...dictation, beamSize: 3, windowPaddingFrames: 256 };

/** The clip cut into phrases as dictation cuts it (700-ms pause), with a second of quiet before it. */
async function phrasesOf(name: string): Promise<{ samples: Float32Array; speechMs: number; speechDbfs: number; endMs: number }[]> {
  const pcm = await readWavAs16kMono(join(evalDir, `${name}.wav`));
  const padded = new Float32Array(16000 + pcm.length + 16000);
  padded.set(pcm, 16000);
  const phrases: { samples: Float32Array; speechMs: number; speechDbfs: number; endMs: number }[] = [];
  const segmenter = new PhraseSegmenter((p) => phrases.push({ samples: p.samples, speechMs: p.speechMs, speechDbfs: p.speechDbfs, endMs: p.endMs }), { pauseMs: 700 });
  segmenter.push(padded);
  segmenter.flush();
  return phrases;
}

/** A target standing in for the editor (the real one is tested in test/integration/refinement.test.ts). */
class RecordingTarget implements RefinementTarget {
  applied: string[] = [];
  closed = 0;
  /** The person (or the next phrase) changed the document after the phrase went in. */
  edited = false;
  async apply(text: string): Promise<boolean> {
    if (this.edited) return false;
    this.applied.push(text);
    return true;
  }
  async close(): Promise<void> {
    this.closed++;
  }
}

function refinerWith(client: WhisperClient, reports: RefinementReport[]): PhraseRefiner {
  return new PhraseRefiner({ transcriber: new LocalTranscriber(client, modelPath), onOutcome: (r) => reports.push(r) });
}

const accept = (text: string) => acceptTranscript(text, { speechMs: 2000, speechDbfs: -20 });

describe('PhraseRefiner with the real worker and model', { skip: !process.env.CI && missing }, () => {
  let client: WhisperClient;
  let phrase: Float32Array;
  let greedy: string;

  before(async () => {
    client = new WhisperClient({ workerScript, host: 'process', addonCandidates: addonCandidates(root), idleUnloadMs: 0 });
    await client.ensureModel(modelPath);
    phrase = (await phrasesOf(CLIP))[PHRASE_INDEX].samples;
    greedy = accept((await client.transcribe(phrase, dictation)).text) ?? '';
  });
  after(async () => {
    await client?.shutdown();
  });

  it('a phrase whose greedy text is wrong gets the beam-search text, which is right', async () => {
    const reports: RefinementReport[] = [];
    const target = new RecordingTarget();
    const refiner = refinerWith(client, reports);
    refiner.refine(phrase, second, greedy, accept, target);
    await refiner.settle(60_000);
    const greedyErrors = wordErrorRate(PHRASE_WORDS, greedy);
    assert.ok(greedyErrors.wer > 0, `greedy is wrong on this phrase: "${greedy}"`);
    assert.equal(target.applied.length, 1, `the refinement was applied: ${JSON.stringify(reports)}`);
    const refined = target.applied[0];
    assert.equal(wordErrorRate(PHRASE_WORDS, refined).wer, 0, `the beam text is right: "${refined}" (greedy "${greedy}")`);
    assert.deepEqual([refiner.applied, refiner.dropped, target.closed], [1, 0, 0], 'applied, so the target closed the undo step itself');
  });

  it('a final arriving aborts a running refinement in whisper.cpp; the refinement is sent again behind it and lands', async () => {
    const reports: RefinementReport[] = [];
    const target = new RecordingTarget();
    const refiner = refinerWith(client, reports);
    const aborted = (await client.stats())!.jobsAborted;
    refiner.refine(phrase, second, greedy, accept, target);
    // Let the refinement reach whisper.cpp, then a final (the next phrase) takes the worker.
    await new Promise((r) => setTimeout(r, 150));
    const finalStarted = Date.now();
    const final = await client.transcribe(phrase, dictation);
    const finalMs = Date.now() - finalStarted;
    assert.equal(final.cancelled, false);
    assert.equal((await client.stats())!.jobsAborted, aborted + 1, 'the running refinement was aborted inside whisper.cpp');
    // The final did not wait for the beam search: it took about as long as a greedy pass on its own.
    assert.ok(finalMs < final.elapsedMs + 400, `the final ran at once (${finalMs} ms, of which ${final.elapsedMs} transcribing)`);
    await refiner.settle(60_000);
    assert.equal(target.applied.length, 1, `sent again after the final, and applied: ${JSON.stringify(reports)}`);
  });

  it('a preview waits for a running refinement instead of aborting it', async () => {
    const reports: RefinementReport[] = [];
    const target = new RecordingTarget();
    const refiner = refinerWith(client, reports);
    const aborted = (await client.stats())!.jobsAborted;
    refiner.refine(phrase, second, greedy, accept, target);
    await new Promise((r) => setTimeout(r, 150));
    const preview = await client.transcribe(phrase, { ...dictation, priority: 'preview' });
    assert.equal(preview.cancelled, false);
    await refiner.settle(60_000);
    assert.equal((await client.stats())!.jobsAborted, aborted, 'nothing was aborted');
    assert.equal(target.applied.length, 1, JSON.stringify(reports));
  });

  it('a refinement whose phrase was edited meanwhile replaces nothing and closes the undo step', async () => {
    const reports: RefinementReport[] = [];
    const target = new RecordingTarget();
    const refiner = refinerWith(client, reports);
    refiner.refine(phrase, second, greedy, accept, target);
    target.edited = true;
    await refiner.settle(60_000);
    assert.deepEqual(target.applied, []);
    assert.equal(target.closed, 1, 'the phrase undo step is closed');
    assert.deepEqual([refiner.applied, refiner.dropped], [0, 1]);
    assert.match(reports[0].reason ?? '', /document changed/);
  });

  it('a newer phrase drops the older phrase\'s refinement: only the newest lands, phrases stay in order', async () => {
    const reports: RefinementReport[] = [];
    const older = new RecordingTarget();
    const newer = new RecordingTarget();
    const refiner = refinerWith(client, reports);
    refiner.refine(phrase, second, greedy, accept, older);
    await new Promise((r) => setTimeout(r, 100));
    refiner.refine(phrase, second, greedy, accept, newer);
    await refiner.settle(60_000);
    assert.deepEqual(older.applied, [], 'the older phrase is left as it was');
    assert.equal(older.closed, 1);
    assert.equal(newer.applied.length, 1);
    assert.deepEqual([refiner.applied, refiner.dropped], [1, 1]);
  });

  it('after the dictation stops, a refinement not ready in time is dropped (settle is bounded)', async () => {
    const reports: RefinementReport[] = [];
    const target = new RecordingTarget();
    const refiner = refinerWith(client, reports);
    refiner.refine(phrase, second, greedy, accept, target);
    const started = Date.now();
    await refiner.settle(50);
    assert.ok(Date.now() - started < 1000, 'settle returned at its bound (plus the abort)');
    assert.deepEqual(target.applied, []);
    assert.equal(target.closed, 1);
    assert.match(reports[0].reason ?? '', /not ready/);
  });
});

describe('PhraseRefiner keeps the first text when the second reading lost or repeated words', () => {
  /** A transcriber that answers `text` (the real worker's path is tested above; this is the check on its answer). */
  const answering = (text: string): Transcriber => ({
    transcribe: async () => ({ segments: [], text, elapsedMs: 1, cancelled: false }),
  } as unknown as Transcriber);
  const firstText = 'This is the acoustic corpus I am talking pretty fast here there is nothing going on we are just saying some words';

  for (const [label, second, applied] of [
    ['a text that lost most of the words ("And the", as a live take of p09 came back once)', 'And the', false],
    ['a text that says it all twice over', `${firstText} ${firstText} ${firstText}`, false],
    ['a text that differs by a few words', firstText.replace('I am', "I'm").replace('there is', "there's"), true],
  ] as const) {
    it(label, async () => {
      const reports: RefinementReport[] = [];
      const target = new RecordingTarget();
      const refiner = new PhraseRefiner({ transcriber: answering(second), onOutcome: (r) => reports.push(r) });
      refiner.refine(new Float32Array(16000), dictation, firstText, (text) => text, target);
      await refiner.settle(5_000);
      assert.equal(target.applied.length, applied ? 1 : 0, JSON.stringify(reports));
      assert.equal(reports[0]?.outcome, applied ? 'applied' : 'dropped');
      if (!applied) {
        assert.match(reports[0].reason ?? '', /lost or repeated words/);
        assert.equal(target.closed, 1, 'the undo step is closed');
      }
    });
  }
});
