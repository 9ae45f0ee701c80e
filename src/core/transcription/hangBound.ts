// When a Whisper worker counts as hung. A worker stopped by SIGSTOP, or stuck in native code, never answers: without
// a bound the phrase it holds (and every phrase after it) waits forever. The bound is model-aware and learns this
// machine's pace: until a job of the loaded model has finished, a generous bound that grows with the model's size
// (the slowest build on the slowest CPU must not be mistaken for a hang); after that, a multiple of the slowest recent
// job of that model, and of its time per second of audio, so "far longer than usual for this audio" is the signal.

/** Until the first job of a model has finished: at least this long. */
export const COLD_FLOOR_MS = 60_000;
/** …plus this much per MiB of model (tiny.en 75 MiB: +60 s; large 2.9 GiB: +39 min). */
export const COLD_MS_PER_MODEL_MIB = 800;
/**
 * Once jobs have been seen: never less than this. A busy 2-core machine (a build, a test run or a second worker beside
 * it) slows a job down by several times, and short phrases (a small encoder window) teach a pace that a full 30-s
 * window does not keep: 6 s killed healthy workers on CI. A false "hung" costs a reload and a retry; a real hang is
 * rare, so the floor errs on the long side.
 */
export const WARM_FLOOR_MS = 20_000;
/** How many times the slowest recent job (or its pace per audio second) a job may take. */
export const WARM_MARGIN = 4;
/** Audio shorter than this is counted as this long for the pace per second. */
const PACE_MIN_SECONDS = 10;
/** Jobs remembered for the pace. */
const WINDOW = 20;

interface Observation {
  elapsedMs: number;
  audioSeconds: number;
}

export class TranscriptionPace {
  private readonly seen: Observation[] = [];
  private model?: string;

  /** The model whose pace is learnt; another model starts cold again. */
  useModel(model: string): void {
    if (model === this.model) return;
    this.model = model;
    this.seen.length = 0;
  }

  /** A job of the current model finished in `elapsedMs` (cancelled jobs say nothing about the pace). */
  record(audioSeconds: number, elapsedMs: number): void {
    if (!(elapsedMs >= 0) || !(audioSeconds >= 0)) return;
    this.seen.push({ elapsedMs, audioSeconds });
    if (this.seen.length > WINDOW) this.seen.shift();
  }

  /** How long a transcription of `audioSeconds` may take before the worker counts as hung. */
  boundMs(audioSeconds: number, modelBytes: number): number {
    if (this.seen.length === 0) return coldBoundMs(modelBytes) + audioSeconds * 1000;
    const slowest = Math.max(...this.seen.map((o) => o.elapsedMs));
    // A short job's time is mostly its fixed cost (the encoder's window): its pace per second only counts from 10 s.
    const pace = Math.max(...this.seen.map((o) => o.elapsedMs / Math.max(PACE_MIN_SECONDS, o.audioSeconds)));
    return Math.round(Math.max(WARM_FLOOR_MS, WARM_MARGIN * slowest, WARM_MARGIN * pace * Math.max(1, audioSeconds)));
  }
}

/** A model load (or any request before a job has finished) may take this long. */
export function coldBoundMs(modelBytes: number): number {
  return Math.round(COLD_FLOOR_MS + (Math.max(0, modelBytes) / 1048576) * COLD_MS_PER_MODEL_MIB);
}
