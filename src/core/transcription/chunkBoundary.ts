// Where to end a chunk of a long recording: at the quietest moment shortly before the nominal boundary, so a chunk
// rarely ends inside a word. Whisper hears every chunk on its own; a word cut in two is lost or garbled on both
// sides, while a cut in a pause costs nothing.

export interface QuietCutOptions {
  /** Analysis frame (samples): 10 ms at 16 kHz. */
  readonly frameSamples?: number;
  /** Frames averaged around each candidate, so a pause wins over one quiet frame between two syllables. */
  readonly smoothFrames?: number;
  /** Frames within this many dB of the quietest count as the same pause; the cut goes to its middle. */
  readonly toleranceDb?: number;
}

/**
 * The sample index in [searchFrom, searchTo] where `samples` is quietest (frame energy, smoothed). Among equally
 * quiet stretches the one nearest the nominal boundary (`searchTo`) wins, and the cut goes to the middle of that
 * stretch, so both chunks keep a little of the pause.
 */
export function quietestCut(samples: Float32Array, searchFrom: number, searchTo: number, options: QuietCutOptions = {}): number {
  const frame = Math.max(1, options.frameSamples ?? 160);
  const smooth = Math.max(1, options.smoothFrames ?? 15);
  const toleranceDb = options.toleranceDb ?? 1;
  const from = Math.max(0, Math.min(searchFrom, samples.length));
  const to = Math.max(from, Math.min(searchTo, samples.length));
  const frames = Math.floor((to - from) / frame);
  if (frames < 1) return to;

  const energy = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let i = from + f * frame, end = i + frame; i < end; i++) sum += samples[i] * samples[i];
    energy[f] = sum / frame;
  }
  const half = Math.floor(smooth / 2);
  const smoothed = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    let count = 0;
    for (let g = Math.max(0, f - half); g <= Math.min(frames - 1, f + half); g++, count++) sum += energy[g];
    smoothed[f] = sum / count;
  }

  let quietest = frames - 1;
  for (let f = frames - 1; f >= 0; f--) if (smoothed[f] < smoothed[quietest]) quietest = f;
  // A stretch "as quiet" as the minimum: within toleranceDb of it (energy ratio), or digital silence around it.
  const ceiling = smoothed[quietest] * 10 ** (toleranceDb / 10) + 1e-12;
  let first = quietest;
  let last = quietest;
  while (first > 0 && smoothed[first - 1] <= ceiling) first--;
  while (last < frames - 1 && smoothed[last + 1] <= ceiling) last++;
  const middleFrame = (first + last + 1) / 2;
  return Math.min(to, from + Math.round(middleFrame * frame));
}

/**
 * Where the audio fed to Whisper before a chunk should begin, as an offset into `before` (the up to `overlap`
 * samples that precede the cut, ending at the cut). The overlap exists for words that straddle the cut; when the
 * cut lies in a pause there are none, and re-hearing the end of a sentence the previous chunk already finished
 * only makes Whisper glue it to the next one. So the overlap then starts where that speech ends.
 */
export function contextStart(before: Float32Array, options: { frameSamples?: number; minPauseFrames?: number } = {}): number {
  const frame = Math.max(1, options.frameSamples ?? 320);
  const minPause = options.minPauseFrames ?? 8;
  const frames = Math.floor(before.length / frame);
  if (frames === 0) return 0;
  // Frames are counted back from the cut, so the last frame ends exactly there.
  const offset = before.length - frames * frame;
  const levels = Array.from({ length: frames }, (_, f) => energyDb(before, offset + f * frame, offset + (f + 1) * frame));
  const threshold = Math.max(-55, Math.min(...levels) + 15);
  let quiet = frames;
  while (quiet > 0 && levels[quiet - 1] <= threshold) quiet--;
  if (quiet === 0) return 0;
  return frames - quiet >= minPause ? offset + quiet * frame : 0;
}

function energyDb(samples: Float32Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i] * samples[i];
  return sum > 0 ? 10 * Math.log10(sum / (to - from)) : -120;
}
