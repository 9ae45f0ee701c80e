// Channel and rate conversion to whisper.cpp's input: 16 kHz mono Float32.

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
  const source = fromRate > toRate ? boxLowPass(input, Math.round(fromRate / toRate)) : input;
  const length = Math.floor((input.length * toRate) / fromRate);
  const out = new Float32Array(length);
  const step = fromRate / toRate;
  for (let i = 0; i < length; i++) {
    const position = i * step;
    const index = Math.floor(position);
    const fraction = position - index;
    const a = source[index] ?? 0;
    const b = source[index + 1] ?? a;
    out[i] = a + (b - a) * fraction;
  }
  return out;
}

function boxLowPass(input: Float32Array, width: number): Float32Array {
  if (width <= 1) return input;
  const out = new Float32Array(input.length);
  let sum = 0;
  for (let i = 0; i < input.length; i++) {
    sum += input[i];
    if (i >= width) sum -= input[i - width];
    out[i] = sum / Math.min(i + 1, width);
  }
  return out;
}
