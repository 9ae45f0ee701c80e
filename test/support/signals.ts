// Test signals built in memory: deterministic noise at a level, and joining pieces of audio.

/** Deterministic white noise at a level (dBFS), from a small linear congruential generator. */
export function whiteNoise(samples: number, dbfs: number, seed: number): Float32Array {
  const out = new Float32Array(samples);
  const amplitude = 10 ** (dbfs / 20) * Math.sqrt(3);
  let state = seed;
  for (let i = 0; i < samples; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    out[i] = ((state / 0x7fffffff) * 2 - 1) * amplitude;
  }
  return out;
}

/** The pieces one after another in one array. */
export function concat(...parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Noise shaped like speech's loudness: bursts of ~150 ms (syllables) at `dbfs` with ~100 ms dips 25 dB below,
 * so its level rises and falls as a voice's does (steady noise is not speech to the segmenter).
 */
export function syllables(samples: number, dbfs: number, seed: number): Float32Array {
  const out = whiteNoise(samples, dbfs, seed);
  const period = 4000;
  for (let i = 0; i < samples; i++) if (i % period >= 2400) out[i] *= 0.056;
  return out;
}
