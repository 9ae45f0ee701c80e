// Drives the real Whisper worker (dist/whisperWorker.js + the real whisper.cpp addon) through the client, with
// the weightless tiny.en header from ../shared: it loads and runs the whole graph, so every path is exercised —
// and, beside it, the real tiny.en weights on real speech in both hosts, so the plumbing is shown to carry words.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WhisperClient } from '../../src/node/whisper/client';
import { WhisperWorkerError } from '../../src/node/whisper/protocol';
import type { TranscribeOptions } from '../../src/node/whisper/protocol';
import { isAlive } from '../support/processes';
import { readFileSync } from 'node:fs';
import { readWavAs16kMono } from '../../src/node/audio/wavFile';
import { fixtureModelPath } from '../../src/node/model/fixtureModel';
import { wordErrorRate } from '../../src/core/text/wer';

const root = resolve(__dirname, '../..');
const workerScript = join(root, 'dist/whisperWorker.js');
const addon = join(root, 'node_modules/smart-whisper/build/Release/smart-whisper.node');
const headerModel = resolve(root, '../shared/models/for-tests-ggml-tiny.en.bin');
const options: TranscribeOptions = { language: 'en', threads: 2, beamSize: 1, audioContext: 0 };
const scratch = mkdtempSync(join(tmpdir(), 'whisper-client-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

async function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function client(extra: Partial<ConstructorParameters<typeof WhisperClient>[0]> = {}): WhisperClient {
  return new WhisperClient({ workerScript, host: 'process', addonCandidates: [addon], idleUnloadMs: 0, allowEmptyModel: true, ...extra });
}

describe('WhisperClient with a worker process', () => {
  it('starts lazily, transcribes, reports stats and leaves no process after shutdown', async () => {
    const c = client();
    assert.equal(c.pid, undefined, 'nothing starts before the first request');
    await c.ensureModel(headerModel);
    const pid = c.pid!;
    assert.ok(pid > 0 && pid !== process.pid && isAlive(pid));
    const result = await c.transcribe(new Float32Array(16000), options);
    assert.equal(result.cancelled, false);
    assert.equal(result.text, '', 'the weightless model transcribes nothing');
    const stats = await c.stats();
    assert.equal(stats?.pid, pid);
    assert.equal(stats?.modelLoaded, true);
    assert.ok(stats!.rssBytes > 10 * 1024 * 1024);
    await c.shutdown();
    // The process can be gone (a zombie counts as gone) a moment before Node reaps it and the client hears 'exit'.
    await waitFor(() => !isAlive(pid) && !c.running);
  });

  it('rejects a truncated model with MODEL_INVALID before the native loader sees it, and keeps the worker alive', async () => {
    const broken = join(scratch, 'truncated.bin');
    copyFileSync(headerModel, broken);
    truncateSync(broken, 100_000);
    const c = client();
    await assert.rejects(c.ensureModel(broken), (e: WhisperWorkerError) => e.code === 'MODEL_INVALID' && /ends early/.test(e.message));
    assert.ok(c.pid && isAlive(c.pid), 'worker survived the bad model');
    const notAModel = join(scratch, 'text.bin');
    writeFileSync(notAModel, 'hello, this is not a model');
    await assert.rejects(c.ensureModel(notAModel), (e: WhisperWorkerError) => e.code === 'MODEL_INVALID' && /magic/.test(e.message));
    await assert.rejects(c.ensureModel(join(scratch, 'missing.bin')), (e: WhisperWorkerError) => e.code === 'MODEL_NOT_FOUND');
    c.dispose();
  });

  it('refuses audio that is not a Float32Array instead of crashing', async () => {
    const c = client();
    await c.ensureModel(headerModel);
    const wrong = new Float64Array(16000) as unknown as Float32Array;
    await assert.rejects(c.transcribe(wrong, options), (e: WhisperWorkerError) => e.code === 'BAD_AUDIO');
    assert.ok(c.pid && isAlive(c.pid));
    c.dispose();
  });

  it('survives the worker being killed mid-transcription: reports the crash once and retries the phrase', async () => {
    const crashes: string[] = [];
    const c = client({ onCrash: (d) => crashes.push(d) });
    await c.ensureModel(headerModel);
    const firstPid = c.pid!;
    const job = c.transcribe(new Float32Array(16000 * 20), options);
    setTimeout(() => process.kill(firstPid, 'SIGKILL'), 150);
    const result = await job;
    assert.equal(result.cancelled, false);
    assert.equal(crashes.length, 1);
    assert.match(crashes[0], /SIGKILL/);
    assert.ok(c.pid && c.pid !== firstPid, 'a new worker took over');
    c.dispose();
    await waitFor(() => !isAlive(firstPid));
  });

  it('ends the worker process after the idle timeout', async () => {
    const c = client({ idleUnloadMs: 300 });
    await c.ensureModel(headerModel);
    await c.transcribe(new Float32Array(8000), options);
    const pid = c.pid!;
    // Both: the process is gone, and the client knows it (it learns from Node's 'exit', a moment after the process dies).
    await waitFor(() => !isAlive(pid) && !c.running, 8000);
    c.dispose();
  });

  it('dispose() kills a busy worker process at once', async () => {
    const c = client();
    await c.ensureModel(headerModel);
    const pid = c.pid!;
    const job = c.transcribe(new Float32Array(16000 * 20), options);
    c.dispose();
    await assert.rejects(job, (e: WhisperWorkerError) => e.code === 'WORKER_UNAVAILABLE' || e.code === 'WORKER_CRASHED');
    await waitFor(() => !isAlive(pid));
  });
});

describe('WhisperClient with a worker thread', () => {
  it('loads, transcribes and unloads inside this process', async () => {
    const c = client({ host: 'thread' });
    await c.ensureModel(headerModel);
    assert.equal(c.pid, undefined, 'a thread has no pid of its own');
    const result = await c.transcribe(new Float32Array(16000), options);
    assert.equal(result.text, '');
    const stats = await c.stats();
    assert.equal(stats?.pid, process.pid);
    await c.unload();
    assert.equal((await c.stats())?.modelLoaded, false);
    await c.shutdown();
    assert.equal(c.running, false);
  });
});

describe('WhisperClient with the real model', () => {
  const evalDir = resolve(root, '../shared/eval/public');
  for (const host of ['process', 'thread'] as const) {
    it(`transcribes real speech in a worker ${host}: the words of the clip come back`, async () => {
      const modelPath = fixtureModelPath();
      const c = client({ host, allowEmptyModel: false });
      try {
        await c.ensureModel(modelPath);
        const speech = await readWavAs16kMono(join(evalDir, 'p07_pocketsphinx_goforward.wav'));
        const result = await c.transcribe(speech, options);
        const reference = readFileSync(join(evalDir, 'p07_pocketsphinx_goforward.txt'), 'utf8');
        assert.ok(wordErrorRate(reference, result.text).wer <= 0.2, `${host}: ${result.text}`);
        assert.ok(result.segments.length > 0 && result.segments.every((s) => s.toMs <= 4000), JSON.stringify(result.segments));
      } finally {
        await c.shutdown();
      }
    });
  }
});
