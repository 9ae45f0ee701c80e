// Decides where each chunk of a long recording begins and ends. A chunk recorded by an earlier run of the same job
// is reused exactly (its cached transcript belongs to those samples); past the last recorded chunk, each chunk is
// planned afresh: `windowSamples` of audio per Whisper call, overlap included, ending at the quietest point of the
// last few seconds before that length.
import { quietestCut } from './chunkBoundary';
import type { SampleWindow } from './sampleWindow';

export interface ChunkBounds {
  /** Stream positions (16 kHz samples since the start of the range): [startSample, endSample). */
  readonly startSample: number;
  readonly endSample: number;
}

export interface ChunkPlannerOptions {
  /** Boundaries of chunks an earlier run stored or is still transcribing. */
  readonly recorded?: readonly ChunkBounds[];
  readonly overlapSamples: number;
  /** How far before the nominal boundary the quiet point is looked for (at most a third of the chunk). */
  readonly searchSamples: number;
}

export type PlanStep = { readonly kind: 'chunk'; readonly bounds: ChunkBounds } | { readonly kind: 'needAudio' } | { readonly kind: 'done' };

export class ChunkPlanner {
  private readonly recorded = new Map<number, ChunkBounds>();

  constructor(private readonly options: ChunkPlannerOptions) {
    for (const bounds of options.recorded ?? []) if (bounds.endSample > bounds.startSample) this.recorded.set(bounds.startSample, bounds);
  }

  /**
   * The chunk starting at `start`, given the audio received so far (`window`, which must still hold the search
   * stretch) and whether the stream has ended; 'needAudio' until enough has arrived to decide.
   */
  next(start: number, window: SampleWindow, streamEnded: boolean, windowSamples: number): PlanStep {
    const recorded = this.recorded.get(start);
    if (recorded) return { kind: 'chunk', bounds: recorded };
    const overlap = start > 0 ? this.options.overlapSamples : 0;
    const length = Math.max(1, Math.round(windowSamples) - overlap);
    const nominalEnd = start + length;
    if (window.end < nominalEnd) {
      if (!streamEnded) return { kind: 'needAudio' };
      return window.end > start ? { kind: 'chunk', bounds: { startSample: start, endSample: window.end } } : { kind: 'done' };
    }
    // The whole file ends right at the nominal boundary: no cut needed.
    if (streamEnded && window.end === nominalEnd) return { kind: 'chunk', bounds: { startSample: start, endSample: nominalEnd } };
    const search = Math.min(this.options.searchSamples, Math.floor(length / 3));
    const from = nominalEnd - search;
    const cut = from + quietestCut(window.view(from, nominalEnd), 0, search);
    return { kind: 'chunk', bounds: { startSample: start, endSample: Math.max(start + 1, Math.min(cut, nominalEnd)) } };
  }
}
