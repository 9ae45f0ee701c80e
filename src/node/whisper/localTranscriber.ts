// The Transcriber of this machine: one Whisper worker (through its WhisperClient) and one model file.
import type { Transcriber } from '../transcription/transcriber';
import type { WhisperClient } from './client';
import type { TranscribeOptions, TranscribeResult, TranscriptSegment } from './protocol';

export class LocalTranscriber implements Transcriber {
  constructor(
    readonly client: WhisperClient,
    readonly modelPath: string,
  ) {}

  async prepare(): Promise<void> {
    await this.client.ensureModel(this.modelPath);
  }

  async transcribe(audio: Float32Array, options: TranscribeOptions, onPartial?: (segment: TranscriptSegment) => void, signal?: AbortSignal): Promise<TranscribeResult> {
    // Immediate when the model is loaded; after an idle unload or a crash it loads the model again first.
    await this.client.ensureModel(this.modelPath);
    return this.client.transcribe(audio, options, onPartial, signal);
  }
}
