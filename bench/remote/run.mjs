#!/usr/bin/env node
// `npm run bench:remote`: the team engine's cost. The same 10-minute file of real speech as bench:files (the public
// clips one after another with a second of silence, repeated) is transcribed by the extension's long-file pipeline
// (transcribeLongFile) twice over: locally (one Whisper worker, as the extension does by default), and through the
// remote engine (RemoteTranscriber) against whisper.cpp's own server built from the same sources with the same flags
// (scripts/build-whisper-server.mjs), with 1, 2 and 4 requests in flight. Same model, same threads, no cache. The
// server runs on this machine's cores, so no GPU pays off here: the honest figure is the protocol's overhead (WAV
// upload, HTTP, JSON, the server's decoding defaults), remote with 1 request against local.
// Results: bench/results/remote.{json,md,svg}; the JSON has { localSeconds, remote: [{ parallel, seconds }] }.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wordErrorRate } from '../../src/core/text/wer.ts';
import { RemoteTranscriber } from '../../src/node/remote/remoteTranscriber.ts';
import { transcribeLongFile } from '../../src/node/transcription/longFileTranscriber.ts';
import { fileTranscribeOptions, WhisperChunkTranscriber } from '../../src/node/transcription/whisperChunkTranscriber.ts';
import { addonCandidates } from '../../src/node/whisper/addonVariant.ts';
import { WhisperClient } from '../../src/node/whisper/client.ts';
import { LocalTranscriber } from '../../src/node/whisper/localTranscriber.ts';
import { startWhisperServer } from '../../test/support/whisperServer.ts';
import { buildBenchSubjects } from '../buildSubjects.mjs';
import { runContext } from '../report.mjs';
import { barChartSvg } from '../svgChart.mjs';

const root = join(fileURLToPath(import.meta.url), '../../..');
const evalDir = join(root, '../shared/eval/public');
const model = process.env.REMOTE_BENCH_MODEL ?? join(process.env.OFFLINE_DICTATION_CACHE ?? join(process.env.HOME, '.cache'), 'offline-dictation/models/ggml-tiny.en.bin');
const minutes = Number(process.env.REMOTE_BENCH_MINUTES ?? 10);
const parallels = (process.env.REMOTE_BENCH_PARALLEL ?? '1,2,4').split(',').map(Number);
const threads = Math.min(8, availableParallelism());
/** Seconds of audio per request: offlineDictation.remote.chunkSeconds' default (package.json). */
const chunkSeconds = Number(process.env.REMOTE_BENCH_CHUNK ?? JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).contributes.configuration.flatMap((g) => Object.entries(g.properties)).find(([k]) => k === 'offlineDictation.remote.chunkSeconds')[1].default);
const clips = readdirSync(evalDir).filter((f) => f.endsWith('.wav')).sort();

const { variant } = buildBenchSubjects(root);
execFileSync(process.execPath, [join(root, 'scripts/build-whisper-server.mjs'), variant], { cwd: root, stdio: 'inherit' });
const serverBinary = join(root, '.cache/whisper-server', variant, 'whisper-server');

const work = mkdtempSync(join(tmpdir(), 'bench-remote-'));

// The long file exactly as bench/files/run.mjs builds it.
function paddedClips() {
  return clips.map((c, i) => {
    const path = join(work, `clip-${i}.wav`);
    execFileSync('sox', [join(evalDir, c), '-r', '16000', '-c', '1', '-b', '16', path, 'pad', '0', '1']);
    return { path, seconds: Number(execFileSync('soxi', ['-D', path], { encoding: 'utf8' })), words: readFileSync(join(evalDir, c.replace(/\.wav$/, '.txt')), 'utf8').trim() };
  });
}

function makeLongFile(padded, minutes) {
  const target = minutes * 60;
  const chosen = [];
  let seconds = 0;
  for (let i = 0, misses = 0; seconds < target - 2 && misses < padded.length; i++) {
    const clip = padded[i % padded.length];
    if (seconds + clip.seconds > target + 2) {
      misses++;
      continue;
    }
    misses = 0;
    chosen.push(clip);
    seconds += clip.seconds;
  }
  const out = join(work, `speech-${minutes}min.wav`);
  execFileSync('sox', [...chosen.map((c) => c.path), out]);
  return { path: out, seconds: Number(execFileSync('soxi', ['-D', out], { encoding: 'utf8' })), reference: chosen.map((c) => c.words).join(' ') };
}

/** Transcribes the file with these chunk transcribers; wall seconds and WER (the engine is ready before the clock starts). */
async function timed(file, transcribers, modelId, chunkSeconds) {
  const started = process.hrtime.bigint();
  const result = await transcribeLongFile({ path: file.path, transcribers, modelId, chunkSeconds });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds: +seconds.toFixed(1), chunks: result.chunks, wer: +(wordErrorRate(file.reference, result.text).wer * 100).toFixed(2) };
}

const file = makeLongFile(paddedClips(), minutes);
console.log(`bench:remote: ${minutes} min (${file.seconds.toFixed(0)} s of audio), ${basename(model)}, ${threads} threads, ${variant}`);
const options = fileTranscribeOptions('en', threads);
let local;
let remote = [];
const client = new WhisperClient({ workerScript: join(root, 'dist/whisperWorker.js'), host: 'process', addonCandidates: addonCandidates(root), idleUnloadMs: 0 });
try {
  const localEngine = new LocalTranscriber(client, model);
  await localEngine.prepare();
  local = await timed(file, [new WhisperChunkTranscriber(localEngine, options)], 'local');
  console.log(`local: ${JSON.stringify(local)}`);
} finally {
  await client.shutdown().catch(() => undefined);
  client.dispose();
}
const server = await startWhisperServer({ model, threads, binary: serverBinary });
try {
  for (const parallel of parallels) {
    const engine = new RemoteTranscriber({ url: server.baseUrl, model: basename(model), timeoutMs: 600_000, maxConcurrent: parallel });
    // One short request first, so the first chunk does not pay for the server's first allocations.
    await engine.transcribe(new Float32Array(16000), options);
    const row = { parallel, ...(await timed(file, Array.from({ length: parallel }, () => new WhisperChunkTranscriber(engine, options)), engine.identity, chunkSeconds)) };
    console.log(`remote: ${JSON.stringify(row)}`);
    remote.push(row);
  }
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}

const summary = { ...runContext(), model: basename(model), variant, threads, minutes, remoteChunkSeconds: chunkSeconds, audioSeconds: +file.seconds.toFixed(1), oneRequestRatio: +(remote.find((r) => r.parallel === 1)?.seconds / local.seconds).toFixed(3) };
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(
  join(root, 'bench/results/remote.json'),
  JSON.stringify({ localSeconds: local.seconds, remote: remote.map((r) => ({ parallel: r.parallel, seconds: r.seconds, chunks: r.chunks, wer: r.wer })), local: { chunks: local.chunks, wer: local.wer }, summary }, null, 2) + '\n',
);
const rows = [`| local (1 worker) | ${local.seconds} | 1.00× | ${local.chunks} | ${local.wer} |`, ...remote.map((r) => `| remote, ${r.parallel} request(s) | ${r.seconds} | ${(r.seconds / local.seconds).toFixed(2)}× | ${r.chunks} | ${r.wer} |`)];
writeFileSync(join(root, 'bench/results/remote.md'), `# Team engine: local vs remote (${summary.date.slice(0, 10)})

${summary.machine}; ${summary.minutes} min of speech (${summary.audioSeconds} s, the public clips repeated, as bench:files); model ${summary.model}; ${summary.variant} build; ${summary.threads} threads on both sides.
Local: the extension's long-file pipeline with one Whisper worker. Remote: the same pipeline through RemoteTranscriber to whisper.cpp's own server
(built from the same sources and flags, \`-t ${summary.threads}\`, \`--inference-path /v1/audio/transcriptions\`) on this machine: it shares the same cores,
so this measures the protocol's overhead, not a GPU server's speed-up. Model load and server start are outside the clock. Remote requests carry ${summary.remoteChunkSeconds} s of audio each
(\`offlineDictation.remote.chunkSeconds\`); the local worker follows its decoder in 30-s windows.

| engine | seconds | vs local | chunks | WER % |
|---|---|---|---|---|
${rows.join('\n')}

Remote with 1 request / local: **${summary.oneRequestRatio}×**.

![chart](remote.svg)
`);
writeFileSync(join(root, 'bench/results/remote.svg'), barChartSvg({
  title: `Seconds to transcribe ${summary.minutes} min of speech: local vs remote (same 2 cores)`,
  unit: 's',
  categories: ['local', ...remote.map((r) => `remote ×${r.parallel}`)],
  series: [{ name: 'wall seconds', values: [local.seconds, ...remote.map((r) => r.seconds)] }],
}));
console.log(JSON.stringify(summary, null, 2));
