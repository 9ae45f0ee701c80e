// Realistic non-speech for the "nothing but speech becomes text" checks (integration test and bench:nonspeech):
// room noise cut from the quiet stretches of the public clips (real rooms, real microphones), white, pink and brown
// noise at set levels, keyboard-like clicks, and the desktop sounds of Debian's sound-theme-freedesktop.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { decodeWavSamples, parseWavHeader } from '../../src/core/audio/wav';
import { frameDbfs } from '../../src/core/vad/phraseSegmenter';
import { concat, whiteNoise } from './signals';

const RATE = 16000;
const FRAME = 480;

export interface NonSpeech {
  name: string;
  samples: Float32Array;
}

/** A small deterministic generator (the same as whiteNoise's), uniform in [-1, 1). */
function uniform(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return (state / 0x7fffffff) * 2 - 1;
  };
}

/** Scales audio to an RMS level in dBFS. */
function toLevel(samples: Float32Array, dbfs: number): Float32Array {
  let sum = 0;
  for (const s of samples) sum += s * s;
  const rms = Math.sqrt(sum / samples.length) || 1;
  const gain = 10 ** (dbfs / 20) / rms;
  return samples.map((s) => Math.max(-1, Math.min(1, s * gain)));
}

/** Pink (1/f) noise by Paul Kellet's filter, brown (1/f²) by a leaky integrator, at an RMS level. */
export function colouredNoise(kind: 'white' | 'pink' | 'brown', seconds: number, dbfs: number, seed: number): Float32Array {
  const n = Math.round(seconds * RATE);
  if (kind === 'white') return whiteNoise(n, dbfs, seed);
  const next = uniform(seed);
  const out = new Float32Array(n);
  if (kind === 'pink') {
    let b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
    for (let i = 0; i < n; i++) {
      const w = next();
      b0 = 0.99886 * b0 + w * 0.0555179;
      b1 = 0.99332 * b1 + w * 0.0750759;
      b2 = 0.969 * b2 + w * 0.153852;
      b3 = 0.8665 * b3 + w * 0.3104856;
      b4 = 0.55 * b4 + w * 0.5329522;
      b5 = -0.7616 * b5 - w * 0.016898;
      out[i] = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362;
      b6 = w * 0.115926;
    }
  } else {
    let y = 0;
    for (let i = 0; i < n; i++) {
      y = 0.998 * y + next() * 0.05;
      out[i] = y;
    }
  }
  return toLevel(out, dbfs);
}

/**
 * Typing: a key click is a few milliseconds of noise with a fast decay, peaking near `peakDbfs`, 80–250 ms apart
 * with the odd longer gap, over a quiet room.
 */
export function keyboardClicks(seconds: number, peakDbfs: number, seed: number): Float32Array {
  const out = whiteNoise(Math.round(seconds * RATE), -65, seed);
  const next = uniform(seed + 1);
  const peak = 10 ** (peakDbfs / 20);
  let at = Math.round(0.2 * RATE);
  while (at < out.length - RATE / 50) {
    const length = Math.round((0.004 + 0.004 * Math.abs(next())) * RATE);
    for (let i = 0; i < length && at + i < out.length; i++) out[at + i] += next() * peak * Math.exp(-i / (length / 4));
    at += Math.round((0.08 + 0.17 * Math.abs(next()) + (Math.abs(next()) > 0.9 ? 0.6 : 0)) * RATE);
  }
  return out;
}

function readWav16k(path: string): Float32Array {
  const bytes = new Uint8Array(readFileSync(path));
  const header = parseWavHeader(bytes);
  if (header.sampleRate !== RATE) throw new Error(`${path}: ${header.sampleRate} Hz, expected 16 kHz`);
  const samples = decodeWavSamples(header, bytes.subarray(header.dataOffset, header.dataOffset + header.dataLength));
  return header.channels === 1 ? samples : samples.filter((_, i) => i % header.channels === 0);
}

/**
 * The room between the words: from each public clip, the runs of at least 300 ms whose every frame is within 6 dB
 * of the clip's quietest frames (the rooms' own noise, breaths excluded), joined, up to `seconds`.
 */
export function roomNoise(evalDir: string, seconds: number): Float32Array {
  const pieces: Float32Array[] = [];
  let total = 0;
  for (const file of readdirSync(evalDir).filter((f) => f.endsWith('.wav')).sort()) {
    const pcm = readWav16k(join(evalDir, file));
    const levels: number[] = [];
    for (let at = 0; at + FRAME <= pcm.length; at += FRAME) levels.push(frameDbfs(pcm, at, at + FRAME));
    const floor = [...levels].sort((a, b) => a - b)[Math.floor(levels.length * 0.05)];
    // A clip whose quiet is digital zero has no room to give.
    if (!Number.isFinite(floor) || floor < -90) continue;
    let runStart = -1;
    for (let i = 0; i <= levels.length; i++) {
      const quiet = i < levels.length && levels[i] <= floor + 6;
      if (quiet && runStart < 0) runStart = i;
      if (!quiet && runStart >= 0) {
        // Leave a frame either side: the edges of a run lean into speech.
        const from = (runStart + 1) * FRAME;
        const to = (i - 1) * FRAME;
        if (to - from >= 0.3 * RATE) {
          pieces.push(pcm.slice(from, to));
          total += to - from;
          if (total >= seconds * RATE) return concat(...pieces).slice(0, seconds * RATE);
        }
        runStart = -1;
      }
    }
  }
  return concat(...pieces);
}

/** The desktop's own sounds (bells, alerts, camera shutter…), 16 kHz mono, if sound-theme-freedesktop and sox are here. */
export function desktopSounds(dir = '/usr/share/sounds/freedesktop/stereo'): NonSpeech[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    // audio-channel-* are spoken words ("front left"): speech, not what this set is for.
    .filter((f) => f.endsWith('.oga') && !f.startsWith('audio-channel-'))
    .sort()
    .map((f) => {
      const raw = execFileSync('sox', [join(dir, f), '-t', 'raw', '-r', String(RATE), '-c', '1', '-b', '16', '-e', 'signed-integer', '-L', '-'], { maxBuffer: 64 * 1024 * 1024 });
      const view = new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
      return { name: `desktop sound ${basename(f, '.oga')}`, samples: Float32Array.from(view, (s) => s / 32768) };
    });
}

/** The whole set: each kind of non-speech once, `scale` stretching the generated pieces (1 ≈ 2 minutes). */
export function nonSpeechSet(evalDir: string, scale = 1, withDesktopSounds = true): NonSpeech[] {
  const s = (seconds: number) => Math.max(2, Math.round(seconds * scale));
  const levels = [-45, -35, -28, -20];
  return [
    { name: 'room noise from the public clips', samples: roomNoise(evalDir, s(30)) },
    ...levels.flatMap((dbfs, i) => (['white', 'pink', 'brown'] as const).map((kind) => ({ name: `${kind} noise at ${dbfs} dBFS`, samples: colouredNoise(kind, s(6), dbfs, 100 + i * 3 + kind.length) }))),
    { name: 'keyboard clicks (peaks near -20 dBFS)', samples: keyboardClicks(s(12), -20, 7) },
    { name: 'keyboard clicks (peaks near -8 dBFS)', samples: keyboardClicks(s(12), -8, 11) },
    ...(withDesktopSounds ? desktopSounds() : []),
  ];
}
