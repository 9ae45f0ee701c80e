// The seam between audio and the engine that turns it into text. Dictation and file transcription see only this:
// the local Whisper worker implements it today (LocalTranscriber), a remote server can tomorrow, and tests can
// stand in for either beside a real test of the same path.
import type { TranscribeOptions, TranscribeResult, TranscriptSegment } from '../whisper/protocol';

export interface Transcriber {
  /** Gets the engine ready (starts the worker, loads the model); resolves when a transcription can start. */
  prepare(): Promise<void>;
  /**
   * Transcribes 16 kHz mono Float32 PCM. `signal` withdraws the job (a preview or speculative phrase no longer
   * wanted): the result then says `cancelled`.
   */
  transcribe(audio: Float32Array, options: TranscribeOptions, onPartial?: (segment: TranscriptSegment) => void, signal?: AbortSignal): Promise<TranscribeResult>;
}
