// The request handler that runs inside the Whisper worker (child process or worker thread). It owns the native
// model and enforces the rules that keep smart-whisper from crashing its process (FINDINGS): the model file is
// validated before loading, PCM must be a Float32Array, one transcription runs at a time, and the model is never
// freed (nor the worker ended) while a transcription is in flight. It also owns the encoder window: a job may ask
// for a window fitted to its audio, and the engine checks the transcript and transcribes again with the full window
// when a guard trips; and it keeps live previews out of the way of every other job.
import { transcriptConfidence } from '../../core/transcription/tokenConfidence';
import { DEFAULT_WINDOW_PADDING, fittedAudioContext, tokenCap, windowGuardTrip, type WindowGuard } from '../../core/transcription/encoderWindow';
import type { NativeSegment, NativeTranscribeParams, NativeWhisperModel, WhisperBinding } from './binding';
import { validateModelFile, ModelFileError } from './modelValidation';
import { cancelledResult, type TranscribeOptions, type TranscribeResult, type WorkerErrorCode, type WorkerReply, type WorkerRequest, type WorkerResultMap, type WorkerStats } from './protocol';

class EngineError extends Error {
  constructor(readonly code: WorkerErrorCode, message: string) {
    super(message);
  }
}

/** whisper.cpp refuses input shorter than 1 s; short phrases ("yes", "new line") are padded with silence. */
const MIN_SAMPLES = 16000 + 800;

function padToMinimum(pcm: Float32Array): Float32Array {
  if (pcm.length >= MIN_SAMPLES) return pcm;
  const padded = new Float32Array(MIN_SAMPLES);
  padded.set(pcm);
  return padded;
}

/** Longest audio accepted in one request: whisper.cpp handles long input, but a phrase or file chunk never needs more. */
const MAX_SAMPLES = 16000 * 60 * 10;

/** 0 runs first: a phrase's text (or a file), then live previews, then refinements of phrases already inserted. */
function priorityRank(priority: TranscribeOptions['priority']): number {
  return priority === 'refine' ? 2 : priority === 'preview' ? 1 : 0;
}

interface QueuedJob {
  id: number;
  pcm: Float32Array;
  options: TranscribeOptions;
  cancelled: boolean;
  /** The id whisper.cpp's abort callback answers to (unique in this process). */
  abortId: number;
}

export interface EngineHost {
  post(reply: WorkerReply): void;
  /** Ends the hosting process/thread after the last reply has been posted. */
  exit(): void;
  loadBinding(addonPath: string): WhisperBinding;
  allowEmptyModel: boolean;
  /** Runs after every transcription, once its reply has been posted (the process host collects garbage here). */
  afterJob?: () => void;
}

/** whisper.cpp's parameters for a job; `audioContext` is the window it runs with (0 = full). */
export function dictationParams(options: TranscribeOptions, audioContext: number): Partial<NativeTranscribeParams> {
  return {
    strategy: options.beamSize > 1 ? 1 : 0,
    beam_size: Math.max(1, options.beamSize),
    best_of: 1,
    n_threads: Math.max(1, options.threads),
    language: options.language || 'en',
    translate: !!options.translate,
    // Each phrase is independent audio; carrying decoder context across phrases invites repetition loops.
    no_context: true,
    no_timestamps: options.timestamps === false,
    single_segment: false,
    suppress_blank: true,
    suppress_non_speech_tokens: true,
    temperature: 0,
    // Temperature fallback re-decodes a hard phrase up to 5 times: too slow for dictation, and silence is
    // filtered before it gets here.
    temperature_inc: 0,
    no_speech_thold: 0.6,
    audio_ctx: Math.max(0, audioContext),
    initial_prompt: options.initialPrompt ?? '',
    max_windows: Math.max(0, options.maxWindows ?? 0),
    format: 'simple',
  };
}

export class WhisperWorkerEngine {
  private binding?: WhisperBinding;
  private addonPath?: string;
  private model?: NativeWhisperModel;
  private modelPath?: string;
  private flashAttention = false;
  private readonly queue: QueuedJob[] = [];
  private running?: QueuedJob;
  private jobsCompleted = 0;
  private fittedWindowJobs = 0;
  private readonly windowFallbacks = new Map<WindowGuard, number>();
  private jobsAborted = 0;
  private nextAbortId = 1;
  private shuttingDown = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly host: EngineHost) {}

  async handle(request: WorkerRequest): Promise<void> {
    try {
      if (this.shuttingDown && request.type !== 'stats') throw new EngineError('BUSY_SHUTTING_DOWN', 'The Whisper worker is shutting down.');
      switch (request.type) {
        case 'load':
          return this.reply(request.id, await this.load(request.modelPath, request.addonPath, !!request.flashAttention));
        case 'transcribe':
          return this.enqueue(request.id, request.pcm, request.options);
        case 'cancel':
          return this.reply(request.id, { cancelled: this.cancel(request.targetId) });
        case 'free':
          return this.reply(request.id, { freed: await this.free() });
        case 'stats':
          return this.reply(request.id, this.stats());
        case 'shutdown':
          this.shuttingDown = true;
          for (const job of this.queue.splice(0)) this.fail(job.id, new EngineError('CANCELLED', 'The worker shut down before this phrase was transcribed.'));
          await this.free();
          this.reply(request.id, { ok: true });
          return this.host.exit();
        default: {
          const unknown = request as { id: number; type: string };
          throw new EngineError('UNKNOWN_REQUEST', `Unknown request type ${unknown.type}`);
        }
      }
    } catch (error) {
      this.fail(request.id, error);
    }
  }

  private reply<K extends keyof WorkerResultMap>(id: number, result: WorkerResultMap[K]): void {
    this.host.post({ kind: 'reply', id, ok: true, result });
  }

  private fail(id: number, error: unknown): void {
    const code: WorkerErrorCode = error instanceof EngineError ? error.code : error instanceof ModelFileError ? 'MODEL_INVALID' : 'INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    this.host.post({ kind: 'reply', id, ok: false, error: { code, message } });
  }

  private async load(modelPath: string, addonPath: string, flashAttention: boolean): Promise<WorkerResultMap['load']> {
    const started = Date.now();
    if (this.model && !this.model.freed && this.modelPath === modelPath && this.flashAttention === flashAttention) return { modelPath, loadMs: 0 };
    try {
      await validateModelFile(modelPath, { allowEmpty: this.host.allowEmptyModel });
    } catch (error) {
      if (error instanceof ModelFileError && error.problem === 'TRUNCATED' && /cannot be read/.test(error.message)) {
        throw new EngineError('MODEL_NOT_FOUND', error.message);
      }
      throw error;
    }
    if (!this.binding || this.addonPath !== addonPath) {
      if (this.binding) throw new EngineError('ADDON_LOAD_FAILED', 'A different native addon is already loaded in this worker; restart the worker to switch.');
      try {
        this.binding = this.host.loadBinding(addonPath);
        this.addonPath = addonPath;
      } catch (error) {
        throw new EngineError('ADDON_LOAD_FAILED', `The whisper.cpp addon could not be loaded from ${addonPath}: ${(error as Error).message}`);
      }
    }
    await this.free();
    // Two arguments unless asked: an addon without the project's patch refuses a third.
    this.model = await (flashAttention ? this.binding.WhisperModel.load(modelPath, false, true) : this.binding.WhisperModel.load(modelPath, false));
    this.modelPath = modelPath;
    this.flashAttention = flashAttention;
    return { modelPath, loadMs: Date.now() - started };
  }

  private enqueue(id: number, pcm: Float32Array, options: TranscribeOptions): void {
    // A Float64Array segfaults the native code and an Int16Array is read as garbage: refuse anything else.
    if (!(pcm instanceof Float32Array)) throw new EngineError('BAD_AUDIO', 'Audio must be a Float32Array of 16 kHz mono samples.');
    if (pcm.length === 0 || pcm.length > MAX_SAMPLES) throw new EngineError('BAD_AUDIO', `Audio length ${pcm.length} samples is outside 1…${MAX_SAMPLES}.`);
    if (!this.model || this.model.freed) throw new EngineError('MODEL_NOT_LOADED', 'No model is loaded in the Whisper worker.');
    const job: QueuedJob = { id, pcm: padToMinimum(pcm), options, cancelled: false, abortId: this.nextAbortId++ };
    // Queued by rank (finals, then previews, then refinements), first come first served within a rank.
    const rank = priorityRank(options.priority);
    const behind = this.queue.findIndex((queued) => priorityRank(queued.options.priority) > rank);
    this.queue.splice(behind < 0 ? this.queue.length : behind, 0, job);
    // A final aborts a running preview or refinement. A preview does not abort a running refinement: refinements
    // would then never finish while someone speaks (a preview every half second); one refinement (~0.5 s) holds
    // up one preview instead.
    if (rank === 0 && this.running && priorityRank(this.running.options.priority) > 0) this.abort(this.running);
    void this.pump();
  }

  /** Aborts the running job through the addon's abort callback; its reply says cancelled. */
  private abort(job: QueuedJob): void {
    if (job.cancelled) return;
    job.cancelled = true;
    if (!this.binding?.abortTranscription) return;
    this.jobsAborted++;
    this.binding.abortTranscription(job.abortId);
  }

  private cancel(targetId: number): boolean {
    const index = this.queue.findIndex((job) => job.id === targetId);
    if (index >= 0) {
      const [job] = this.queue.splice(index, 1);
      this.reply(job.id, cancelledResult());
      return true;
    }
    if (this.running?.id === targetId) {
      this.abort(this.running);
      return true;
    }
    return false;
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    const job = this.queue.shift();
    if (!job) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
      return;
    }
    this.running = job;
    try {
      const result = await this.transcribe(job);
      this.reply(job.id, result);
    } catch (error) {
      this.fail(job.id, error);
    } finally {
      this.running = undefined;
      this.jobsCompleted++;
      // Later, once nothing here references the finished job's audio any more.
      if (this.host.afterJob) setImmediate(this.host.afterJob);
      void this.pump();
    }
  }

  /**
   * One job: with a fitted window when asked and worth it, checked by the window guards, and once more with the full
   * window when a guard trips (counted and logged).
   */
  private async transcribe(job: QueuedJob): Promise<TranscribeResult> {
    const started = Date.now();
    const fit = job.options.audioContext === 'fit';
    const window = fit ? fittedAudioContext(job.pcm.length, job.options.windowPaddingFrames ?? DEFAULT_WINDOW_PADDING) : job.options.audioContext as number;
    const guarded = fit && window > 0 && job.options.windowGuards !== false;
    if (fit && window > 0) this.fittedWindowJobs++;
    const first = await this.runNative(job, window, guarded ? tokenCap(job.pcm.length) : 0);
    const elapsed = () => Date.now() - started;
    if (!first) return cancelledResult(elapsed(), { audioContext: window });
    const trip = guarded ? windowGuardTrip({ text: joinText(first), segmentTokens: first.map((s) => s.tokens?.length ?? 0) }, job.pcm.length) : undefined;
    if (!trip) return { ...toResult(first, job.options), elapsedMs: elapsed(), cancelled: false, audioContext: window };
    this.windowFallbacks.set(trip, (this.windowFallbacks.get(trip) ?? 0) + 1);
    this.host.post({ kind: 'log', level: 'info', message: `Window guard "${trip}" tripped on a ${(job.pcm.length / 16000).toFixed(1)}-s job with audio_ctx ${window} ("${joinText(first).slice(0, 80)}"); transcribing again with the full window.` });
    const full = await this.runNative(job, 0, 0);
    if (!full) return cancelledResult(elapsed(), { audioContext: 0, fallback: trip });
    return { ...toResult(full, job.options), elapsedMs: elapsed(), cancelled: false, audioContext: 0, fallback: trip };
  }

  /** One whisper.cpp call; undefined when the job was cancelled or aborted meanwhile. */
  private runNative(job: QueuedJob, audioContext: number, maxTokens: number): Promise<NativeSegment[] | undefined> {
    const model = this.model;
    const binding = this.binding;
    if (!model || !binding || model.freed || !model.handle) return Promise.reject(new EngineError('MODEL_NOT_LOADED', 'The model was unloaded.'));
    if (job.cancelled) return Promise.resolve(undefined);
    const params: Partial<NativeTranscribeParams> = {
      ...dictationParams(job.options, audioContext),
      max_tokens: maxTokens,
      // 'detail' carries each segment's tokens (the token-cap guard counts them, their probabilities say how sure
      // Whisper was) and the language of the run (what whisper.cpp detected for 'auto').
      format: 'detail',
      abort_id: job.abortId,
    };
    return new Promise((resolve, reject) => {
      binding.transcribe(
        model.handle!,
        job.pcm,
        params,
        (results) => {
          if (job.cancelled) return resolve(undefined);
          // A native failure resolves with an Error object instead of rejecting.
          if (results instanceof Error) return reject(new EngineError('TRANSCRIBE_FAILED', results.message));
          resolve(results);
        },
        (segment) => {
          if (!job.cancelled) this.host.post({ kind: 'partial', id: job.id, segment: { fromMs: segment.from, toMs: segment.to, text: segment.text } });
        },
      );
    });
  }

  private whenIdle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Frees the model once no transcription is running (freeing mid-job aborts the process). */
  private async free(): Promise<boolean> {
    await this.whenIdle();
    const model = this.model;
    this.model = undefined;
    this.modelPath = undefined;
    if (!model || model.freed) return false;
    await model.free();
    return true;
  }

  private stats(): WorkerStats {
    const usage = process.memoryUsage();
    return {
      pid: process.pid,
      rssBytes: usage.rss,
      heapUsedBytes: usage.heapUsed,
      externalBytes: usage.external,
      arrayBuffersBytes: usage.arrayBuffers,
      modelLoaded: !!this.model && !this.model.freed,
      modelPath: this.modelPath,
      addonPath: this.addonPath,
      jobsCompleted: this.jobsCompleted,
      busy: !!this.running,
      fittedWindowJobs: this.fittedWindowJobs,
      windowFallbacks: [...this.windowFallbacks.values()].reduce((sum, n) => sum + n, 0),
      windowFallbacksByGuard: Object.fromEntries(this.windowFallbacks),
      jobsAborted: this.jobsAborted,
    };
  }
}

function joinText(segments: readonly NativeSegment[]): string {
  return segments.map((s) => s.text).join('').trim();
}

function toResult(segments: readonly NativeSegment[], options: TranscribeOptions): Pick<TranscribeResult, 'segments' | 'text' | 'language' | 'confidence'> {
  const text = joinText(segments);
  // Only a detection that produced text is worth keeping: on silence whisper.cpp still names a language.
  const language = options.language === 'auto' && text ? segments.find((s) => s.lang)?.lang : undefined;
  const confidence = transcriptConfidence(segments.flatMap((s) => s.tokens ?? []));
  const timed = segments.map((s) => {
    const own = transcriptConfidence(s.tokens ?? []);
    return { fromMs: s.from, toMs: s.to, text: s.text, ...(own ? { confidence: own } : {}) };
  });
  return { segments: timed, text, ...(language ? { language } : {}), ...(confidence ? { confidence } : {}) };
}
