// Opens an audio file for long-file transcription: checks that it exists and is audio, validates the time range
// against its duration, and yields the range as 16 kHz mono blocks. WAV is read natively (by byte offset); anything
// else goes through ffmpeg or sox. Nothing is written anywhere: no temp files, so a failure leaves nothing behind.
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { WavHeader } from '../../core/audio/wav';
import { WavError } from '../../core/audio/wav';
import { WHISPER_SAMPLE_RATE } from '../../core/audio/convert';
import { TranscriptionError } from '../../core/transcription/transcriptionError';
import { validateRange, type TimeRange } from '../../core/transcription/timeRange';
import { DecoderProcess, decoderInstallHint, findDecoder, probeDuration, type Decoder, type DecoderOptions } from './externalDecoder';
import { readWavHeader, wavBlocks, wavFrameRange, wavRangeSamples } from './wavStreamReader';

export interface AudioSource {
  readonly path: string;
  /** What reads the file. */
  readonly reader: 'wav' | Decoder['program'];
  /** The whole file's length, when the header or a probe tells it. */
  readonly durationSeconds?: number;
  /** The validated range (its end cut to the file's end when known). */
  readonly range: TimeRange;
  /** 16 kHz samples the range holds, when known in advance (for progress). */
  readonly expectedSamples?: number;
  /** The range's audio, 16 kHz mono, in blocks of about a second. Iterate once. */
  blocks(): AsyncGenerator<Float32Array>;
  /** Stops reading: closes the file, kills a decoder. Safe to call more than once. */
  close(): Promise<void>;
}

export interface OpenAudioOptions {
  readonly range?: Partial<TimeRange>;
  readonly decoder?: DecoderOptions;
}

/** The first bytes read to recognise the format and parse a WAV header (LIST/bext chunks can be large). */
const PREFIX_BYTES = 256 * 1024;

/** Containers ffmpeg or sox read, by their first bytes. */
const COMPRESSED_MAGIC: readonly ((b: Uint8Array) => boolean)[] = [
  (b) => ascii(b, 0, 3) === 'ID3' || (b[0] === 0xff && (b[1] & 0xe0) === 0xe0), // mp3 / AAC ADTS
  (b) => ascii(b, 0, 4) === 'OggS' || ascii(b, 0, 4) === 'fLaC' || ascii(b, 0, 4) === 'FORM' || ascii(b, 0, 4) === 'caff',
  (b) => ascii(b, 4, 4) === 'ftyp', // mp4, m4a, mov
  (b) => b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3, // webm, mkv
  (b) => ascii(b, 0, 4) === 'RF64' || ascii(b, 0, 4) === 'BW64' || ascii(b, 0, 5) === '#!AMR' || ascii(b, 0, 4) === 'wvpk',
  (b) => b[0] === 0x30 && b[1] === 0x26 && b[2] === 0xb2 && b[3] === 0x75, // asf, wma
];

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

/** Text (a transcript, a note, HTML) rather than binary audio: no NUL and almost only printable bytes. */
function looksLikeText(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 1024);
  if (sample.length === 0 || sample.includes(0)) return false;
  let printable = 0;
  for (const byte of sample) if (byte >= 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d || byte >= 0x80) printable++;
  return printable / sample.length > 0.97;
}

async function openFile(path: string): Promise<{ file: FileHandle; size: number }> {
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new TranscriptionError('FILE_UNREADABLE', `${path} is a folder, not an audio file.`);
    size = info.size;
  } catch (error) {
    if (error instanceof TranscriptionError) throw error;
    throw fileError(path, error);
  }
  if (size === 0) throw new TranscriptionError('EMPTY_FILE', `${path} is empty (0 bytes).`);
  try {
    return { file: await open(path, 'r'), size };
  } catch (error) {
    throw fileError(path, error);
  }
}

function fileError(path: string, error: unknown): TranscriptionError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new TranscriptionError('FILE_NOT_FOUND', `${path} does not exist.`, { cause: error });
  if (code === 'EACCES' || code === 'EPERM') return new TranscriptionError('FILE_UNREADABLE', `${path} cannot be read (permission denied).`, { cause: error });
  return new TranscriptionError('FILE_UNREADABLE', `${path} cannot be read: ${(error as Error).message}`, { cause: error });
}

function wavProblem(path: string, error: WavError): TranscriptionError {
  switch (error.problem) {
    case 'TRUNCATED':
      return new TranscriptionError('TRUNCATED', `${basename(path)}: ${error.message}`, { cause: error });
    case 'NO_DATA':
      return new TranscriptionError('EMPTY_FILE', `${basename(path)}: ${error.message}`, { cause: error });
    case 'NOT_WAV':
      return new TranscriptionError('NOT_AUDIO', `${basename(path)}: ${error.message}`, { cause: error });
    case 'UNSUPPORTED_FORMAT':
      return new TranscriptionError('UNSUPPORTED_FORMAT', `${basename(path)}: ${error.message} ${decoderInstallHint()}`, { cause: error });
  }
}

/** Opens `path` for reading the range; throws a TranscriptionError (with nothing left open) when it cannot. */
export async function openAudioSource(path: string, options: OpenAudioOptions = {}): Promise<AudioSource> {
  const range = validateRange(options.range ?? {});
  const { file, size } = await openFile(path);
  let handedOver = false;
  try {
    const prefix = new Uint8Array(Math.min(size, PREFIX_BYTES));
    await file.read(prefix, 0, prefix.length, 0);
    if (ascii(prefix, 0, 4) === 'RIFF' && ascii(prefix, 8, 4) === 'WAVE') {
      let header: WavHeader | undefined;
      try {
        header = readWavHeader(prefix, size);
      } catch (error) {
        if (!(error instanceof WavError)) throw error;
        // A WAV encoding we do not decode ourselves (ADPCM, µ-law…) is still audio a decoder can read.
        if (error.problem !== 'UNSUPPORTED_FORMAT' || !findDecoder(options.decoder)) throw wavProblem(path, error);
      }
      if (header) {
        handedOver = true;
        return wavSource(path, file, header, range);
      }
    } else if (!COMPRESSED_MAGIC.some((matches) => matches(prefix))) {
      if (/^\.wave?$/i.test(extname(path))) throw new TranscriptionError('NOT_AUDIO', `${basename(path)} is not a WAV file (it has no RIFF/WAVE header).`);
      if (looksLikeText(prefix)) throw new TranscriptionError('NOT_AUDIO', `${basename(path)} is a text file, not audio.`);
    }
  } finally {
    if (!handedOver) await file.close();
  }
  return decodedSource(path, range, options.decoder ?? {});
}

function wavSource(path: string, file: FileHandle, header: WavHeader, requested: TimeRange): AudioSource {
  const durationSeconds = header.frames / header.sampleRate;
  let range: TimeRange;
  try {
    range = validateRange(requested, durationSeconds);
  } catch (error) {
    void file.close();
    throw error;
  }
  const frames = wavFrameRange(header, range.fromSeconds, range.toSeconds);
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= file.close().catch(() => undefined));
  return {
    path,
    reader: 'wav',
    durationSeconds,
    range,
    expectedSamples: wavRangeSamples(header, frames),
    async *blocks() {
      try {
        yield* wavBlocks(file, header, frames);
      } finally {
        await close();
      }
    },
    close,
  };
}

async function decodedSource(path: string, requested: TimeRange, options: DecoderOptions): Promise<AudioSource> {
  const decoder = findDecoder(options);
  if (!decoder) {
    const looked = options.executable ? `${options.executable} is not an executable file` : `neither ffmpeg nor sox is on the PATH`;
    throw new TranscriptionError('NO_DECODER', `${basename(path)} is not a WAV file, and decoding it needs ffmpeg or sox (${looked}). ${decoderInstallHint(options.platform)}`);
  }
  const probed = await probeDuration(decoder, path, options.env);
  if (probed.error) throw probed.error;
  const durationSeconds = probed.seconds;
  const range = validateRange(requested, durationSeconds);
  const end = range.toSeconds ?? durationSeconds;
  let running: DecoderProcess | undefined;
  let closed = false;
  return {
    path,
    reader: decoder.program,
    durationSeconds,
    range,
    expectedSamples: end === undefined ? undefined : Math.round((end - range.fromSeconds) * WHISPER_SAMPLE_RATE),
    async *blocks() {
      if (closed) return;
      running = new DecoderProcess(decoder, path, range);
      let received = 0;
      for await (const block of running.blocks()) {
        received += block.length;
        yield block;
      }
      if (received === 0 && !closed) {
        if (range.fromSeconds > 0) throw new TranscriptionError('BAD_RANGE', `The range starts at ${range.fromSeconds} s, after the end of ${basename(path)}.`);
        throw new TranscriptionError('EMPTY_FILE', `${basename(path)} holds no audio.`);
      }
    },
    async close() {
      closed = true;
      await running?.close();
    },
  };
}
