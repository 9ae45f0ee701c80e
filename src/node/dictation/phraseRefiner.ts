// Refinement: a second pass over audio whose text is already in the editor. Dictation inserts each phrase's text the
// moment the pause ends; what is read again, and how (its options: the beam size), is decided by the caller (today:
// each phrase with beam search, and the parts of a monologue cut at the length limit joined, greedily;
// DictationController). The audio is transcribed again at the worker's lowest priority
// ('refine': every final goes first and aborts it). If the new text differs, the target puts it in place, only if
// nothing else changed the document meanwhile (the target checks) and as part of the last phrase's own undo step.
// One refinement at a time: phrases stay in order, so a newer phrase's insertion drops the older refinement.
// No vscode here: the target is an interface.
import type { Transcriber } from '../transcription/transcriber';
import type { TranscribeOptions } from '../whisper/protocol';
import type { TranscriptConfidence } from '../../core/transcription/tokenConfidence';

/** The first pass's filter (drops hallucinated non-speech, core/text/transcriptFilter); undefined: not speech. */
export type AcceptText = (text: string, confidence?: TranscriptConfidence) => string | undefined;

/** Where the phrase was inserted, as the refinement needs it. */
export interface RefinementTarget {
  /**
   * Puts `text` in place of the phrase, joining the phrase's undo step; false (nothing replaced) when the document
   * changed in any way since the phrase went in, or the text cannot be put (then the phrase keeps its first text).
   */
  apply(text: string): Promise<boolean>;
  /** Ends the phrase's undo step (left open for the refinement) when no refinement lands. */
  close(): Promise<void>;
}

/** 'applied': the text was replaced; 'same': the second pass agreed; 'dropped': no second text landed. */
export type RefinementOutcome = 'applied' | 'same' | 'dropped';

export interface RefinementReport {
  outcome: RefinementOutcome;
  /** Why it was dropped (for the log). */
  reason?: string;
  firstText: string;
  refinedText?: string;
  /** Milliseconds from the phrase's insertion to the outcome. */
  elapsedMs: number;
}

export interface PhraseRefinerOptions {
  transcriber: Transcriber;
  onOutcome?(report: RefinementReport): void;
}

interface Pending {
  job: AbortController;
  done: Promise<void>;
  /** Set when it was dropped from outside (a newer phrase, the end of the dictation): the reason for the log. */
  droppedBecause?: string;
}

/**
 * A final that takes the worker aborts a running refinement; it is sent again behind that final (the final may be a
 * speculation that speech withdraws), at most this many times in all.
 */
const MAX_ATTEMPTS = 3;

export class PhraseRefiner {
  applied = 0;
  same = 0;
  dropped = 0;
  private current?: Pending;

  constructor(private readonly options: PhraseRefinerOptions) {}

  /** Whether a refinement is pending (transcribing, or waiting to be put in place). */
  get pending(): boolean {
    return !!this.current;
  }

  /**
   * Text `firstText` has just been inserted, its last undo step left open: transcribe `samples` again with `options`
   * (the prompt its first pass had, the second pass's beam size). A pending older refinement is dropped.
   */
  refine(samples: Float32Array, options: TranscribeOptions, firstText: string, acceptText: AcceptText, target: RefinementTarget): void {
    this.supersede('a newer phrase was inserted');
    const pending: Pending = { job: new AbortController(), done: Promise.resolve() };
    this.current = pending;
    pending.done = this.run(pending, samples, options, firstText, acceptText, target);
  }

  /** A newer phrase is about to be inserted (or the dictation ends): the pending refinement is dropped. */
  supersede(reason: string): void {
    const pending = this.current;
    if (!pending) return;
    this.current = undefined;
    pending.droppedBecause = reason;
    pending.job.abort();
  }

  /**
   * Resolves once the pending refinement has landed or been dropped; after `maxMs` it is dropped (the dictation has
   * ended and the person must not wait for a better text: a late one would land while they type).
   */
  async settle(maxMs: number): Promise<void> {
    const pending = this.current;
    if (!pending) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        if (this.current === pending) this.supersede(`it was not ready ${maxMs} ms after the dictation ended`);
        resolve();
      }, maxMs);
    });
    try {
      await Promise.race([pending.done, late]);
      // Dropped by the timer: wait for its undo step to be closed.
      await pending.done;
    } finally {
      clearTimeout(timer);
    }
  }

  /** `acceptText`: the first pass's filter (drops hallucinated non-speech); undefined drops the refinement. */
  private async run(pending: Pending, samples: Float32Array, options: TranscribeOptions, firstText: string, acceptText: AcceptText, target: RefinementTarget): Promise<void> {
    const started = Date.now();
    const signal = pending.job.signal;
    let report: RefinementReport = { outcome: 'dropped', reason: 'the worker kept being taken by newer phrases', firstText, elapsedMs: 0 };
    try {
      for (let attempt = 0; attempt < MAX_ATTEMPTS && !signal.aborted; attempt++) {
        const result = await this.options.transcriber.transcribe(samples, { ...options, priority: 'refine' }, undefined, signal);
        if (signal.aborted) break;
        // Aborted in the worker by a final: send it again, behind that final.
        if (result.cancelled) continue;
        const refined = acceptText(result.text, result.confidence);
        if (!refined) {
          report = { ...report, reason: 'the second pass heard no speech' };
        } else if (!plausibleLength(refined, firstText)) {
          report = { ...report, refinedText: refined, reason: 'the second pass lost or repeated words' };
        } else if (sameWords(refined, firstText)) {
          report = { ...report, outcome: 'same', refinedText: refined, reason: undefined };
        } else if (this.current !== pending) {
          break;
        } else if (await target.apply(refined)) {
          report = { ...report, outcome: 'applied', refinedText: refined, reason: undefined };
        } else {
          report = { ...report, refinedText: refined, reason: 'the document changed after the phrase was inserted' };
        }
        break;
      }
    } catch (error) {
      report = { ...report, reason: `the second pass failed: ${(error as Error).message}` };
    }
    if (signal.aborted && report.outcome === 'dropped') report = { ...report, reason: pending.droppedBecause ?? 'withdrawn' };
    if (report.outcome !== 'applied') await target.close().catch(() => undefined);
    if (this.current === pending) this.current = undefined;
    this[report.outcome]++;
    this.options.onOutcome?.({ ...report, elapsedMs: Date.now() - started });
  }
}

/** The same text, whatever the surrounding blanks (nothing to replace). */
/**
 * A second reading differs from the first by a few words. One with less than half or more than twice the words has
 * lost the speech or looped (a live take of the joined monologue p09 came back as "And the" for 53 words): the first
 * text stays. Phrases of a few words may differ more.
 */
function plausibleLength(refined: string, firstText: string): boolean {
  const count = (text: string) => text.split(/\s+/).filter(Boolean).length;
  const first = count(firstText);
  const second = count(refined);
  return first < 4 || (second * 2 >= first && second <= first * 2);
}

function sameWords(a: string, b: string): boolean {
  return a.trim() === b.trim();
}
