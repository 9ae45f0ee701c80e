// The phrases waiting for transcription, strictly in order, and where each one's audio is meanwhile. This is what
// grows when transcription is slower than speech, so its memory is bounded: audio is held in a ring of at most
// `maxBufferedSeconds`, and what does not fit goes to disk — a private spill file per phrase, or, in file capture
// mode, nothing at all because the phrase is a range of the capture WAV already. A phrase's memory copy is dropped
// only once its disk copy is written; if writing fails the audio stays in memory (over the bound, reported): speech
// is never dropped to honour a limit.
import { AudioRing } from '../../core/audio/audioRing';
import type { Phrase } from './dictationSession';
import type { PhraseSpill } from './phraseSpill';

/** Audio kept in a file until its phrase is transcribed. */
export interface DiskAudio {
  /** Resolves when the audio is on disk (its memory copy can go); rejects if it could not be written. */
  readonly written: Promise<void>;
  read(): Promise<Float32Array>;
  /** The disk copy is no longer needed (cancelled, or transcribed from the memory copy). */
  discard(): Promise<void>;
}

type Location =
  | { kind: 'ring' }
  /** Outside the ring: no disk to spill to, or writing failed. */
  | { kind: 'memory'; samples: Float32Array }
  /** `pending` is the memory copy, kept until the write has finished. */
  | { kind: 'disk'; disk: DiskAudio; pending?: Float32Array };

interface QueuedPhrase {
  /** The phrase without its samples (they live where `where` says). */
  phrase: Phrase;
  speechEndedAt: number;
  where: Location;
  /** Taken for transcription or discarded: late write results no longer concern it. */
  done: boolean;
}

export interface WaitingPhrase {
  phrase: Phrase;
  speechEndedAt: number;
}

export interface PhraseQueueOptions {
  maxBufferedSeconds: number;
  /** Where phrases that do not fit (or arrive while memory is critical) go; without it they stay in memory. */
  spill?: PhraseSpill;
  sampleRate?: number;
  onError(error: Error): void;
}

const NO_SAMPLES = new Float32Array(0);

export class PhraseQueue {
  private readonly items: QueuedPhrase[] = [];
  private readonly ring: AudioRing<QueuedPhrase>;
  /** Phrases written to spill files. */
  spilledCount = 0;
  /** Phrases kept as ranges of the capture file. */
  capturedCount = 0;
  /** Phrases read back from disk (spill files or the capture file) for transcription. */
  readBackCount = 0;

  constructor(private readonly options: PhraseQueueOptions) {
    this.ring = new AudioRing<QueuedPhrase>({
      capacitySeconds: options.maxBufferedSeconds,
      sampleRate: options.sampleRate,
      onOverflow: (samples, item) => this.spillItem(item, samples),
    });
  }

  get length(): number {
    return this.items.length;
  }

  /** How full the in-memory bound is (0..1). */
  get fillLevel(): number {
    return this.ring.fillLevel;
  }

  /** Memory of the ring (bounded by `maxBufferedSeconds`). */
  get ringBytes(): number {
    return this.ring.bytes;
  }

  /** Memory held outside the ring: copies waiting for their disk write, and audio that could not go to disk. */
  get outsideRingBytes(): number {
    let total = 0;
    for (const { where } of this.items) {
      if (where.kind === 'memory') total += where.samples.byteLength;
      else if (where.kind === 'disk' && where.pending) total += where.pending.byteLength;
    }
    return total;
  }

  /**
   * Queues a phrase: in the ring, unless `disk` already holds its audio (file capture) or `toDisk` asks for a spill
   * file (memory is critical).
   */
  add(phrase: Phrase, speechEndedAt: number, options: { disk?: DiskAudio; toDisk?: boolean } = {}): void {
    const item: QueuedPhrase = { phrase: { ...phrase, samples: NO_SAMPLES }, speechEndedAt, where: { kind: 'ring' }, done: false };
    this.items.push(item);
    if (options.disk) {
      this.capturedCount++;
      this.keepOnDisk(item, options.disk, phrase.samples);
    } else if (options.toDisk && this.options.spill) {
      this.spillItem(item, phrase.samples);
    } else {
      this.ring.push(phrase.samples, item);
    }
  }

  /** Removes the oldest phrase and brings its audio back into memory for transcription. */
  async take(): Promise<WaitingPhrase | undefined> {
    const item = this.items.shift();
    if (!item) return undefined;
    item.done = true;
    const where = item.where;
    let samples: Float32Array;
    if (where.kind === 'ring') {
      const record = this.ring.shift();
      if (record?.tag !== item) throw new Error('The phrase queue and its ring are out of order.');
      samples = record.samples;
    } else if (where.kind === 'memory') {
      samples = where.samples;
    } else {
      // Read back even when the memory copy is still there: the write is nearly always done, and one path for
      // every phrase on disk is one path that is known to work.
      try {
        samples = await where.disk.read();
        this.readBackCount++;
      } catch (error) {
        // The write failed (its rejection handler may not have run yet): the memory copy is the phrase.
        if (!where.pending) throw error;
        samples = where.pending;
      }
    }
    return { phrase: { ...item.phrase, samples }, speechEndedAt: item.speechEndedAt };
  }

  /** Memory is critical: everything still in memory goes to disk. */
  spillAll(): void {
    this.ring.spillAll();
    for (const item of this.items) if (item.where.kind === 'memory') this.spillItem(item, item.where.samples);
  }

  /** Memory is high: spill what the ring holds and return its store now. */
  release(): void {
    this.ring.release();
  }

  /**
   * The extension is going away: the audio of every waiting phrase still in memory, oldest first, taken out of the
   * queue (which is then empty). Phrases whose audio is only on disk are counted, not read (there is no time to).
   */
  salvage(): { audio: Float32Array[]; onDiskOnly: number } {
    const audio: Float32Array[] = [];
    let onDiskOnly = 0;
    for (const item of this.items.splice(0)) {
      item.done = true;
      const where = item.where;
      if (where.kind === 'ring') {
        const record = this.ring.shift();
        if (record) audio.push(record.samples);
      } else if (where.kind === 'memory') audio.push(where.samples);
      else if (where.pending) audio.push(where.pending);
      else onDiskOnly++;
    }
    this.ring.discard();
    return { audio, onDiskOnly };
  }

  /** Dictation cancelled: forget every phrase and delete its disk copy. */
  clear(): void {
    for (const item of this.items.splice(0)) {
      item.done = true;
      if (item.where.kind === 'disk') void item.where.disk.discard().catch(() => undefined);
    }
    this.ring.discard();
  }

  private spillItem(item: QueuedPhrase, samples: Float32Array): void {
    const spill = this.options.spill;
    if (!spill) {
      item.where = { kind: 'memory', samples };
      return;
    }
    const path = spill.write(samples);
    this.spilledCount++;
    this.keepOnDisk(
      item,
      {
        written: path.then(() => undefined),
        read: async () => spill.take(await path),
        discard: async () => spill.discard(await path),
      },
      samples,
    );
  }

  private keepOnDisk(item: QueuedPhrase, disk: DiskAudio, samples: Float32Array): void {
    const where: Location = { kind: 'disk', disk, pending: samples };
    item.where = where;
    disk.written.then(
      () => (where.pending = undefined),
      (error: Error) => {
        if (item.done) return;
        // Not on disk: keep it in memory rather than lose it.
        if (item.where === where) item.where = { kind: 'memory', samples };
        this.options.onError(new Error(`A phrase could not be written to disk and stays in memory: ${error.message}`));
      },
    );
  }
}
