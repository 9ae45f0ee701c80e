// The audio of the last few dictated phrases, kept after they were transcribed so that "Improve Last Phrase" can
// transcribe one again with a bigger model. Bounded twice: by count (only the last phrases are worth improving) and
// by seconds of audio (one long phrase must not hold megabytes). It outlives a dictation (people improve after
// stopping) and is emptied when the extension deactivates; its bytes are counted in the BufferTracker.
import type { BufferTracker, TrackedBuffer } from './bufferTracker';

export interface RecentPhrase<T> {
  samples: Float32Array;
  /** What the owner needs to act on the phrase again (its text, where it went). */
  info: T;
}

export interface RecentPhrasesLimits {
  /** Phrases kept at most. */
  maxPhrases: number;
  /** Seconds of audio kept at most (all phrases together); a single longer phrase is not kept at all. */
  maxSeconds: number;
  sampleRate?: number;
}

export class RecentPhrases<T> {
  private readonly phrases: RecentPhrase<T>[] = [];
  private readonly tracked: TrackedBuffer;
  private readonly maxSamples: number;

  constructor(private readonly limits: RecentPhrasesLimits, buffers: BufferTracker) {
    this.maxSamples = Math.floor(limits.maxSeconds * (limits.sampleRate ?? 16000));
    this.tracked = buffers.track('recent phrases', () => this.bytes);
  }

  /** Keeps a phrase (newest last), dropping the oldest ones beyond the bounds. False when it is too long to keep. */
  add(samples: Float32Array, info: T): boolean {
    if (samples.length > this.maxSamples || this.limits.maxPhrases < 1) return false;
    this.phrases.push({ samples, info });
    while (this.phrases.length > this.limits.maxPhrases || this.samples > this.maxSamples) this.phrases.shift();
    return true;
  }

  /** Drops the phrases whose info matches (they were joined into one, which is added instead). */
  remove(matches: (info: T) => boolean): void {
    for (let i = this.phrases.length - 1; i >= 0; i--) if (matches(this.phrases[i].info)) this.phrases.splice(i, 1);
  }

  last(): RecentPhrase<T> | undefined {
    return this.phrases[this.phrases.length - 1];
  }

  get length(): number {
    return this.phrases.length;
  }

  private get samples(): number {
    return this.phrases.reduce((sum, p) => sum + p.samples.length, 0);
  }

  get bytes(): number {
    return this.phrases.reduce((sum, p) => sum + p.samples.byteLength, 0);
  }

  clear(): void {
    this.phrases.length = 0;
  }

  /** Drops the audio and stops being counted. */
  dispose(): void {
    this.clear();
    this.tracked.dispose();
  }
}
