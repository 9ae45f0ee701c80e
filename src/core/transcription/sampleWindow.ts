// The stretch of a long recording that is held in memory: the samples of the chunk being assembled plus the overlap
// the next chunk needs, never the whole file. Indexes are positions in the stream (samples since the start of the
// transcribed range), so callers never translate offsets.

export class SampleWindow {
  private buffer = new Float32Array(0);
  private first = 0;
  private count = 0;
  /** Samples before this are not wanted, even those not read yet (a cached chunk skipped without its audio). */
  private keepFrom = 0;

  /** Stream position of the first sample held. */
  get start(): number {
    return this.first;
  }

  /** Stream position just after the last sample received. */
  get end(): number {
    return this.first + this.count;
  }

  /** Samples held now (the figure that must stay flat). */
  get held(): number {
    return this.count;
  }

  append(block: Float32Array): void {
    let samples = block;
    const blockStart = this.end;
    if (blockStart < this.keepFrom) {
      samples = block.subarray(Math.min(block.length, this.keepFrom - blockStart));
      this.first += block.length - samples.length;
    }
    if (samples.length === 0) return;
    if (this.count + samples.length > this.buffer.length) {
      const grown = new Float32Array(Math.max(this.count + samples.length, Math.ceil(this.buffer.length * 1.5)));
      grown.set(this.buffer.subarray(0, this.count));
      this.buffer = grown;
    }
    this.buffer.set(samples, this.count);
    this.count += samples.length;
  }

  /** A view of [from, to) clipped to what is held; valid until the next append or discard. */
  view(from: number, to: number): Float32Array {
    const a = Math.max(0, Math.min(this.count, from - this.first));
    const b = Math.max(a, Math.min(this.count, to - this.first));
    return this.buffer.subarray(a, b);
  }

  /** A copy of [from, to) clipped to what is held, to hand to a transcriber. */
  copy(from: number, to: number): Float32Array {
    return this.view(from, to).slice();
  }

  /** Forgets everything before `position` (also samples that arrive later but lie before it). */
  discardBefore(position: number): void {
    this.keepFrom = Math.max(this.keepFrom, position);
    const drop = Math.max(0, Math.min(this.count, this.keepFrom - this.first));
    if (drop === 0) return;
    this.buffer.copyWithin(0, drop, this.count);
    this.first += drop;
    this.count -= drop;
    // Give memory back when a chunk got shorter (the memory policy halves chunks under pressure).
    if (this.buffer.length > 4 * Math.max(this.count, 16000)) this.buffer = this.buffer.slice(0, Math.max(this.count, 16000));
  }
}
