// The typed message protocol between the WhisperClient (in the extension host or CLI) and the Whisper worker
// (a forked child process by default, or a worker thread). Every request carries an id; every reply names it.
// Errors cross the boundary as codes, never as thrown objects, because structured clone drops Error subclasses.
import { CodedError } from '../../core/codedError';

/** Decoding options the client may set per transcription; the worker fills in dictation-tuned defaults. */
export interface TranscribeOptions {
  language: string;
  threads: number;
  /** Text that precedes this audio (the end of the previous phrase), to keep casing and vocabulary consistent. */
  initialPrompt?: string;
  /** Decoder beam size; 1 means greedy decoding (the dictation default: lowest latency). */
  beamSize: number;
  /** Reduce the encoder's 30-s window for short phrases (0 = full window). */
  audioContext: number;
  /**
   * Stop after this many 30-s windows (0 or absent: decode the whole input). whisper.cpp re-encodes a full window
   * for whatever follows the last timestamp it decoded; a caller that continues from there itself passes 1.
   */
  maxWindows?: number;
}

export interface TranscriptSegment {
  /** Milliseconds from the start of the submitted audio. */
  fromMs: number;
  toMs: number;
  text: string;
}

export interface WorkerStats {
  pid: number;
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  modelLoaded: boolean;
  modelPath?: string;
  addonPath?: string;
  jobsCompleted: number;
  busy: boolean;
}

export type WorkerRequest =
  | { id: number; type: 'load'; modelPath: string; addonPath: string }
  | { id: number; type: 'transcribe'; pcm: Float32Array; options: TranscribeOptions }
  | { id: number; type: 'cancel'; targetId: number }
  | { id: number; type: 'free' }
  | { id: number; type: 'stats' }
  | { id: number; type: 'shutdown' };

export type WorkerRequestType = WorkerRequest['type'];

export interface LoadResult { modelPath: string; loadMs: number }
export interface TranscribeResult { segments: TranscriptSegment[]; text: string; elapsedMs: number; cancelled: boolean }

/** What each request type resolves to, so the client's `request()` is typed end to end. */
export interface WorkerResultMap {
  load: LoadResult;
  transcribe: TranscribeResult;
  cancel: { cancelled: boolean };
  free: { freed: boolean };
  stats: WorkerStats;
  shutdown: { ok: true };
}

export type WorkerErrorCode =
  | 'MODEL_NOT_FOUND'
  | 'MODEL_INVALID'
  | 'MODEL_NOT_LOADED'
  | 'ADDON_LOAD_FAILED'
  | 'BAD_AUDIO'
  | 'TRANSCRIBE_FAILED'
  | 'BUSY_SHUTTING_DOWN'
  | 'UNKNOWN_REQUEST'
  | 'WORKER_CRASHED'
  | 'WORKER_UNAVAILABLE'
  | 'CANCELLED'
  | 'INTERNAL';

export interface WorkerErrorPayload { code: WorkerErrorCode; message: string }

export type WorkerReply =
  | { kind: 'reply'; id: number; ok: true; result: WorkerResultMap[WorkerRequestType] }
  | { kind: 'reply'; id: number; ok: false; error: WorkerErrorPayload }
  | { kind: 'partial'; id: number; segment: TranscriptSegment }
  | { kind: 'ready'; pid: number }
  | { kind: 'log'; level: 'info' | 'warn' | 'error'; message: string };

/** An error with a protocol code, rebuilt on the client side from a WorkerErrorPayload. */
export class WhisperWorkerError extends CodedError<WorkerErrorCode> {
  override name = 'WhisperWorkerError';
}
