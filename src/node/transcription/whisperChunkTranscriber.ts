// The chunk transcriber of long-file transcription over the extension's Whisper worker: one WhisperClient (one
// worker process, one loaded model) per instance, decoding as the file command does (greedy, full 30-s window).
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createHash } from 'node:crypto';
import type { WhisperClient } from '../whisper/client';
import type { TranscribeOptions, TranscriptSegment } from '../whisper/protocol';
import type { ChunkTranscribeOptions, ChunkTranscriber } from './longFileTranscriber';

export class WhisperChunkTranscriber implements ChunkTranscriber {
  constructor(
    private readonly client: WhisperClient,
    private readonly modelPath: string,
    private readonly options: TranscribeOptions,
  ) {}

  async transcribe(pcm: Float32Array, { firstWindowOnly }: ChunkTranscribeOptions): Promise<readonly TranscriptSegment[]> {
    await this.client.ensureModel(this.modelPath);
    const result = await this.client.transcribe(pcm, { ...this.options, maxWindows: firstWindowOnly ? 1 : 0 });
    return result.segments;
  }
}

/** Decoding options for file transcription: greedy, the full 30-s window (chunks are ~30 s long). */
export function fileTranscribeOptions(language: string, threads: number): TranscribeOptions {
  return { language, threads, beamSize: 1, audioContext: 0 };
}

const FINGERPRINT_BYTES = 1024 * 1024;

/**
 * Identifies a model file for the transcript cache without hashing gigabytes: its name, size and a sha256 of its
 * first and last megabyte (which differ between models, conversions and quantisations of the same size).
 */
export async function modelIdentity(modelPath: string): Promise<string> {
  const { size } = await stat(modelPath);
  const hash = createHash('sha256');
  const file = await open(modelPath, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(size, FINGERPRINT_BYTES));
    for (const position of size > 2 * FINGERPRINT_BYTES ? [0, size - buffer.length] : [0]) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await file.close();
  }
  return `${basename(modelPath)}:${size}:${hash.digest('hex').slice(0, 16)}`;
}
