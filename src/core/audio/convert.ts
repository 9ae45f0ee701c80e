// Channel and rate conversion to whisper.cpp's input: 16 kHz mono Float32.

/** The only rate whisper.cpp accepts. */
export const WHISPER_SAMPLE_RATE = 16000;

export function downmixToMono(interleaved: Float32Array, channels: number): Float32Array {
  if (channels === 1) return interleaved;
  const frames = Math.floor(interleaved.length / channels);
  const mono = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += interleaved[f * channels + c];
    mono[f] = sum / channels;
  }
  return mono;
}

/**
 * Resamples by linear interpolation, with a simple moving-average low-pass when downsampling so that energy above
 * the new Nyquist frequency does not fold back as noise. Good enough for speech recognition input.
 */
export function resampleLinear(input: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return input;
  const resampler = new StreamingResampler(fromRate, toRate);
  const body = resampler.push(input);
  const tail = resampler.flush();
  if (tail.length === 0) return body;
  const out = new Float32Array(body.length + tail.length);
  out.set(body);
  out.set(tail, body.length);
  return out;
}

/**
 * resampleLinear for audio that arrives in blocks (a long file read piece by piece): the same low-pass and the same
 * interpolation, with the filter's running sum and the few samples an interpolation still needs carried from one
 * block to the next, so the concatenated output equals resampleLinear of the whole input sample for sample,
 * wherever the block boundaries fall. Memory stays at one block plus the filter width.
 */
export class StreamingResampler {
  private readonly step: number;
  private readonly width: number;
  /** The filter's last `width` inputs (ring buffer) and their running sum. */
  private readonly history: Float64Array;
  private sum = 0;
  private inputCount = 0;
  /** Filtered samples not yet fully used, starting at filtered index `pendingStart`. */
  private pending: Float32Array = new Float32Array(0);
  private pendingStart = 0;
  private outputCount = 0;

  constructor(
    private readonly fromRate: number,
    private readonly toRate: number,
  ) {
    if (!(fromRate > 0 && toRate > 0)) throw new RangeError(`sample rates must be positive (got ${fromRate} → ${toRate})`);
    this.step = fromRate / toRate;
    this.width = fromRate > toRate ? Math.max(1, Math.round(fromRate / toRate)) : 1;
    this.history = new Float64Array(this.width);
  }

  /** Takes the next block of input and returns every output sample it completes. */
  push(block: Float32Array): Float32Array {
    if (this.fromRate === this.toRate) return block;
    this.appendFiltered(this.lowPass(block));
    this.inputCount += block.length;
    // Only outputs whose right neighbour exists are final now, and never beyond what the input so far allows.
    const available = this.pendingStart + this.pending.length;
    const limit = Math.floor((this.inputCount * this.toRate) / this.fromRate);
    return this.emit((position) => Math.floor(position) + 1 < available, limit);
  }

  /** Ends the stream: the last outputs interpolate against their own sample, as resampleLinear does at the end. */
  flush(): Float32Array {
    if (this.fromRate === this.toRate) return new Float32Array(0);
    const limit = Math.floor((this.inputCount * this.toRate) / this.fromRate);
    return this.emit(() => true, limit);
  }

  private lowPass(block: Float32Array): Float32Array {
    const width = this.width;
    // Upsampling needs no filter; copy anyway, since the block is kept past this call.
    if (width <= 1) return block.slice();
    const out = new Float32Array(block.length);
    for (let i = 0; i < block.length; i++) {
      const n = this.inputCount + i;
      const slot = n % width;
      this.sum += block[i];
      if (n >= width) this.sum -= this.history[slot];
      this.history[slot] = block[i];
      out[i] = this.sum / Math.min(n + 1, width);
    }
    return out;
  }

  private appendFiltered(filtered: Float32Array): void {
    if (this.pending.length === 0) {
      this.pending = filtered;
      return;
    }
    const joined = new Float32Array(this.pending.length + filtered.length);
    joined.set(this.pending);
    joined.set(filtered, this.pending.length);
    this.pending = joined;
  }

  private emit(ready: (position: number) => boolean, limit: number): Float32Array {
    const end = this.pendingStart + this.pending.length;
    const out = new Float32Array(Math.max(0, limit - this.outputCount));
    let count = 0;
    while (this.outputCount < limit) {
      const position = this.outputCount * this.step;
      if (!ready(position)) break;
      const index = Math.floor(position);
      const fraction = position - index;
      const a = index < end ? this.pending[index - this.pendingStart] : 0;
      const b = index + 1 < end ? this.pending[index + 1 - this.pendingStart] : a;
      out[count++] = a + (b - a) * fraction;
      this.outputCount++;
    }
    // Keep only what the next output can still reach.
    const keepFrom = Math.min(end, Math.floor(this.outputCount * this.step));
    if (keepFrom > this.pendingStart) {
      this.pending = this.pending.slice(keepFrom - this.pendingStart);
      this.pendingStart = keepFrom;
    }
    return out.subarray(0, count);
  }
}
