#!/usr/bin/env node
// Child process for evaluation only: loads smart-whisper's native binding directly, transcribes WAV clips
// with greedy decoding (language "en") and prints one JSON line per clip: {"wav","text","ms","seconds"}.
// It runs in its own process because the native addon can take the whole process down on a bad model.
// Usage: node transcribe-child.cjs --model <ggml.bin> [--threads N] clip.wav...
// The WAV reader below is deliberately local (evaluation clips are 16 kHz PCM); the product's reader lives
// in src/core/audio.
'use strict';
const { readFileSync } = require('node:fs');

function readEvalWavAsFloat32(path) {
  const data = readFileSync(path);
  if (data.length < 12 || data.toString('ascii', 0, 4) !== 'RIFF' || data.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error(`${path}: not a RIFF/WAVE file`);
  }
  let format;
  let offset = 12;
  while (offset + 8 <= data.length) {
    const id = data.toString('ascii', offset, offset + 4);
    const size = data.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      let audioFormat = data.readUInt16LE(body);
      if (audioFormat === 0xfffe && size >= 26) audioFormat = data.readUInt16LE(body + 24); // WAVE_FORMAT_EXTENSIBLE
      format = {
        audioFormat,
        channels: data.readUInt16LE(body + 2),
        sampleRate: data.readUInt32LE(body + 4),
        bitsPerSample: data.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!format) throw new Error(`${path}: data chunk before fmt chunk`);
      if (format.sampleRate !== 16000) throw new Error(`${path}: ${format.sampleRate} Hz; evaluation clips must be 16 kHz`);
      const isPcm16 = format.audioFormat === 1 && format.bitsPerSample === 16;
      const isFloat32 = format.audioFormat === 3 && format.bitsPerSample === 32;
      if (!isPcm16 && !isFloat32) throw new Error(`${path}: format ${format.audioFormat}/${format.bitsPerSample} bit is not supported`);
      const bytesPerFrame = (format.bitsPerSample / 8) * format.channels;
      const frames = Math.floor(Math.min(size, data.length - body) / bytesPerFrame);
      const pcm = new Float32Array(frames);
      for (let i = 0; i < frames; i++) {
        let sum = 0;
        for (let c = 0; c < format.channels; c++) {
          const at = body + i * bytesPerFrame + c * (format.bitsPerSample / 8);
          sum += isPcm16 ? data.readInt16LE(at) / 32768 : data.readFloatLE(at);
        }
        pcm[i] = Math.max(-1, Math.min(1, sum / format.channels));
      }
      return pcm;
    }
    offset = body + size + (size & 1);
  }
  throw new Error(`${path}: no data chunk`);
}

function parseArgs(argv) {
  const options = { model: undefined, threads: undefined, wavs: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--model') options.model = argv[++i];
    else if (argv[i] === '--threads') options.threads = Number(argv[++i]);
    else options.wavs.push(argv[i]);
  }
  if (!options.model || options.wavs.length === 0) throw new Error('usage: transcribe-child.cjs --model <ggml.bin> [--threads N] clip.wav...');
  return options;
}

function transcribe(binding, model, pcm, params) {
  return new Promise((resolve, reject) => {
    binding.transcribe(model.handle, pcm, params, (results) => {
      // smart-whisper resolves a native failure with an Error object instead of rejecting.
      if (results instanceof Error) reject(results);
      else resolve(results);
    }, () => {});
  });
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const binding = require('smart-whisper/build/Release/smart-whisper.node');
  const clips = options.wavs.map((wav) => ({ wav, pcm: readEvalWavAsFloat32(wav) }));
  const model = await binding.WhisperModel.load(options.model, false);
  try {
    const params = { strategy: 0, language: 'en', format: 'simple', print_progress: false, print_realtime: false, print_timestamps: false };
    if (options.threads) params.n_threads = options.threads;
    for (const { wav, pcm } of clips) {
      const started = Date.now();
      const segments = await transcribe(binding, model, pcm, params);
      const text = segments.map((s) => s.text).join('').trim();
      process.stdout.write(`${JSON.stringify({ wav, text, ms: Date.now() - started, seconds: pcm.length / 16000 })}\n`);
    }
  } finally {
    await model.free();
  }
}

main().catch((error) => {
  process.stdout.write(`${JSON.stringify({ error: String(error && error.message ? error.message : error) })}\n`);
  process.exitCode = 1;
});
