// WAV (RIFF/WAVE) headers and PCM decoding. Pure: works on byte arrays, so the same code serves whole files,
// streamed chunks and tests.

export type WavProblem = 'TRUNCATED' | 'NOT_WAV' | 'UNSUPPORTED_FORMAT' | 'NO_DATA';

export class WavError extends Error {
  constructor(readonly problem: WavProblem, message: string) {
    super(message);
    this.name = 'WavError';
  }
}

export interface WavHeader {
  format: 'pcm' | 'float';
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Bytes per frame (all channels of one sample instant). */
  blockAlign: number;
  dataOffset: number;
  /** Bytes of sample data actually present (a header may promise more than a truncated file holds). */
  dataLength: number;
  /** Frames of audio in the data present. */
  frames: number;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

/**
 * Parses the header of a WAV file from its first bytes (the whole file, or at least up to the start of the data
 * chunk). `fileSize` is the real size when only a prefix is passed.
 */
export function parseWavHeader(bytes: Uint8Array, fileSize = bytes.length): WavHeader {
  if (bytes.length < 12) throw new WavError('TRUNCATED', 'The file is too short to be a WAV file.');
  if (fourcc(bytes, 0) !== 'RIFF' || fourcc(bytes, 8) !== 'WAVE') throw new WavError('NOT_WAV', 'This is not a WAV file (no RIFF/WAVE header).');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 12;
  let fmt: Omit<WavHeader, 'dataOffset' | 'dataLength' | 'frames'> | undefined;
  while (offset + 8 <= bytes.length) {
    const id = fourcc(bytes, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (body + 16 > bytes.length) throw new WavError('TRUNCATED', 'The WAV format chunk is truncated.');
      let formatTag = view.getUint16(body, true);
      const channels = view.getUint16(body + 2, true);
      const sampleRate = view.getUint32(body + 4, true);
      const blockAlign = view.getUint16(body + 12, true);
      const bitsPerSample = view.getUint16(body + 14, true);
      if (formatTag === FORMAT_EXTENSIBLE && size >= 40 && body + 26 <= bytes.length) formatTag = view.getUint16(body + 24, true);
      const format = formatTag === FORMAT_PCM ? 'pcm' : formatTag === FORMAT_FLOAT ? 'float' : undefined;
      if (!format) throw new WavError('UNSUPPORTED_FORMAT', `Unsupported WAV encoding (format tag ${formatTag}); only PCM and float WAV can be read directly.`);
      const supportedBits = format === 'pcm' ? [8, 16, 24, 32] : [32, 64];
      if (!supportedBits.includes(bitsPerSample)) throw new WavError('UNSUPPORTED_FORMAT', `Unsupported WAV sample size: ${bitsPerSample}-bit ${format}.`);
      // A damaged header, not an encoding a decoder could read: handed to ffmpeg, a 24-Hz "rate" turned a 3-s file
      // into half an hour of noise to transcribe (found by bench:fuzz).
      if (channels < 1 || sampleRate < 1000 || sampleRate > 384000 || blockAlign !== (channels * bitsPerSample) / 8) {
        throw new WavError('NOT_WAV', `The WAV header is damaged: its format chunk is inconsistent (${channels} channels, ${sampleRate} Hz, block ${blockAlign}).`);
      }
      fmt = { format, channels, sampleRate, bitsPerSample, blockAlign };
    } else if (id === 'data') {
      if (!fmt) throw new WavError('NOT_WAV', 'The WAV data chunk comes before its format chunk.');
      // Streams written live often leave the size 0 or 0xFFFFFFFF: trust the file's real length then.
      const promised = size === 0 || size === 0xffffffff ? fileSize - body : size;
      const available = Math.max(0, Math.min(promised, fileSize - body));
      const dataLength = available - (available % fmt.blockAlign);
      if (dataLength === 0) throw new WavError('NO_DATA', 'The WAV file holds no audio.');
      return { ...fmt, dataOffset: body, dataLength, frames: dataLength / fmt.blockAlign };
    }
    offset = body + size + (size % 2);
  }
  throw new WavError(fmt ? 'TRUNCATED' : 'NOT_WAV', fmt ? 'The WAV file has no data chunk (it may be truncated).' : 'The WAV file has no format chunk.');
}

/** A 44-byte canonical PCM WAV header. */
export function encodeWavHeader(sampleRate: number, channels: number, bitsPerSample: number, dataBytes: number): Uint8Array {
  const header = new Uint8Array(44);
  const view = new DataView(header.buffer);
  const ascii = (at: number, text: string) => [...text].forEach((c, i) => (header[at + i] = c.charCodeAt(0)));
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, FORMAT_PCM, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, (sampleRate * channels * bitsPerSample) / 8, true);
  view.setUint16(32, (channels * bitsPerSample) / 8, true);
  view.setUint16(34, bitsPerSample, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  return header;
}

/** Decodes interleaved samples of whole frames to Float32 in [-1, 1]. */
export function decodeWavSamples(header: Pick<WavHeader, 'format' | 'bitsPerSample'>, data: Uint8Array): Float32Array {
  const bytesPerSample = header.bitsPerSample / 8;
  const count = Math.floor(data.length / bytesPerSample);
  const out = new Float32Array(count);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0, at = 0; i < count; i++, at += bytesPerSample) {
    if (header.format === 'float') out[i] = bytesPerSample === 4 ? view.getFloat32(at, true) : view.getFloat64(at, true);
    else if (bytesPerSample === 2) out[i] = view.getInt16(at, true) / 32768;
    else if (bytesPerSample === 1) out[i] = (data[at] - 128) / 128;
    else if (bytesPerSample === 3) out[i] = ((data[at] | (data[at + 1] << 8) | (data[at + 2] << 16)) << 8 >> 8) / 8388608;
    else out[i] = view.getInt32(at, true) / 2147483648;
  }
  return out;
}

/** A whole 16-bit PCM mono WAV file of Float32 samples in [-1, 1] (clipped), e.g. a phrase for whisper.cpp's CLI. */
export function encodePcm16Wav(samples: Float32Array, sampleRate: number): Uint8Array {
  const out = new Uint8Array(44 + samples.length * 2);
  out.set(encodeWavHeader(sampleRate, 1, 16, samples.length * 2));
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(44 + i * 2, Math.round(Math.max(-1, Math.min(1, samples[i])) * 32767), true);
  return out;
}
