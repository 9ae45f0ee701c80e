// Long-file transcription end to end with the real tiny.en model and the real Whisper worker: a minute of speech
// assembled from public clips with pauses between them, transcribed in chunks (accuracy against clip-by-clip, cue
// times against where the speech is), a range, cancel and resume (every chunk transcribed once), parallel chunk
// transcribers, flat memory on a long file, and the `transcribe` CLI (SRT output, killed with SIGKILL and resumed).
import { LocalTranscriber } from '../../src/node/whisper/localTranscriber';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeWavHeader } from '../../src/core/audio/wav';
import { assembleLongRecording, assertCuesAlign, parseSrt, writeWav16, type ClipPlacement } from '../support/longRecording';
import { aggregateWer, wordErrorRate } from '../../src/core/text/wer';
import { formatTranscript } from '../../src/core/transcription/transcriptFormats';
import { fixtureModelPath } from '../../src/node/model/fixtureModel';
import { fullGarbageCollector } from '../../src/node/memory/garbageCollector';
import { CHUNK_PATTERN, JobCache } from '../../src/node/transcription/jobCache';
import { transcribeLongFile, type ChunkTranscriber, type TranscriptionProgress } from '../../src/node/transcription/longFileTranscriber';
import { modelIdentity } from '../../src/node/transcription/modelIdentity';
import { fileTranscribeOptions, WhisperChunkTranscriber } from '../../src/node/transcription/whisperChunkTranscriber';
import { addonCandidates } from '../../src/node/whisper/addonVariant';
import { WhisperClient } from '../../src/node/whisper/client';
import { runCli, type CliIo } from '../../src/cli';
import { isAlive } from '../support/processes';

const root = resolve(__dirname, '../..');
const evalDir = resolve(root, '../shared/eval/public');
const modelPath = fixtureModelPath();
const workerScript = join(root, 'dist/whisperWorker.js');
const cliScript = join(root, 'dist/cli.js');
// The AVX2 build when the CPU has it (5–9× faster), else the build npm made.
const addons = addonCandidates(root);
const CLIPS = ['p01_jfk_inaugural_1961', 'p02_librivox_sense_and_sensibility_0870', 'p13_librispeech_61-70968-0000', 'p14_librispeech_1995-1837-0001', 'p15_librispeech_1272-141231-0002', 'p16_cmu_arctic_awb_a0007', 'p07_pocketsphinx_goforward'];
const THREADS = 2;
/** A chunk length that gives five chunks for the minute of speech: enough seams, affordable on two cores. */
const SHORT_CHUNKS = 15;

const missing = !existsSync(modelPath)
  ? `the real model is missing at ${modelPath} (npm run model:fixture)`
  : !existsSync(workerScript) || !readFileSync(cliScript, 'utf8').includes('transcript-cache')
    ? 'dist/ is missing or stale (node esbuild.mjs)'
    : false;

const scratch = mkdtempSync(join(tmpdir(), 'transcription-long-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('long-file transcription with the real model', { skip: missing }, () => {
  const longWav = join(scratch, 'meeting.wav');
  let clips: readonly ClipPlacement[] = [];
  let client: WhisperClient;
  let whisper: ChunkTranscriber;
  let modelId: string;
  /** The transcript of the long file in SHORT_CHUNKS chunks, from the CLI run without cache, and its chunk count. */
  let shortChunkSrt = '';
  let shortChunkCount = 0;

  before(async () => {
    clips = (await assembleLongRecording(evalDir, CLIPS, longWav)).clips;
    client = new WhisperClient({ workerScript, host: 'process', addonCandidates: addons, idleUnloadMs: 0 });
    await client.ensureModel(modelPath);
    whisper = new WhisperChunkTranscriber(new LocalTranscriber(client, modelPath), fileTranscribeOptions('en', THREADS));
    modelId = `${await modelIdentity(modelPath)}:en`;
  });
  after(async () => {
    await client?.shutdown();
  });

  it('is as accurate as transcribing the clips one by one, and its SRT cues line up with the speech', async () => {
    const oneByOne = [];
    for (const clip of clips) oneByOne.push(wordErrorRate(clip.reference, (await client.transcribe(clip.pcm, fileTranscribeOptions('en', THREADS))).text));
    const baseline = aggregateWer(oneByOne).wer;

    const progress: TranscriptionProgress[] = [];
    const result = await transcribeLongFile({ path: longWav, transcribers: [whisper], modelId, onProgress: (p) => progress.push(p) });
    const wer = wordErrorRate(clips.map((c) => c.reference).join(' '), result.text).wer;
    assert.ok(wer <= baseline + 0.01, `long file WER ${(wer * 100).toFixed(1)} % vs clip by clip ${(baseline * 100).toFixed(1)} %: ${result.text}`);
    assert.equal(result.cancelled, false);
    assert.equal(result.chunks, 3);
    assert.equal(result.chunksTranscribed, 3);
    assertCuesAlign(parseSrt(formatTranscript('srt', result.segments)), clips);

    const total = clips[clips.length - 1].endSeconds;
    assert.ok(progress.length >= 4);
    assert.ok(progress.every((p, i) => i === 0 || (p.fraction! >= progress[i - 1].fraction! && p.elapsedMs >= progress[i - 1].elapsedMs)));
    const last = progress[progress.length - 1];
    assert.equal(last.fraction, 1);
    assert.ok(Math.abs(last.totalSeconds! - total) < 0.01 && Math.abs(last.processedSeconds - total) < 0.01);
    assert.equal(last.chunksDone, 3);
    assert.equal(last.remainingMs, 0);
    assert.ok(progress[1].remainingMs! > 0, 'an estimate after the first chunk');
  });

  it('transcribes only a range, with times absolute in the file', async () => {
    const [third, fourth] = [clips[2], clips[3]];
    const fromSeconds = third.startSeconds - 0.3;
    const toSeconds = fourth.endSeconds + 0.3;
    const result = await transcribeLongFile({ path: longWav, transcribers: [whisper], modelId, range: { fromSeconds, toSeconds } });
    const wer = wordErrorRate(`${third.reference} ${fourth.reference}`, result.text).wer;
    assert.ok(wer <= 0.1, `WER ${wer}: ${result.text}`);
    assert.ok(result.segments.every((s) => s.startMs >= fromSeconds * 1000 - 1 && s.endMs <= toSeconds * 1000 + 1), JSON.stringify(result.segments));
    assert.ok(Math.abs(result.segments[0].startMs / 1000 - third.speechStart) <= 0.5, `first segment at ${result.segments[0].startMs} ms, speech at ${third.speechStart} s`);
    assert.deepEqual(result.range, { fromSeconds, toSeconds });
  });

  it('CLI: transcribes to SRT on stdout, with progress on stderr', async () => {
    const run = await runCliProcess([longWav, '--format', 'srt', '--no-cache', '--chunk-seconds', String(SHORT_CHUNKS), '--threads', String(THREADS), '--model', modelPath]);
    assert.equal(run.code, 0, run.stderr);
    const cues = parseSrt(run.stdout);
    assertCuesAlign(cues, clips);
    const wer = wordErrorRate(clips.map((c) => c.reference).join(' '), cues.map((c) => c.text).join(' ')).wer;
    assert.ok(wer <= 0.1, `WER ${wer}`);
    assert.match(run.stderr, /transcribe: \d+% · /);
    const done = /transcribe: done in [\d.]+ s \((\d+) chunks, 0 from cache, (\d+) transcribed\)/.exec(run.stderr);
    assert.ok(done && done[1] === done[2], run.stderr);
    // 15-s chunks of a minute of speech: at least 5; a chunk whose decoding stops early hands its rest to the next.
    assert.ok(Number(done[1]) >= 5 && Number(done[1]) <= 8, `${done[1]} chunks`);
    shortChunkCount = Number(done[1]);
    shortChunkSrt = run.stdout;
  });

  it('returns within a second of a cancel, and a re-run started at once transcribes every chunk exactly once', async (t) => {
    if (!shortChunkSrt) return t.skip('needs the transcript of the CLI run');
    let calls = 0;
    let secondCallFinished = false;
    const controller = new AbortController();
    let abortedAt = 0;
    const counting: ChunkTranscriber = {
      async transcribe(pcm, options) {
        const call = ++calls;
        const pending = whisper.transcribe(pcm, options);
        // Cancelled while the second chunk is inside whisper.cpp.
        if (call === 2 && !controller.signal.aborted) {
          abortedAt = Date.now();
          controller.abort();
        }
        const segments = await pending;
        if (call === 2) secondCallFinished = true;
        return segments;
      },
    };
    const cache = new JobCache(join(scratch, 'cancel-cache'));
    const first = await transcribeLongFile({ path: longWav, transcribers: [counting], modelId, chunkSeconds: SHORT_CHUNKS, cache, signal: controller.signal });
    const returnedAfterMs = Date.now() - abortedAt;
    assert.equal(first.cancelled, true);
    assert.ok(returnedAfterMs < 1000, `returned ${returnedAfterMs} ms after the cancel`);
    assert.equal(calls, 2, 'the second chunk was already inside whisper.cpp');
    assert.equal(secondCallFinished, false, 'the cancelled run did not wait for it');
    assert.equal(first.chunks, 1);
    assert.match(first.text, /^And so my fellow Americans/);

    const second = await transcribeLongFile({ path: longWav, transcribers: [counting], modelId, chunkSeconds: SHORT_CHUNKS, cache });
    assert.equal(second.cancelled, false);
    assert.equal(calls, second.chunks, `${calls} transcriptions for ${second.chunks} chunks over both runs`);
    assert.equal(second.chunksFromCache, 2, 'the stored chunk and the one that was in flight');
    assert.equal(second.chunksTranscribed, second.chunks - 2);
    assert.equal(formatTranscript('srt', second.segments).trim(), shortChunkSrt.trim(), 'same transcript as an uninterrupted run');
    await first.settled;

    const third = await transcribeLongFile({ path: longWav, transcribers: [counting], modelId, chunkSeconds: SHORT_CHUNKS, cache });
    assert.equal(third.chunksTranscribed, 0);
    assert.equal(third.text, second.text);
  });

  it('CLI: Ctrl+C keeps what is done, SIGKILL loses only the chunk in flight, and the next run resumes with the same transcript', async (t) => {
    if (!shortChunkSrt) return t.skip('needs the transcript of the CLI run');
    const cacheDir = join(scratch, 'cli-cache');
    const args = [longWav, '--format', 'srt', '--cache', cacheDir, '--chunk-seconds', String(SHORT_CHUNKS), '--threads', String(THREADS), '--model', modelPath];
    const chunkFiles = () => {
      try {
        return readdirSync(join(cacheDir, 'jobs')).flatMap((job) => readdirSync(join(cacheDir, 'jobs', job)).filter((n) => CHUNK_PATTERN.test(n)));
      } catch {
        return [];
      }
    };
    const stopAfter = (chunks: number, signal: NodeJS.Signals) => async (child: ReturnType<typeof spawn>) => {
      while (chunkFiles().length < chunks) await delay(20);
      const workers = childPids(child.pid!);
      child.kill(signal);
      return workers;
    };

    const interrupted = await runCliProcess(args, stopAfter(1, 'SIGINT'));
    assert.equal(interrupted.code, 130, interrupted.stderr);
    const cancelled = /transcribe: cancelled after [\d.]+ s \((\d+) chunks, 0 from cache, (\d+) transcribed\); run the same command again to continue/.exec(interrupted.stderr);
    assert.ok(cancelled && cancelled[1] === cancelled[2] && Number(cancelled[1]) >= 1, interrupted.stderr);
    assert.ok(interrupted.stdout.length > 0 && shortChunkSrt.startsWith(interrupted.stdout), `partial SRT:\n${interrupted.stdout}`);
    const done = Number(cancelled[1]);
    // A chunk that was inside whisper.cpp at Ctrl+C is finished and stored before the CLI exits.
    assert.ok([done, done + 1].includes(chunkFiles().length), `${chunkFiles().length} chunks stored, ${done} reported`);
    assert.ok((interrupted.observed ?? []).length > 0 || process.platform !== 'linux', 'the CLI had started its worker');
    for (const pid of interrupted.observed ?? []) await waitUntil(() => !isAlive(pid), `worker ${pid} outlived the cancelled CLI`);

    const killed = await runCliProcess(args, stopAfter(3, 'SIGKILL'));
    assert.equal(killed.signal, 'SIGKILL');
    const stored = chunkFiles().length;
    assert.ok(stored >= 3 && stored < shortChunkCount, `${stored} chunks stored before the kill`);
    // An orphaned worker leaves as soon as its parent's IPC channel closes, without finishing the whisper.cpp job it
    // runs (a chunk takes seconds here).
    for (const pid of killed.observed ?? []) await waitUntil(() => !isAlive(pid), `worker ${pid} still running after its CLI was killed`, 500);

    const resumed = await runCliProcess(args);
    assert.equal(resumed.code, 0, resumed.stderr);
    const summary = /\((\d+) chunks, (\d+) from cache, (\d+) transcribed\)/.exec(resumed.stderr);
    assert.ok(summary, resumed.stderr);
    const [chunks, fromCache, transcribed] = summary.slice(1).map(Number);
    assert.equal(chunks, shortChunkCount);
    assert.equal(fromCache, stored);
    assert.equal(transcribed, shortChunkCount - stored);
    assert.equal(resumed.stdout, shortChunkSrt);

    const listed = await captureCli(['transcript-cache', 'list', '--cache', cacheDir]);
    assert.match(listed.out.join('\n'), new RegExp(`${shortChunkCount} chunks {2}complete {2}.*meeting\\.wav`));
    assert.equal((await captureCli(['transcript-cache', 'clear', '--cache', cacheDir])).code, 0);
    assert.deepEqual(chunkFiles(), []);
  });
});

describe('chunk transcribers used concurrently and memory on a long file', () => {
  it('keeps N transcribers busy at once, never more, and assembles the text in chunk order', async () => {
    const path = join(scratch, 'parallel.wav');
    const second = Float32Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin(i / 5));
    writeWav16(path, Array.from({ length: 100 }, (_, i) => (i % 10 === 9 ? new Float32Array(16000) : second)));
    let active = 0;
    let maxActive = 0;
    let calls = 0;
    const slow = (delayMs: (call: number) => number): ChunkTranscriber => ({
      async transcribe(pcm) {
        const call = calls++;
        active++;
        maxActive = Math.max(maxActive, active);
        await delay(delayMs(call));
        active--;
        return [{ fromMs: 0, toMs: pcm.length / 16, text: `w${call}` }];
      },
    });
    const transcribers = [slow((c) => (c === 0 ? 120 : 20)), slow(() => 20)];
    const result = await transcribeLongFile({ path, transcribers, modelId: 'fake', chunkSeconds: 10, overlapSeconds: 0 });
    assert.equal(maxActive, 2);
    assert.equal(result.chunks, calls);
    assert.equal(result.text, Array.from({ length: calls }, (_, i) => `w${i}`).join(' '), 'in chunk order although the first finished last');
  });

  it('with one transcriber, starts each chunk where decoding of the previous one stopped: nothing skipped, nothing twice', async () => {
    // Second s (1…68) is a 440 Hz tone at amplitude 0.1 + 0.005·s, between a second of silence at each end: a fake
    // decoder can tell which seconds it hears.
    const path = join(scratch, 'numbered.wav');
    const tone = (s: number) => Float32Array.from({ length: 16000 }, (_, i) => (0.1 + 0.005 * s) * Math.sin((2 * Math.PI * 440 * i) / 16000));
    writeWav16(path, [new Float32Array(16000), ...Array.from({ length: 68 }, (_, i) => tone(i + 1)), new Float32Array(16000)]);
    const firstWindowOnly: boolean[] = [];
    // Like Whisper on continuous speech: of a full 30-s window only the first 60 % is decoded; a shorter input
    // (the end of the file) is decoded to its end.
    const stopsEarly: ChunkTranscriber = {
      async transcribe(pcm, options) {
        firstWindowOnly.push(options.firstWindowOnly);
        const frameLevel = (f: number) => {
          let peak = 0;
          for (let i = f * 160; i < (f + 1) * 160; i++) peak = Math.max(peak, Math.abs(pcm[i]));
          return peak < 0.05 ? -1 : Math.round((peak - 0.1) / 0.005);
        };
        const frames = Math.floor(pcm.length / 160);
        const decodeMs = pcm.length >= 25 * 16000 ? 0.6 * (pcm.length / 16) : Infinity;
        const segments = [];
        // Whole seconds only: a change of level on both sides.
        let runStart = 0;
        let level = frameLevel(0);
        for (let f = 1; f < frames; f++) {
          const next = frameLevel(f);
          if (next === level) continue;
          if (runStart > 0 && level > 0 && f * 10 <= decodeMs) segments.push({ fromMs: runStart * 10, toMs: f * 10, text: `s${level}` });
          runStart = f;
          level = next;
        }
        return segments;
      },
    };
    const result = await transcribeLongFile({ path, transcribers: [stopsEarly], modelId: 'fake' });
    assert.equal(result.text, Array.from({ length: 68 }, (_, i) => `s${i + 1}`).join(' '));
    assert.ok(firstWindowOnly.every(Boolean), 'every chunk decoded as one window');
    assert.equal(result.chunks, firstWindowOnly.length);
    // 70 s at ~17 s decoded per 30-s chunk, and the rest.
    assert.ok(result.chunks >= 4, `${result.chunks} chunks`);
  });

  it('holds only the chunks in flight: a 12-minute 44.1 kHz file in flat memory, chunk length changing as it goes', async () => {
    const path = join(scratch, 'lecture-44k.wav');
    const rate = 44100;
    const seconds = 12 * 60;
    const fd = openSync(path, 'w');
    writeSync(fd, encodeWavHeader(rate, 1, 16, seconds * rate * 2));
    const block = new Int16Array(rate);
    for (let s = 0; s < seconds; s++) {
      for (let i = 0; i < rate; i++) block[i] = s % 7 === 6 ? 0 : Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / rate));
      writeSync(fd, new Uint8Array(block.buffer));
    }
    closeSync(fd);
    // What is still referenced, not what the collector has yet to free.
    const gc = fullGarbageCollector();
    gc();
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const lengths: number[] = [];
    const measuring: ChunkTranscriber = {
      async transcribe(pcm) {
        lengths.push(pcm.length);
        gc();
        // Backing stores are released just after the collection.
        await delay(5);
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
        // Timed after the overlap, so the merge keeps it.
        return [{ fromMs: pcm.length / 16 - 2500, toMs: pcm.length / 16 - 1500, text: `chunk ${lengths.length}` }];
      },
    };
    let asked = 0;
    const result = await transcribeLongFile({ path, transcribers: [measuring], modelId: 'fake', chunkSeconds: () => (++asked > 10 ? 15 : 30) });
    assert.equal(result.text.split('chunk').length - 1, result.chunks);
    assert.ok(lengths.every((n) => n <= 30 * 16000), 'never more than one window per call');
    assert.ok(lengths.slice(12, -1).every((n) => n <= 15 * 16000 && n > 11 * 16000), 'shorter chunks once the length was halved');
    // 10 chunks of 25–29 s of new audio (30 s less overlap, padding and the cut), then 10–13 s each.
    assert.ok(result.chunks >= 10 + (seconds - 10 * 29) / 13 && result.chunks <= 10 + (seconds - 10 * 25) / 10, `${result.chunks} chunks`);
    assert.equal(asked, result.chunks + 1, 'the length is asked once per chunk (and once more to find the end)');
    // The file as 16 kHz float is 46 MB; a 30-s chunk is 2 MB (the window, its copy, a block or two in flight).
    assert.ok(peak < 20 * 1024 * 1024, `array buffers grew by ${(peak / 1024 / 1024).toFixed(1)} MB`);
  });
});

describe('transcribe CLI arguments and errors', () => {
  it('rejects bad arguments with usage (exit 2) and bad input with its code (exit 1)', async () => {
    const usage = await captureCli(['transcribe', 'x.wav', '--format', 'doc']);
    assert.equal(usage.code, 2);
    assert.match(usage.err.join('\n'), /--format must be one of txt, md, srt, vtt, json[\s\S]*usage: offline-dictation transcribe FILE/);
    assert.equal((await captureCli(['transcribe'])).code, 2);
    assert.equal((await captureCli(['transcribe', 'a.wav', '--from', 'soon'])).code, 2);
    assert.equal((await captureCli(['transcribe', 'a.wav', '--workers', '0'])).code, 2);

    const noModel = await captureCli(['transcribe', join(evalDir, 'p07_pocketsphinx_goforward.wav'), '--model', 'medium.en'], { OFFLINE_DICTATION_CACHE: join(scratch, 'empty-cache') });
    assert.equal(noModel.code, 1);
    assert.match(noModel.err.join('\n'), /^transcribe failed \[MODEL_NOT_FOUND\]: No model "medium\.en"/);
    if (!existsSync(modelPath)) return;
    const notFound = await captureCli(['transcribe', join(scratch, 'nothing.wav'), '--model', modelPath, '--no-cache']);
    assert.equal(notFound.code, 1);
    assert.match(notFound.err.join('\n'), /^transcribe failed \[FILE_NOT_FOUND\]/);
    const range = await captureCli(['transcribe', join(evalDir, 'p07_pocketsphinx_goforward.wav'), '--from', '1:00', '--model', modelPath, '--no-cache']);
    assert.equal(range.code, 1);
    assert.match(range.err.join('\n'), /\[BAD_RANGE\].*only 0:02\.8 long/);
  });
});

async function captureCli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (l) => out.push(l), stderr: (l) => err.push(l), env: { ...process.env, ...env } };
  return { code: await runCli(argv, io), out, err };
}

interface ProcessRun<T> {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly observed?: T;
}

function runCliProcess<T = undefined>(args: string[], during?: (child: ReturnType<typeof spawn>) => Promise<T>): Promise<ProcessRun<T>> {
  const child = spawn(process.execPath, [cliScript, 'transcribe', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const observed = during?.(child);
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', async (code, signal) => resolvePromise({ code, signal, stdout, stderr, observed: await observed }));
  });
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function waitUntil(condition: () => boolean, message: string, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) assert.fail(message);
    await delay(25);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
