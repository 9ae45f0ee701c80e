// Speculative finalisation in a whole DictationSession, with real speech, the real segmenter and the real model
// (the fake recorder from ../shared streams the audio at real-time pace): a pause shorter than the phrase pause
// starts a speculative transcription that is withdrawn when speech resumes, and the phrase comes out once, whole;
// a long pause gives two phrases, in order, whose text was ready when the pause ended.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { frameDbfs } from '../../src/core/vad/phraseSegmenter';
import { encodePcm16Wav } from '../../src/core/audio/wav';
import { wordErrorRate } from '../../src/core/text/wer';
import { readWavAs16kMono } from '../../src/node/audio/wavFile';
import { recorderArgs, RecorderCommand } from '../../src/node/audio/recorder';
import { DictationSession, PhraseResult } from '../../src/node/dictation/dictationSession';
import { createDictationPipeline } from '../../src/node/dictation/pipeline';
import { fixtureModelPath } from '../../src/node/model/fixtureModel';
import { addonCandidates } from '../../src/node/whisper/addonVariant';
import { WhisperClient } from '../../src/node/whisper/client';
import { LocalTranscriber } from '../../src/node/whisper/localTranscriber';
import { concat } from '../support/signals';

const root = resolve(__dirname, '../..');
const shared = resolve(root, '../shared');
const evalDir = join(shared, 'eval/public');
const workerScript = join(root, 'dist/whisperWorker.js');
const modelPath = fixtureModelPath();
const missing = !existsSync(modelPath) ? `the real model is missing at ${modelPath} (npm run model:fixture)` : !existsSync(workerScript) ? 'dist/ is missing (node esbuild.mjs)' : false;
const scratch = mkdtempSync(join(tmpdir(), 'dictation-realtime-test-'));
const FIRST = 'p03_librivox_sense_and_sensibility_0880';
const SECOND = 'p06_librivox_sense_and_sensibility_0930';

/** The clip cut to its speech (50 ms either side of the first and last frame above −40 dBFS). */
async function speechOf(name: string): Promise<Float32Array> {
  const pcm = await readWavAs16kMono(join(evalDir, `${name}.wav`));
  const frame = 480;
  let first = -1;
  let last = -1;
  for (let at = 0; at + frame <= pcm.length; at += frame) {
    if (frameDbfs(pcm, at, at + frame) > -40) {
      if (first < 0) first = at;
      last = at + frame;
    }
  }
  return pcm.slice(Math.max(0, first - 800), Math.min(pcm.length, last + 800));
}

/** Raw s16le PCM for the fake recorder (a WAV's data without its header). */
function rawPcm(samples: Float32Array): string {
  const path = join(mkdtempSync(join(scratch, 'mic-')), 'speech.raw');
  writeFileSync(path, encodePcm16Wav(samples, 16000).subarray(44));
  return path;
}

function fakeMic(raw: string): RecorderCommand {
  const { args } = recorderArgs('sox', undefined, 'linux');
  return { program: 'sox', executable: process.execPath, args: [join(shared, 'audio/fake-recorder.js'), ...args], env: { FAKE_MIC_FILE: raw, FAKE_MIC_LEAD_MS: '1000' } };
}

const reference = (name: string) => readFileSync(join(evalDir, `${name}.txt`), 'utf8');

// In CI a missing model is a failure, not a skip.
describe('speculative finalisation with real speech and the real model', { skip: !process.env.CI && missing, timeout: 60_000 }, () => {
  let client: WhisperClient;
  let first: Float32Array;
  let second: Float32Array;
  const sessions: DictationSession[] = [];

  before(async () => {
    [first, second] = await Promise.all([speechOf(FIRST), speechOf(SECOND)]);
    client = new WhisperClient({ workerScript, host: 'process', addonCandidates: addonCandidates(root), idleUnloadMs: 0 });
    await client.ensureModel(modelPath);
  });
  after(async () => {
    for (const s of sessions) s.cancel();
    await client?.shutdown();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Dictates the audio through a whole session and returns what it delivered once the audio has played. */
  async function dictate(audio: Float32Array) {
    const pipeline = createDictationPipeline();
    const results: PhraseResult[] = [];
    const errors: Error[] = [];
    let emitted = 0;
    const phrases: Float32Array[] = [];
    const submitted: Float32Array[] = [];
    const local = new LocalTranscriber(client, modelPath);
    const session = new DictationSession({
      recorder: fakeMic(rawPcm(audio)),
      // The real worker, with a note of every piece of audio it was given.
      transcriber: {
        prepare: () => local.prepare(),
        transcribe: (pcm, options, onPartial, signal) => {
          submitted.push(pcm.slice());
          return local.transcribe(pcm, options, onPartial, signal);
        },
      },
      transcribeOptions: () => ({ language: 'en', threads: 2, beamSize: 1, audioContext: 'fit', timestamps: false }),
      createPhraseSource: (emit) => pipeline.createPhraseSource(700, (phrase) => {
        emitted++;
        phrases.push(phrase.samples.slice());
        emit(phrase);
      }),
      acceptText: (text, phrase) => pipeline.acceptText(text, phrase),
      preview: 'off',
      pauseMs: 700,
      listener: { onPhraseText: (r) => void results.push(r), onError: (e) => void errors.push(e) },
    });
    sessions.push(session);
    await session.start();
    // Lead-in, the audio, and two seconds of silence: every pause completes before the session is stopped.
    await new Promise((r) => setTimeout(r, 1000 + (audio.length / 16000) * 1000 + 2000));
    await session.stop();
    assert.deepEqual(errors, []);
    return { results, emitted, session, phrases, submitted };
  }

  it('a pause shorter than the phrase pause: the speculation is withdrawn and the phrase comes out once, whole', async () => {
    const { results, emitted, session } = await dictate(concat(first, new Float32Array(16000 * 0.5), second));
    assert.equal(emitted, 1, 'one phrase');
    assert.ok(session.speculativeMisses >= 1, 'a speculative transcription started in the pause and was withdrawn when speech resumed');
    assert.equal(results.length, 1);
    const score = wordErrorRate(`${reference(FIRST)} ${reference(SECOND)}`, results[0].text);
    assert.equal(score.insertions + score.deletions, 0, `no word lost or repeated: ${results[0].text}`);
    assert.ok(score.wer < 0.25, `${results[0].text}`);
  });

  it('a long pause: two phrases in order, the text of each transcribed during its pause', async () => {
    const { results, emitted, session, phrases, submitted } = await dictate(concat(first, new Float32Array(16000 * 1.5), second));
    assert.equal(emitted, 2, 'two phrases');
    // The speculation waits for the phrase's trail, so Whisper reads exactly the audio of the phrase to come: with
    // less trail it can read the last word differently (22 word errors on the public clips against 18).
    assert.equal(submitted.length, 2, 'each phrase transcribed once: its speculation was used as it was');
    phrases.forEach((phrase, i) => assert.deepEqual(submitted[i], phrase, `phrase ${i + 1}: the speculation had ${submitted[i].length} samples, the phrase ${phrase.length}`));
    assert.equal(results.length, 2);
    assert.ok(wordErrorRate(reference(FIRST), results[0].text).wer < 0.3, results[0].text);
    assert.ok(wordErrorRate(reference(SECOND), results[1].text).wer < 0.3, results[1].text);
    assert.ok(results.every((r) => r.speculative), 'both texts were ready from the speculative transcription');
    assert.equal(session.speculativeHits, 2);
  });
});
