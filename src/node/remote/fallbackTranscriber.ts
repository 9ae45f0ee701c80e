// Dictation through a server with this machine's model as the safety net: a phrase the server fails (after its
// retries) or does not answer in time is transcribed locally, so the words still arrive. The person is told once per
// dictation (onFallback's `first`); every fallback goes to the log. A withdrawn job is not a failure.
import type { Transcriber } from '../transcription/transcriber';
import type { TranscribeOptions, TranscribeResult, TranscriptSegment } from '../whisper/protocol';

export interface FallbackEvents {
  /** `first`: the first fallback of this transcriber (say it to the person); `error`: why the server failed. */
  onFallback(error: Error, first: boolean): void;
}

export class FallbackTranscriber implements Transcriber {
  private fallbacks = 0;

  constructor(
    readonly primary: Transcriber,
    /** The local engine, or undefined when no local model is available (then the server's error stands). */
    readonly fallback: Transcriber | undefined,
    private readonly events: FallbackEvents,
  ) {}

  /** Phrases transcribed locally because the server failed. */
  get fallbackCount(): number {
    return this.fallbacks;
  }

  async prepare(): Promise<void> {
    await this.primary.prepare();
  }

  async transcribe(audio: Float32Array, options: TranscribeOptions, onPartial?: (segment: TranscriptSegment) => void, signal?: AbortSignal): Promise<TranscribeResult> {
    try {
      return await this.primary.transcribe(audio, options, onPartial, signal);
    } catch (error) {
      if (!this.fallback || signal?.aborted) throw error;
      this.events.onFallback(error as Error, this.fallbacks++ === 0);
      return this.fallback.transcribe(audio, options, onPartial, signal);
    }
  }
}
