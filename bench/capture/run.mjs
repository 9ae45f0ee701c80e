// `npm run bench:capture`: how long the recorder holds audio back before the extension hears it, per recorder
// command line, on the virtual microphone (PulseAudio null sink, its monitor the default source). Every byte of a
// steady stream is due at (start + its position / 32000 bytes per second); a byte that arrives later waited in the
// recorder's buffers. Per command: the chunks' interval and size, and the mean and the maximum of each byte's delay
// beyond the stream's earliest byte (what buffering adds; the sound card's own latency is the same for all). The end
// of a phrase is heard only when the audio of its pause arrives, so this delay is part of every phrase's latency.
// Results: bench/results/capture-latency.{json,md}. Run it alone.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVirtualMic, stopVirtualMic } from '../../test/host/virtualMic.mjs';
import { Recorder, recorderArgs, resolveRecorder } from '../../src/node/audio/recorder.ts';
import { findOnPath } from '../../src/node/files/executables.ts';
import { median, runContext } from '../report.mjs';

const root = join(fileURLToPath(import.meta.url), '../../..');
const SECONDS = Number(process.env.CAPTURE_BENCH_SECONDS ?? 6);
const TAKES = Number(process.env.CAPTURE_BENCH_TAKES ?? 3);
/** The first second is left out: the device opening and the first fill of the buffers. */
const SETTLE_MS = 1000;

const sox = findOnPath('sox', process.env, 'linux');
const arecord = findOnPath('arecord', process.env, 'linux');
const soxOutput = ['--no-show-progress', '--rate', '16000', '--channels', '1', '--encoding', 'signed-integer', '--bits', '16', '--type', 'raw', '-'];
const commands = [
  sox && { name: 'sox (0.1: default blocks, stdio-buffered stdout)', command: { program: 'sox', executable: sox, args: ['--default-device', ...soxOutput], env: {} } },
  sox && { name: 'sox --buffer 1024', command: { program: 'sox', executable: sox, args: ['--buffer', '1024', '--default-device', ...soxOutput], env: {} } },
  sox && { name: 'sox now: stdbuf -o0 sox --buffer 1024', command: resolveRecorder('sox', undefined, undefined, process.env, 'linux') },
  arecord && { name: 'arecord (0.1: default periods)', command: { program: 'arecord', executable: arecord, args: ['-q', '-r', '16000', '-c', '1', '-t', 'raw', '-f', 'S16_LE', '-'], env: {} } },
  arecord && { name: 'arecord now: --period-time=20000', command: { program: 'arecord', executable: arecord, ...recorderArgs('arecord', undefined, 'linux') } },
].filter(Boolean);

/** Records one take; returns each chunk's arrival time (ms, from the start) and size. */
function take(command) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const started = performance.now();
    const recorder = Recorder.start(command, {
      onData: (chunk) => chunks.push({ at: performance.now() - started, bytes: chunk.length }),
      onError: reject,
    });
    setTimeout(() => recorder.stop(0).then(() => resolve(chunks), reject), SECONDS * 1000);
  });
}

function figures(chunks) {
  const kept = chunks.filter((c) => c.at >= SETTLE_MS);
  // Each byte's due time is its position in the stream at 32 bytes per ms; its delay is arrival − due, and the
  // earliest byte (the least delayed) sets zero. The chunk's last byte is the one just due; its first byte waited longest.
  let position = chunks.filter((c) => c.at < SETTLE_MS).reduce((s, c) => s + c.bytes, 0);
  const delays = [];
  for (const c of kept) {
    const firstDue = position / 32;
    position += c.bytes;
    const lastDue = position / 32;
    delays.push({ first: c.at - firstDue, last: c.at - lastDue });
  }
  const zero = Math.min(...delays.map((d) => d.last));
  // The mean over bytes of a chunk is the mean of its first and last byte's delay (they fall evenly between).
  const weights = kept.map((c) => c.bytes);
  const mean = delays.reduce((s, d, i) => s + (((d.first + d.last) / 2) - zero) * weights[i], 0) / weights.reduce((a, b) => a + b, 0);
  const intervals = kept.slice(1).map((c, i) => c.at - kept[i].at);
  return {
    chunks: kept.length,
    medianChunkBytes: median(kept.map((c) => c.bytes)),
    medianIntervalMs: +median(intervals).toFixed(1),
    meanHoldBackMs: +mean.toFixed(1),
    maxHoldBackMs: +Math.max(...delays.map((d) => d.first - zero)).toFixed(1),
  };
}

const mic = startVirtualMic();
if (!mic) throw new Error('bench:capture needs PulseAudio for the virtual microphone');
Object.assign(process.env, mic);
const rows = [];
try {
  for (const { name, command } of commands) {
    const takes = [];
    for (let i = 0; i < TAKES; i++) takes.push(figures(await take({ ...command, env: { ...command.env } })));
    const row = {
      name,
      commandLine: [command.executable, ...command.args].join(' '),
      takes: TAKES,
      medianChunkBytes: median(takes.map((t) => t.medianChunkBytes)),
      medianIntervalMs: median(takes.map((t) => t.medianIntervalMs)),
      meanHoldBackMs: median(takes.map((t) => t.meanHoldBackMs)),
      maxHoldBackMs: median(takes.map((t) => t.maxHoldBackMs)),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
} finally {
  stopVirtualMic();
}
const summary = { ...runContext(), seconds: SECONDS, settleMs: SETTLE_MS };
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/capture-latency.json'), JSON.stringify({ summary, rows }, null, 2) + '\n');
writeFileSync(join(root, 'bench/results/capture-latency.md'), `# Capture latency: how long the recorder holds audio back (${summary.date.slice(0, 10)})

${summary.machine}; the virtual microphone (PulseAudio null sink, its monitor the default source); ${TAKES} takes of
${SECONDS} s per command line, the first second left out; medians over the takes. A byte's hold-back is how much later than
the stream's least-delayed byte it arrived, by its position in the 16-kHz 16-bit stream: what the recorder's buffering
adds to every phrase (its end is heard only when the audio of the pause has arrived).

| recorder | chunk bytes | chunk every (ms) | mean hold-back (ms) | max hold-back (ms) |
|---|---|---|---|---|
${rows.map((r) => `| ${r.name} | ${r.medianChunkBytes} | ${r.medianIntervalMs} | ${r.meanHoldBackMs} | ${r.maxHoldBackMs} |`).join('\n')}

Command lines: ${rows.map((r) => `\`${r.commandLine.replace(/^\S*\//, '').replace(/ \S*\/(sox|arecord) /, ' $1 ')}\``).join('; ')}.
`);
