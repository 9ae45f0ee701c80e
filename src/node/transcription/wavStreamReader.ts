// Reads a WAV file as 16 kHz mono blocks without ever holding the file: the header is parsed from the first bytes,
// a time range becomes a byte offset (nothing before it is read or decoded), and each block is decoded, mixed down
// and resampled on its own, with the resampler's state carried across blocks.
import type { FileHandle } from 'node:fs/promises';
import { decodeWavSamples, parseWavHeader, type WavHeader } from '../../core/audio/wav';
import { downmixToMono, StreamingResampler, WHISPER_SAMPLE_RATE } from '../../core/audio/convert';
import { TranscriptionError } from '../../core/transcription/transcriptionError';
import { formatClock } from '../../core/transcription/timeRange';

/** Read per block: a second of audio (at most 1 MiB, for many-channel files), small next to a chunk. */
const MAX_BLOCK_BYTES = 1024 * 1024;

export interface WavFrameRange {
  readonly fromFrame: number;
  readonly toFrame: number;
}

/**
 * The header of an open WAV file, from `prefix` (its first bytes) and its real size. A data chunk that announces
 * more bytes than the file holds is TRUNCATED: the file was cut short (an interrupted copy or download).
 */
export function readWavHeader(prefix: Uint8Array, fileSize: number): WavHeader {
  const header = parseWavHeader(prefix, fileSize);
  const promised = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength).getUint32(header.dataOffset - 4, true);
  const live = promised === 0 || promised === 0xffffffff;
  if (!live && fileSize - header.dataOffset < promised - (promised % header.blockAlign)) {
    const seconds = (n: number) => formatClock(n / header.blockAlign / header.sampleRate);
    throw new TranscriptionError('TRUNCATED', `The WAV file is truncated: its header announces ${seconds(promised)} of audio, but only ${seconds(fileSize - header.dataOffset)} are present.`);
  }
  return header;
}

/** Frames [from, to) of a time range, clipped to the file. */
export function wavFrameRange(header: WavHeader, fromSeconds: number, toSeconds: number | undefined): WavFrameRange {
  const fromFrame = Math.min(header.frames, Math.round(fromSeconds * header.sampleRate));
  const toFrame = toSeconds === undefined ? header.frames : Math.min(header.frames, Math.round(toSeconds * header.sampleRate));
  return { fromFrame, toFrame: Math.max(fromFrame, toFrame) };
}

/** 16 kHz samples the range yields (what the resampler emits for that many frames). */
export function wavRangeSamples(header: WavHeader, range: WavFrameRange): number {
  const frames = range.toFrame - range.fromFrame;
  return header.sampleRate === WHISPER_SAMPLE_RATE ? frames : Math.floor((frames * WHISPER_SAMPLE_RATE) / header.sampleRate);
}

/** Decoded, mono, 16 kHz blocks of frames [fromFrame, toFrame), read from the byte offset of the first. */
export async function* wavBlocks(file: FileHandle, header: WavHeader, range: WavFrameRange): AsyncGenerator<Float32Array> {
  const framesPerBlock = Math.max(1, Math.min(header.sampleRate, Math.floor(MAX_BLOCK_BYTES / header.blockAlign)));
  const resampler = header.sampleRate === WHISPER_SAMPLE_RATE ? undefined : new StreamingResampler(header.sampleRate, WHISPER_SAMPLE_RATE);
  const buffer = Buffer.alloc(framesPerBlock * header.blockAlign);
  for (let frame = range.fromFrame; frame < range.toFrame; ) {
    const frames = Math.min(framesPerBlock, range.toFrame - frame);
    const wanted = frames * header.blockAlign;
    const { bytesRead } = await file.read(buffer, 0, wanted, header.dataOffset + frame * header.blockAlign);
    const whole = bytesRead - (bytesRead % header.blockAlign);
    // The file shrank while we read it: stop with what there is rather than decode garbage.
    if (whole === 0) break;
    const mono = downmixToMono(decodeWavSamples(header, buffer.subarray(0, whole)), header.channels);
    const block = resampler ? resampler.push(mono) : mono;
    if (block.length > 0) yield block;
    frame += whole / header.blockAlign;
  }
  const tail = resampler?.flush();
  if (tail && tail.length > 0) yield tail;
}
