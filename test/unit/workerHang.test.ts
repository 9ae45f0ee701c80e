// A hung Whisper worker (SIGSTOP: alive, but it never answers) is detected by the model-aware bound, killed and
// replaced, and the phrase it held comes back from the new worker with its words; and a worker that keeps finishing
// jobs between crashes is not taken for a crash loop (each crashed phrase is retried). Real worker processes, the
// real whisper.cpp addon, the real tiny.en model on real speech.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WhisperClient } from '../../src/node/whisper/client';
import type { TranscribeOptions } from '../../src/node/whisper/protocol';
import { readWavAs16kMono } from '../../src/node/audio/wavFile';
import { fixtureModelPath } from '../../src/node/model/fixtureModel';
import { wordErrorRate } from '../../src/core/text/wer';
import { COLD_FLOOR_MS, TranscriptionPace, WARM_FLOOR_MS } from '../../src/core/transcription/hangBound';
import { isAlive } from '../support/processes';
import { addonCandidates } from '../../src/node/whisper/addonVariant';

const root = resolve(__dirname, '../..');
const evalDir = resolve(root, '../shared/eval/public');
const workerScript = join(root, 'dist/whisperWorker.js');
const addon = join(root, 'node_modules/smart-whisper/build/Release/smart-whisper.node');
// The build the extension would use on this CPU (AVX2 when it can), so the learnt pace is the real one.
const bestAddons = addonCandidates(root);
const headerModel = resolve(root, '../shared/models/for-tests-ggml-tiny.en.bin');
const options: TranscribeOptions = { language: 'en', threads: 2, beamSize: 1, audioContext: 0 };
const clients: WhisperClient[] = [];
after(() => clients.forEach((c) => c.dispose()));

function client(extra: Partial<ConstructorParameters<typeof WhisperClient>[0]> = {}): WhisperClient {
  const c = new WhisperClient({ workerScript, host: 'process', addonCandidates: [addon], idleUnloadMs: 0, ...extra });
  clients.push(c);
  return c;
}

async function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('TranscriptionPace: when a worker counts as hung', () => {
  it('is generous and grows with the model before any job finished, then follows the observed pace', () => {
    const pace = new TranscriptionPace();
    pace.useModel('tiny');
    const tiny = 75 * 1048576;
    assert.ok(pace.boundMs(3, tiny) >= COLD_FLOOR_MS + 60_000, 'cold: the slowest build must not look hung');
    assert.ok(pace.boundMs(3, 30 * tiny) > 10 * pace.boundMs(3, tiny) / 2, 'a bigger model gets a longer cold bound');
    pace.record(3, 400);
    pace.record(8, 900);
    assert.equal(pace.boundMs(3, tiny), WARM_FLOOR_MS, 'fast jobs: the floor');
    pace.record(20, 7500);
    assert.equal(pace.boundMs(20, tiny), 4 * 7500, 'four times the slowest job');
    assert.equal(pace.boundMs(2, tiny), 4 * 7500, 'short audio: still the slowest job (a job\'s cost is mostly fixed)');
    assert.ok(pace.boundMs(120, tiny) > 4 * 7500, 'long audio gets its pace per second');
    pace.useModel('base');
    assert.ok(pace.boundMs(3, tiny) >= COLD_FLOOR_MS, 'another model starts cold again');
  });
});

describe('WhisperClient: a hung worker', () => {
  it('a worker stopped by SIGSTOP mid-phrase is killed after the bound and the phrase comes back from a new worker', { timeout: 90_000 }, async () => {
    const crashes: string[] = [];
    const c = client({ onCrash: (d) => crashes.push(d), addonCandidates: bestAddons });
    await c.ensureModel(fixtureModelPath());
    // One finished job teaches the client this machine's pace.
    await c.transcribe(await readWavAs16kMono(join(evalDir, 'p07_pocketsphinx_goforward.wav')), options);
    const hungPid = c.pid!;
    const speech = await readWavAs16kMono(join(evalDir, 'p13_librispeech_61-70968-0000.wav'));
    const started = Date.now();
    const job = c.transcribe(speech, options);
    setTimeout(() => process.kill(hungPid, 'SIGSTOP'), 100);
    const result = await job;
    const tookMs = Date.now() - started;
    const reference = readFileSync(join(evalDir, 'p13_librispeech_61-70968-0000.txt'), 'utf8');
    assert.ok(wordErrorRate(reference, result.text).wer <= 0.25, `the phrase's words came back: ${result.text}`);
    assert.equal(c.hangsDetected, 1);
    assert.match(crashes.join('\n'), /stopped responding/);
    assert.ok(tookMs < COLD_FLOOR_MS, `detected by the warm bound, not the cold one (${tookMs} ms)`);
    assert.ok(c.pid && c.pid !== hungPid, 'a new worker took over');
    await waitFor(() => !isAlive(hungPid));
  });

  it('each of many crashes is retried while the worker finishes jobs between them (not a crash loop)', async () => {
    const c = client({ allowEmptyModel: true, addonCandidates: bestAddons });
    await c.ensureModel(headerModel);
    // The default budget allows 3 crashes in 5 minutes: the 4th and 5th are retried only because jobs finished between.
    for (let i = 0; i < 5; i++) {
      await c.transcribe(new Float32Array(16000), options);
      const pid = c.pid!;
      const job = c.transcribe(new Float32Array(16000 * 10), options);
      setTimeout(() => process.kill(pid, 'SIGKILL'), 150);
      const result = await job;
      assert.equal(result.cancelled, false, `crash ${i + 1} was retried`);
    }
  });
});
