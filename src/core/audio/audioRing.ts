// A bounded ring buffer of audio for streaming capture: the phrases waiting for transcription are held here, one
// record per phrase, in one circular Float32 store that never grows beyond `capacity` samples. When transcription
// falls behind speech and a new record does not fit, the oldest records are evicted whole and handed to
// `onOverflow` (which writes them to disk) instead of being overwritten: audio leaves the ring only through
// `shift()` (to be transcribed), `onOverflow` (to be kept elsewhere) or an explicit `discard()` (dictation
// cancelled), never silently. Whole records, because a phrase is transcribed whole: a phrase split between disk and
// memory would need both halves back before it is of any use.

export interface RingRecord<T> {
  samples: Float32Array;
  tag: T;
}

export interface AudioRingOptions<T> {
  capacitySeconds: number;
  sampleRate?: number;
  /**
   * Receives audio that does not fit, oldest first: records evicted to make room, or a record larger than the whole
   * ring. Called synchronously from `push`; it must not push into the ring itself.
   */
  onOverflow(samples: Float32Array, tag: T): void;
}

export class AudioRing<T> {
  readonly capacity: number;
  readonly sampleRate: number;
  /** Grown on demand (doubling) up to `capacity`: an idle ring costs nothing, a busy one at most its bound. */
  private store = new Float32Array(0);
  /** Index in `store` of the oldest held sample. */
  private head = 0;
  private held = 0;
  private readonly records: { tag: T; length: number }[] = [];
  private readonly onOverflow: (samples: Float32Array, tag: T) => void;
  /** Samples handed to `onOverflow` so far. */
  overflowedSamples = 0;

  constructor(options: AudioRingOptions<T>) {
    this.sampleRate = options.sampleRate ?? 16000;
    this.capacity = Math.max(0, Math.floor(options.capacitySeconds * this.sampleRate));
    this.onOverflow = options.onOverflow;
  }

  /** Samples held now. */
  get length(): number {
    return this.held;
  }

  get recordCount(): number {
    return this.records.length;
  }

  /** How full the ring is: 0 (empty) to 1 (at capacity). */
  get fillLevel(): number {
    return this.capacity > 0 ? this.held / this.capacity : 1;
  }

  /** Memory the ring occupies (its allocated store, which may exceed what is held). */
  get bytes(): number {
    return this.store.byteLength;
  }

  /**
   * Appends a record. Returns true if it is held; false if it alone exceeds the capacity and went straight to
   * `onOverflow`. Older records are evicted (to `onOverflow`) as needed to make room.
   */
  push(samples: Float32Array, tag: T): boolean {
    const n = samples.length;
    if (n > this.capacity) {
      this.overflow(samples, tag);
      return false;
    }
    while (this.held + n > this.capacity) this.evictOldest();
    this.reserve(this.held + n);
    const size = this.store.length;
    const tail = (this.head + this.held) % size;
    const first = Math.min(n, size - tail);
    this.store.set(samples.subarray(0, first), tail);
    if (first < n) this.store.set(samples.subarray(first), 0);
    this.held += n;
    this.records.push({ tag, length: n });
    return true;
  }

  /** Removes and returns the oldest record (a copy: its place in the ring is reused), or undefined when empty. */
  shift(): RingRecord<T> | undefined {
    const record = this.records.shift();
    if (!record) return undefined;
    const size = this.store.length;
    const out = new Float32Array(record.length);
    const first = Math.min(record.length, size - this.head);
    out.set(this.store.subarray(this.head, this.head + first));
    if (first < record.length) out.set(this.store.subarray(0, record.length - first), first);
    this.head = size > 0 ? (this.head + record.length) % size : 0;
    this.held -= record.length;
    if (this.held === 0) this.head = 0;
    return { samples: out, tag: record.tag };
  }

  /** Tag of the oldest record, without removing it. */
  peekTag(): T | undefined {
    return this.records[0]?.tag;
  }

  /** Hands every record to `onOverflow`, oldest first (memory is critical: all of it goes to disk). */
  spillAll(): void {
    while (this.records.length) this.evictOldest();
  }

  /** Spills everything and frees the store, so the memory is returned now rather than at the next push. */
  release(): void {
    this.spillAll();
    this.store = new Float32Array(0);
    this.head = 0;
  }

  /** Drops everything without handing it out: only for a dictation the person cancelled. */
  discard(): void {
    this.records.length = 0;
    this.held = 0;
    this.head = 0;
    this.store = new Float32Array(0);
  }

  private evictOldest(): void {
    const record = this.shift();
    if (record) this.overflow(record.samples, record.tag);
  }

  private overflow(samples: Float32Array, tag: T): void {
    this.overflowedSamples += samples.length;
    this.onOverflow(samples, tag);
  }

  /** Makes the store at least `needed` samples long, unwrapping what it holds to the start of the new store. */
  private reserve(needed: number): void {
    const size = this.store.length;
    if (needed <= size) return;
    const grown = new Float32Array(Math.min(this.capacity, Math.max(needed, size * 2)));
    const first = Math.min(this.held, size - this.head);
    grown.set(this.store.subarray(this.head, this.head + first));
    if (first < this.held) grown.set(this.store.subarray(0, this.held - first), first);
    this.store = grown;
    this.head = 0;
  }
}
