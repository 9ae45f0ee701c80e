// Reading audio for long-file transcription: WAV of every supported encoding, rate and channel count streamed as
// 16 kHz mono; ranges by byte offset; ffmpeg and sox for other formats (real files made with ffmpeg from a public
// clip); clear errors for bad input that leave nothing behind in any temp folder or the cache.
import { LocalTranscriber } from '../../src/node/whisper/localTranscriber';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeWavHeader } from '../../src/core/audio/wav';
import { resampleLinear } from '../../src/core/audio/convert';
import { wordErrorRate } from '../../src/core/text/wer';
import { TranscriptionError, type TranscriptionErrorCode } from '../../src/core/transcription/transcriptionError';
import { readWavAs16kMono } from '../../src/node/audio/wavFile';
import { fixtureModelPath } from '../../src/node/model/fixtureModel';
import { openAudioSource, type OpenAudioOptions } from '../../src/node/transcription/audioSource';
import { decoderInstallHint, DecoderProcess, findDecoder } from '../../src/node/transcription/externalDecoder';
import { JobCache } from '../../src/node/transcription/jobCache';
import { transcribeLongFile, type ChunkTranscriber } from '../../src/node/transcription/longFileTranscriber';
import { fileTranscribeOptions, WhisperChunkTranscriber } from '../../src/node/transcription/whisperChunkTranscriber';
import { addonCandidates } from '../../src/node/whisper/addonVariant';
import { WhisperClient } from '../../src/node/whisper/client';
import { concat } from '../support/signals';

const root = resolve(__dirname, '../..');
const clipPath = resolve(root, '../shared/eval/public/p01_jfk_inaugural_1961.wav');
const modelPath = fixtureModelPath();
const workerScript = join(root, 'dist/whisperWorker.js');
// The AVX2 build when the CPU has it (5–9× faster), else the build npm made.
const addons = addonCandidates(root);
const haveFfmpeg = !!findDecoder({ program: 'ffmpeg' });
const haveSox = !!findDecoder({ program: 'sox' });
const scratch = mkdtempSync(join(tmpdir(), 'transcription-audio-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let clip: Float32Array;
before(async () => {
  clip = await readWavAs16kMono(clipPath);
});

interface WavEncoding {
  readonly rate: number;
  readonly channels: number;
  readonly bits: number;
  readonly float?: boolean;
}

/** Writes `mono` as a WAV of any encoding; channel c carries the signal times (1 - 0.25 c). */
function writeWav(path: string, mono: Float32Array, encoding: WavEncoding): void {
  const bytesPerSample = encoding.bits / 8;
  const data = Buffer.alloc(mono.length * encoding.channels * bytesPerSample);
  let at = 0;
  for (const sample of mono) {
    for (let c = 0; c < encoding.channels; c++) {
      const x = Math.max(-1, Math.min(1, sample * (1 - 0.25 * c)));
      if (encoding.float) {
        if (encoding.bits === 32) data.writeFloatLE(x, at);
        else data.writeDoubleLE(x, at);
      } else if (encoding.bits === 8) data.writeUInt8(Math.max(0, Math.min(255, Math.round(x * 128 + 128))), at);
      else if (encoding.bits === 16) data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(x * 32768))), at);
      else if (encoding.bits === 24) data.writeIntLE(Math.max(-8388608, Math.min(8388607, Math.round(x * 8388608))), at, 3);
      else data.writeInt32LE(Math.max(-2147483648, Math.min(2147483647, Math.round(x * 2147483648))), at);
      at += bytesPerSample;
    }
  }
  const header = Buffer.from(encodeWavHeader(encoding.rate, encoding.channels, encoding.bits, data.length));
  if (encoding.float) header.writeUInt16LE(3, 20);
  writeFileSync(path, Buffer.concat([header, data]));
}

async function readAll(path: string, options: OpenAudioOptions = {}): Promise<{ samples: Float32Array; blocks: number[]; duration?: number; expected?: number }> {
  const source = await openAudioSource(path, options);
  const parts: Float32Array[] = [];
  for await (const block of source.blocks()) parts.push(block);
  await source.close();
  return { samples: concat(...parts), blocks: parts.map((p) => p.length), duration: source.durationSeconds, expected: source.expectedSamples };
}

function maxDifference(a: Float32Array, b: Float32Array, from = 0): number {
  let worst = 0;
  for (let i = from; i < Math.min(a.length, b.length); i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function ffmpeg(...args: string[]): void {
  const result = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
}

describe('WAV files, streamed as 16 kHz mono', () => {
  const encodings: (WavEncoding & { tolerance: number })[] = [
    { rate: 16000, channels: 1, bits: 8, tolerance: 1 / 128 },
    { rate: 16000, channels: 1, bits: 16, tolerance: 1e-9 },
    { rate: 16000, channels: 1, bits: 24, tolerance: 1e-6 },
    { rate: 16000, channels: 1, bits: 32, tolerance: 1e-6 },
    { rate: 16000, channels: 1, bits: 32, float: true, tolerance: 1e-7 },
    { rate: 16000, channels: 1, bits: 64, float: true, tolerance: 1e-7 },
    { rate: 16000, channels: 2, bits: 16, tolerance: 1e-4 },
    { rate: 44100, channels: 2, bits: 24, tolerance: 0.05 },
    { rate: 48000, channels: 2, bits: 16, tolerance: 0.05 },
    { rate: 48000, channels: 6, bits: 32, float: true, tolerance: 0.05 },
    { rate: 22050, channels: 1, bits: 16, tolerance: 0.05 },
  ];
  for (const encoding of encodings) {
    const name = `${encoding.rate} Hz, ${encoding.channels} ch, ${encoding.bits}-bit ${encoding.float ? 'float' : 'PCM'}`;
    it(`reads ${name} exactly as the whole-file reader does, in small blocks`, async () => {
      const source = encoding.rate === 16000 ? clip : resampleLinear(clip, 16000, encoding.rate);
      const path = join(scratch, `clip-${encoding.rate}-${encoding.channels}-${encoding.bits}${encoding.float ? 'f' : ''}.wav`);
      writeWav(path, source, encoding);
      const { samples, blocks, duration, expected } = await readAll(path);
      const whole = await readWavAs16kMono(path);
      assert.equal(samples.length, whole.length);
      assert.deepEqual(samples, whole, 'streamed blocks equal the whole-file conversion');
      assert.equal(expected, samples.length);
      assert.ok(Math.abs(duration! - 11) < 0.01, `duration ${duration}`);
      assert.ok(Math.max(...blocks) <= 1.5 * 16000, `largest block ${Math.max(...blocks)} samples`);
      // Against the original clip: the mean of the channels (gains 1, 0.75, …) at 16 kHz.
      const gain = Array.from({ length: encoding.channels }, (_, c) => 1 - 0.25 * c).reduce((a, b) => a + b) / encoding.channels;
      const reference = clip.map((x) => x * gain);
      assert.ok(Math.abs(samples.length - reference.length) <= 2);
      if (encoding.rate === 16000) assert.ok(maxDifference(samples, reference) <= encoding.tolerance, `${name}: max difference ${maxDifference(samples, reference)}`);
      else {
        let error = 0;
        let energy = 0;
        for (let i = 0; i < Math.min(samples.length, reference.length); i++) {
          error += (samples[i] - reference[i]) ** 2;
          energy += reference[i] ** 2;
        }
        assert.ok(error / energy < 0.05, `${name}: relative error ${(error / energy).toFixed(4)}`);
      }
    });
  }
});

describe('time ranges in WAV files', () => {
  it('yields exactly the slice of the whole file (16 kHz)', async () => {
    const { samples, expected } = await readAll(clipPath, { range: { fromSeconds: 3.25, toSeconds: 7.5 } });
    assert.equal(samples.length, 68000);
    assert.equal(expected, 68000);
    assert.deepEqual(samples, clip.slice(52000, 120000));
  });

  it('yields the slice of the whole file at 48 kHz stereo (up to the resampler warming up)', async () => {
    const path = join(scratch, 'range-48k.wav');
    writeWav(path, resampleLinear(clip, 16000, 48000), { rate: 48000, channels: 2, bits: 24 });
    const whole = await readWavAs16kMono(path);
    const { samples } = await readAll(path, { range: { fromSeconds: 2, toSeconds: 6 } });
    assert.equal(samples.length, 64000);
    assert.ok(maxDifference(samples, whole.slice(32000, 96000), 1) < 1e-5);
  });

  it('seeks by byte offset: a second from the end of an 18-hour file is read at once', async () => {
    const path = join(scratch, 'huge.wav');
    const dataBytes = 0x7fff0000;
    const fd = openSync(path, 'w');
    writeSync(fd, encodeWavHeader(16000, 1, 16, dataBytes));
    ftruncateSync(fd, 44 + dataBytes); // sparse: no disk space, reads as silence
    closeSync(fd);
    const started = Date.now();
    const { samples, duration } = await readAll(path, { range: { fromSeconds: 67_000, toSeconds: 67_001 } });
    const elapsed = Date.now() - started;
    assert.equal(samples.length, 16000);
    assert.ok(samples.every((x) => x === 0));
    assert.ok(Math.abs(duration! - dataBytes / 32000) < 0.001);
    assert.ok(elapsed < 1000, `took ${elapsed} ms: the 2 GB before the range must not be read`);
  });
});

describe('other formats through ffmpeg and sox', { skip: haveFfmpeg ? false : 'ffmpeg is not installed (apt install ffmpeg)' }, () => {
  const flac = join(scratch, 'clip.flac');
  const mp3 = join(scratch, 'clip.mp3');
  const ogg = join(scratch, 'clip.ogg');
  before(() => {
    ffmpeg('-i', clipPath, flac);
    ffmpeg('-i', clipPath, '-b:a', '64k', mp3);
    ffmpeg('-i', clipPath, '-c:a', 'libvorbis', '-q:a', '4', ogg);
  });

  it('decodes FLAC with ffmpeg to the same samples, with its duration from ffprobe', async () => {
    const { samples, duration, expected } = await readAll(flac);
    assert.equal(samples.length, clip.length);
    assert.ok(maxDifference(samples, clip) < 1e-6);
    assert.ok(Math.abs(duration! - 11) < 0.05);
    assert.equal(expected, clip.length);
  });

  it('seeks with -ss/-t: a range of a FLAC file is that slice of the clip', async () => {
    const { samples } = await readAll(flac, { range: { fromSeconds: 2, toSeconds: 5 } });
    assert.ok(Math.abs(samples.length - 48000) <= 16, `${samples.length} samples`);
    assert.ok(maxDifference(samples, clip.slice(32000, 80000)) < 1e-6);
  });

  it('decodes with sox (and its trim) when asked to', { skip: haveSox ? false : 'sox is not installed' }, async () => {
    const whole = await readAll(flac, { decoder: { program: 'sox' } });
    assert.equal(whole.samples.length, clip.length);
    assert.ok(maxDifference(whole.samples, clip) < 1e-4);
    assert.ok(Math.abs(whole.duration! - 11) < 0.05);
    const part = await readAll(flac, { decoder: { program: 'sox' }, range: { fromSeconds: 2, toSeconds: 5 } });
    assert.equal(part.samples.length, 48000);
    assert.ok(maxDifference(part.samples, clip.slice(32000, 80000)) < 1e-4);
  });

  it('kills the decoder when reading stops early', async () => {
    const decoder = findDecoder({ program: 'ffmpeg' })!;
    const running = new DecoderProcess(decoder, mp3, { fromSeconds: 0 });
    const pid = running.pid!;
    const blocks = running.blocks();
    assert.ok((await blocks.next()).value.length > 0);
    await running.close();
    assert.throws(() => process.kill(pid, 0), 'ffmpeg is gone');
    await blocks.return(undefined);
  });

  it('transcribes mp3 and ogg to the same words as the WAV, with the real model', { skip: existsSync(modelPath) ? false : `no model at ${modelPath} (npm run model:fixture)` }, async () => {
    const client = new WhisperClient({ workerScript, host: 'process', addonCandidates: addons, idleUnloadMs: 0 });
    try {
      const transcriber = new WhisperChunkTranscriber(new LocalTranscriber(client, modelPath), fileTranscribeOptions('en', 2));
      const text = async (path: string) => (await transcribeLongFile({ path, transcribers: [transcriber], modelId: 'test' })).text;
      const wav = await text(clipPath);
      assert.match(wav, /ask not what your country can do for you/i);
      for (const path of [mp3, ogg]) {
        const decoded = await text(path);
        assert.ok(wordErrorRate(wav, decoded).wer <= 0.05, `${path}: "${decoded}" vs "${wav}"`);
      }
    } finally {
      await client.shutdown();
    }
  });
});

describe('without a decoder', () => {
  it('names how to install ffmpeg on each OS', async () => {
    const mp3 = join(scratch, 'fake.mp3');
    writeFileSync(mp3, Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0, ...new Array(500).fill(0)]));
    await assert.rejects(openAudioSource(mp3, { decoder: { env: { PATH: '' } } }), (e: TranscriptionError) => e.code === 'NO_DECODER' && e.message.includes('sudo apt install ffmpeg') && /ffmpeg or sox/.test(e.message));
    await assert.rejects(openAudioSource(mp3, { decoder: { env: { PATH: '' }, platform: 'darwin' } }), (e: TranscriptionError) => e.code === 'NO_DECODER' && e.message.includes('brew install ffmpeg'));
    await assert.rejects(openAudioSource(mp3, { decoder: { executable: join(scratch, 'no-such-ffmpeg') } }), (e: TranscriptionError) => e.code === 'NO_DECODER');
    assert.match(decoderInstallHint('win32'), /winget install ffmpeg/);
  });
});

describe('bad input', () => {
  const temp = join(scratch, 'tmp');
  const cacheRoot = join(scratch, 'cache');
  let savedTmp: string | undefined;
  before(() => {
    mkdirSync(temp);
    savedTmp = process.env.TMPDIR;
    // Everything that asks os.tmpdir() during these tests gets this empty folder, which must stay empty.
    process.env.TMPDIR = temp;
  });
  after(() => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
  });

  let transcribed = 0;
  const counting: ChunkTranscriber = { transcribe: async () => (transcribed++, []) };

  async function expectFailure(path: string, code: TranscriptionErrorCode, options: { range?: { fromSeconds?: number; toSeconds?: number }; env?: NodeJS.ProcessEnv; message?: RegExp } = {}): Promise<void> {
    const cache = new JobCache(cacheRoot);
    await assert.rejects(
      transcribeLongFile({ path, transcribers: [counting], modelId: 'test', cache, range: options.range, decoder: options.env ? { env: options.env } : undefined }),
      (error: unknown) => {
        assert.ok(error instanceof TranscriptionError, `${path}: ${String(error)}`);
        assert.equal(error.code, code, `${path}: ${error.message}`);
        if (options.message) assert.match(error.message, options.message);
        return true;
      },
    );
    assert.deepEqual(readdirSync(temp), [], 'nothing left in the temp folder');
    assert.deepEqual(await cache.list(), [], 'no cache job for a file that cannot be read');
    assert.equal(transcribed, 0);
  }

  const file = (name: string, content: string | Uint8Array) => {
    const path = join(scratch, name);
    writeFileSync(path, content);
    return path;
  };

  it('reports missing, empty, folder and unreadable files', async () => {
    await expectFailure(join(scratch, 'missing.wav'), 'FILE_NOT_FOUND', { message: /does not exist/ });
    await expectFailure(file('empty.wav', ''), 'EMPTY_FILE', { message: /empty/ });
    const folder = join(scratch, 'folder.wav');
    mkdirSync(folder);
    await expectFailure(folder, 'FILE_UNREADABLE', { message: /folder/ });
    if (process.getuid?.() !== 0) {
      const locked = file('locked.wav', readFileSync(clipPath));
      chmodSync(locked, 0o000);
      await expectFailure(locked, 'FILE_UNREADABLE', { message: /permission/ });
    }
  });

  it('reports truncated WAV files, and a WAV without audio', async () => {
    const bytes = readFileSync(clipPath);
    await expectFailure(file('cut-in-data.wav', bytes.subarray(0, 44 + 32000)), 'TRUNCATED', { message: /only 0:01/ });
    await expectFailure(file('cut-in-header.wav', bytes.subarray(0, 30)), 'TRUNCATED');
    await expectFailure(file('no-audio.wav', encodeWavHeader(16000, 1, 16, 0)), 'EMPTY_FILE');
  });

  it('reports files that are not audio', async () => {
    await expectFailure(file('notes.wav', 'These are my meeting notes, not a recording.\n'), 'NOT_AUDIO', { message: /not a WAV file/ });
    await expectFailure(file('notes.mp3', 'Plain text with an audio name.\n'.repeat(20)), 'NOT_AUDIO', { message: /text file/ });
    const riffAvi = Buffer.concat([Buffer.from('RIFF\x24\x00\x00\x00AVI LIST', 'latin1'), Buffer.alloc(64)]);
    await expectFailure(file('movie.wav', riffAvi), 'NOT_AUDIO');
    if (haveFfmpeg) await expectFailure(file('noise.bin', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251))), 'NOT_AUDIO');
  });

  it('reports an encoding nobody can decode, and a format without a decoder', async () => {
    const alaw = Buffer.from(encodeWavHeader(8000, 1, 8, 8000));
    alaw.writeUInt16LE(6, 20); // A-law: real WAV, not decoded natively
    const alawFile = file('alaw.wav', Buffer.concat([alaw, Buffer.alloc(8000, 0xd5)]));
    await expectFailure(alawFile, 'UNSUPPORTED_FORMAT', { env: { PATH: '' }, message: /install ffmpeg/i });
    if (haveFfmpeg) {
      const { samples } = await readAll(alawFile);
      assert.ok(Math.abs(samples.length - 16000) <= 16, 'ffmpeg decodes what we do not');
    }
    await expectFailure(file('song.ogg', Buffer.concat([Buffer.from('OggS'), Buffer.alloc(200)])), 'NO_DECODER', { env: { PATH: '' }, message: /sudo apt install ffmpeg/ });
  });

  it('reports ranges outside the file, reversed or negative', async () => {
    await expectFailure(clipPath, 'BAD_RANGE', { range: { fromSeconds: 11 }, message: /only 0:11 long/ });
    await expectFailure(clipPath, 'BAD_RANGE', { range: { fromSeconds: 5, toSeconds: 4 } });
    await expectFailure(clipPath, 'BAD_RANGE', { range: { fromSeconds: 3, toSeconds: 3 } });
    await expectFailure(clipPath, 'BAD_RANGE', { range: { fromSeconds: -1 } });
    if (haveFfmpeg) {
      const mp3 = join(scratch, 'range.mp3');
      ffmpeg('-i', clipPath, mp3);
      await expectFailure(mp3, 'BAD_RANGE', { range: { fromSeconds: 60 } });
    }
  });
});
