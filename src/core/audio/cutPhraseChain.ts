// A monologue longer than the segmenter's phrase limit (25 s) is cut at a quiet frame while the speaker goes on, so
// that its first part is transcribed and inserted during the speech. Whisper then hears each part without the
// other, and the words around the cut suffer: on the public clips the two monologues made 10 word errors as two
// parts against 7 as one piece (greedy, tiny.en). This chain remembers the parts of the monologue being spoken;
// when its last part ends (a pause or stop), it hands back the parts that fit into one Whisper window together, so
// dictation can transcribe them again as one piece and put that text in their place. Pure: the owner does the transcribing and the editing.
import type { PhraseEnd } from '../vad/phraseSegmenter';

/** Whisper hears 30 s at once; a joined piece stays within one window so it has no cut of its own. */
export const JOINED_MAX_SAMPLES = 16000 * 29.5;

export interface ChainPart<T> {
  samples: Float32Array;
  /** Stream positions of the phrase (a continuation starts where the cut part ended). */
  startSample?: number;
  endSample?: number;
  endedBy?: PhraseEnd;
  /** What the owner needs to put the joined text in place (where each part went, its options). */
  info: T;
}

export class CutPhraseChain<T> {
  private parts: ChainPart<T>[] = [];

  constructor(private readonly maxSamples = JOINED_MAX_SAMPLES) {}

  /** Whether `phrase` ends a monologue whose earlier parts are held here (so its insertion may be joined). */
  continues(phrase: Pick<ChainPart<T>, 'startSample' | 'endedBy'>): boolean {
    return phrase.endedBy !== 'length' && this.isNext(phrase);
  }

  /**
   * A phrase went in as one edit. A part cut at the length limit is held (with the parts before it that still fit one
   * window beside it); the phrase that ends the monologue returns the parts to transcribe again as one piece, itself
   * last, or undefined when nothing is to be joined. Anything that is no continuation starts over.
   */
  add(part: ChainPart<T>): ChainPart<T>[] | undefined {
    if (!this.isNext(part)) this.parts = [];
    const span = [...this.parts, part];
    // Only the newest parts that fit one window together can be joined with what follows.
    while (span.length > 1 && samplesOf(span) > this.maxSamples) span.shift();
    if (part.endedBy === 'length') {
      this.parts = span;
      return undefined;
    }
    this.parts = [];
    return span.length > 1 ? span : undefined;
  }

  /** A phrase that could not be joined (several edits, another target): the monologue's parts are let go. */
  reset(): void {
    this.parts = [];
  }

  /** Samples held (for the audio-buffer accounting). */
  get samples(): number {
    return samplesOf(this.parts);
  }

  private isNext(part: Pick<ChainPart<T>, 'startSample'>): boolean {
    const last = this.parts[this.parts.length - 1];
    return !!last && part.startSample !== undefined && part.startSample === last.endSample;
  }
}

function samplesOf(parts: readonly ChainPart<unknown>[]): number {
  return parts.reduce((n, p) => n + p.samples.length, 0);
}
