// The typed message protocol between the WhisperClient (in the extension host or CLI) and the Whisper worker
// (a forked child process by default, or a worker thread). Every request carries an id; every reply names it.
// Errors cross the boundary as codes, never as thrown objects, because structured clone drops Error subclasses.
import { CodedError } from '../../core/codedError';
import type { WindowGuard } from '../../core/transcription/encoderWindow';
import type { TranscriptConfidence } from '../../core/transcription/tokenConfidence';

/** Decoding options the client may set per transcription; the worker fills in dictation-tuned defaults. */
export interface TranscribeOptions {
  /** An ISO 639-1 code, or 'auto': whisper.cpp detects the language (from a full 30-s window) before decoding. */
  language: string;
  /** Whisper's translate task: the text comes out in English whatever the spoken language (multilingual models). */
  translate?: boolean;
  threads: number;
  /** Text that precedes this audio (the end of the previous phrase), to keep casing and vocabulary consistent. */
  initialPrompt?: string;
  /** Decoder beam size; 1 means greedy decoding (the dictation default: lowest latency). */
  beamSize: number;
  /**
   * The encoder window. 'fit': sized to the audio plus padding (core/transcription/encoderWindow), the transcript
   * checked by the window guards and transcribed again with the full window when one trips. A number: that fixed
   * `audio_ctx` (0 = the full 30-s window), unguarded.
   */
  audioContext: number | 'fit';
  /** Fixed padding frames for 'fit' (default: DEFAULT_WINDOW_PADDING's taper); the encoder-window benchmark tries others. */
  windowPaddingFrames?: number;
  /** For 'fit': check the transcript and fall back to the full window (default true); off only to measure. */
  windowGuards?: boolean;
  /**
   * Decode timestamps (default true). Without them whisper.cpp decodes the audio as one run up to its end; with them
   * it ends a segment at a timestamp within the last second of the input and drops the words that follow (the end of
   * a dictated phrase). Files need them for their cues; dictation does not.
   */
  timestamps?: boolean;
  /**
   * 'preview' (a live preview of the phrase being spoken) yields to every 'normal' job: it waits behind them in the
   * worker's queue, and a normal job that arrives while it runs aborts it. 'refine' (a second, more accurate pass on
   * a phrase already inserted) yields to both: it waits behind every other job and a normal job aborts it; a preview
   * waits for a running refinement to end. Default 'normal'.
   */
  priority?: 'normal' | 'preview' | 'refine';
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
  /** How sure Whisper was of the segment's words, when the engine reports token probabilities. */
  confidence?: TranscriptConfidence;
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
  /** Jobs transcribed with a window fitted to their audio. */
  fittedWindowJobs: number;
  /** Of those, transcribed again with the full window because a guard tripped, by guard. */
  windowFallbacks: number;
  windowFallbacksByGuard: Partial<Record<WindowGuard, number>>;
  /** Running jobs aborted inside whisper.cpp: previews that gave way to another job, and withdrawn jobs. */
  jobsAborted: number;
}

export type WorkerRequest =
  | { id: number; type: 'load'; modelPath: string; addonPath: string; flashAttention?: boolean }
  | { id: number; type: 'transcribe'; pcm: Float32Array; options: TranscribeOptions }
  | { id: number; type: 'cancel'; targetId: number }
  | { id: number; type: 'free' }
  | { id: number; type: 'stats' }
  | { id: number; type: 'shutdown' };

export type WorkerRequestType = WorkerRequest['type'];

export interface LoadResult { modelPath: string; loadMs: number }
export interface TranscribeResult {
  segments: TranscriptSegment[];
  text: string;
  elapsedMs: number;
  cancelled: boolean;
  /** The encoder window the text came from (0 = full). */
  audioContext?: number;
  /** The guard that sent a fitted window back to the full window, if one did. */
  fallback?: WindowGuard;
  /** The language whisper.cpp detected, when asked for 'auto' and it produced text. */
  language?: string;
  /** How sure Whisper was of the text's words, when the engine reports token probabilities. */
  confidence?: TranscriptConfidence;
}

/** The result of a job that was withdrawn or aborted before it produced text. */
export function cancelledResult(elapsedMs = 0, extra: Pick<TranscribeResult, 'audioContext' | 'fallback'> = {}): TranscribeResult {
  return { segments: [], text: '', elapsedMs, cancelled: true, ...extra };
}

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
  /** This copy of the extension has no whisper.cpp build for the platform (see addonVariant.ts). */
  | 'ADDON_MISSING'
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
