// The chunk transcriber of long-file transcription over the extension's Whisper worker: one WhisperClient (one
// worker process, one loaded model) per instance, decoding as the file command does (greedy, 30-s windows).
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
