// The extension's handle on the Whisper worker: lazy start, typed request/reply with ids, one model kept warm
// while in use and unloaded after an idle timeout, crash detection with bounded restarts, and a retry of the
// phrase that was being transcribed when the worker died, so a crash never loses dictated speech. A worker that stops
// answering (SIGSTOP, stuck in native code) is a crash too: a request that takes far longer than this model's pace on
// this machine allows (core/transcription/hangBound) gets its worker killed, and the phrase is retried in a new one.
import { statSync } from 'node:fs';
import { coldBoundMs, TranscriptionPace } from '../../core/transcription/hangBound';
import type { LoadResult, TranscribeOptions, TranscribeResult, TranscriptSegment, WorkerErrorCode, WorkerReply, WorkerRequest, WorkerRequestType, WorkerResultMap, WorkerStats } from './protocol';
import { cancelledResult, WhisperWorkerError } from './protocol';
import { trackLeak } from '../../core/leaks/leakTracker';
import { startTransport, WorkerExit, WorkerHostKind, WorkerTransport } from './transport';
import { classifyWorkerExit, describeWorkerExit } from './workerExit';

export interface WhisperClientLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface WhisperClientOptions {
  workerScript: string;
  host: WorkerHostKind;
  /**
   * Addon builds to try, best first (e.g. AVX2 then baseline). A worker that dies on an illegal instruction (SIGILL;
   * on Windows exit code 0xC000001D) demotes to the next.
   */
  addonCandidates: readonly string[];
  idleUnloadMs: number;
  /**
   * Said when `addonCandidates` is empty (no build for this platform): every request then fails with ADDON_MISSING
   * and this message, instead of a worker that cannot load anything.
   */
  addonMissingMessage?: string;
  /** At most this many unexpected worker exits within `restartWindowMs` with no job finished in between (a crash loop); beyond that a crashed phrase is not retried. */
  maxRestarts?: number;
  restartWindowMs?: number;
  execPath?: string;
  env?: NodeJS.ProcessEnv;
  allowEmptyModel?: boolean;
  log?: WhisperClientLog;
  /** Called when a worker process starts, so the resource registry can guarantee it is killed. */
  onWorkerStarted?: (pid: number | undefined, kill: () => void, exited: Promise<void>) => void;
  /** Called once per unexpected worker exit, with a user-facing description. */
  onCrash?: (description: string, exit: WorkerExit) => void;
  /**
   * Kill a worker process that does not answer a load or transcription within the model-aware bound (default on;
   * never for a worker thread, which cannot be killed mid-job without taking the host with it).
   */
  hangDetection?: boolean;
  /** whisper.cpp's flash attention for the models this client loads (measured: bench/results/encoder-window.md). */
  flashAttention?: boolean;
  /** Called when a model has been loaded (the memory budget follows the model in use). */
  onModelLoaded?: (modelPath: string) => void;
}

interface Pending {
  type: WorkerRequestType;
  resolve(value: unknown): void;
  reject(error: Error): void;
  onPartial?: (segment: TranscriptSegment) => void;
}

interface Session {
  transport: WorkerTransport;
  ready: Promise<void>;
  loadedModel?: string;
  exited: boolean;
  /** Why the client killed it as hung (its exit is then described as that, not as the signal). */
  hung?: string;
}

const silentLog: WhisperClientLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

export class WhisperClient {
  private session?: Session;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private crashTimes: number[] = [];
  private addonIndex = 0;
  private idleTimer?: NodeJS.Timeout;
  private activeJobs = 0;
  private disposed = false;
  private desiredModel?: string;
  private readonly log: WhisperClientLog;
  /** How long this machine takes per job with the loaded model: the hang bound follows it. */
  private readonly pace = new TranscriptionPace();
  private modelBytes = 0;
  /** Workers killed because they stopped answering, and why the last one was (tests and benchmarks read them). */
  hangsDetected = 0;
  lastHang?: string;

  constructor(private readonly options: WhisperClientOptions) {
    trackLeak('client', this);
    this.log = options.log ?? silentLog;
  }

  /** PID of the worker process (undefined when not running or hosted as a thread). */
  get pid(): number | undefined {
    return this.session && !this.session.exited ? this.session.transport.pid : undefined;
  }

  get running(): boolean {
    return !!this.session && !this.session.exited;
  }

  get busy(): boolean {
    return this.activeJobs > 0;
  }

  get addonPath(): string {
    return this.options.addonCandidates[Math.min(this.addonIndex, this.options.addonCandidates.length - 1)];
  }

  /** Starts the worker if needed and makes sure `modelPath` is the loaded model. */
  async ensureModel(modelPath: string): Promise<LoadResult> {
    this.desiredModel = modelPath;
    for (let attempt = 0; ; attempt++) {
      try {
        const session = await this.ensureSession();
        if (session.loadedModel === modelPath) return { modelPath, loadMs: 0 };
        this.modelBytes = fileSize(modelPath);
        const result = await this.request<'load'>(session, { type: 'load', modelPath, addonPath: this.addonPath, flashAttention: this.options.flashAttention }, undefined, undefined, coldBoundMs(this.modelBytes));
        session.loadedModel = modelPath;
        this.pace.useModel(modelPath);
        this.log.info(`Whisper model loaded in ${result.loadMs} ms: ${modelPath}`);
        this.options.onModelLoaded?.(modelPath);
        return result;
      } catch (error) {
        // Asked for while the worker was being unloaded (idle timeout, memory pressure): a fresh worker loads it.
        if (isUnloading(error) && !this.disposed && attempt < 2) {
          await this.whenCurrentSessionEnds();
          continue;
        }
        throw error;
      }
    }
  }

  /**
   * Transcribes 16 kHz mono Float32 PCM with the model given to ensureModel. If the worker dies during the job,
   * it is restarted (within the restart budget) and the same audio is transcribed again. `signal` withdraws the job:
   * a waiting job is dropped and a running one aborted (a preview or speculative phrase that is no longer wanted);
   * the result then says `cancelled`.
   */
  async transcribe(audio: Float32Array, options: TranscribeOptions, onPartial?: (segment: TranscriptSegment) => void, signal?: AbortSignal): Promise<TranscribeResult> {
    if (!this.desiredModel) throw new WhisperWorkerError('MODEL_NOT_LOADED', 'Call ensureModel() before transcribe().');
    // A view into a larger buffer would be sent whole (structured clone copies the entire ArrayBuffer): send its samples only.
    const pcm = audio.byteOffset === 0 && audio.byteLength === audio.buffer.byteLength ? audio : audio.slice();
    this.activeJobs++;
    this.clearIdleTimer();
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await this.ensureModel(this.desiredModel);
          const session = this.session!;
          if (signal?.aborted) return cancelledResult();
          const seconds = pcm.length / 16000;
          const sent = Date.now();
          const result = await this.request<'transcribe'>(session, { type: 'transcribe', pcm, options }, onPartial, signal, this.pace.boundMs(seconds, this.modelBytes));
          if (!result.cancelled) {
            this.pace.record(seconds, Date.now() - sent);
            // A worker that finishes jobs is not crash-looping: only crashes since the last finished job count.
            this.crashTimes = [];
          }
          return result;
        } catch (error) {
          const code = (error as WhisperWorkerError).code;
          if (code === 'WORKER_CRASHED' && attempt === 0 && this.canRestart()) {
            this.log.warn('Retrying the phrase after the Whisper worker stopped unexpectedly.');
            continue;
          }
          // The worker was being unloaded (idle timeout, memory pressure) as this phrase arrived: a fresh worker
          // takes it once the old one is gone.
          if (isUnloading(error) && !this.disposed && attempt < 2) {
            await this.whenCurrentSessionEnds();
            continue;
          }
          throw error;
        }
      }
    } finally {
      this.activeJobs--;
      this.armIdleTimer();
    }
  }

  private whenCurrentSessionEnds(): Promise<void> {
    const session = this.session;
    if (!session || session.exited) return Promise.resolve();
    return new Promise((resolve) => session.transport.onExit(() => resolve()));
  }

  async stats(): Promise<WorkerStats | undefined> {
    const session = this.session;
    if (!session || session.exited) return undefined;
    return this.request<'stats'>(session, { type: 'stats' });
  }

  /**
   * Unloads the model. A worker process is ended entirely, since only process exit returns all of whisper.cpp's
   * memory to the OS; a worker thread frees the model and stays.
   */
  async unload(): Promise<void> {
    this.clearIdleTimer();
    const session = this.session;
    if (!session || session.exited) return;
    if (session.transport.kind === 'process') return this.shutdown();
    await this.request<'free'>(session, { type: 'free' });
    session.loadedModel = undefined;
  }

  /** Graceful stop: the worker finishes its running job, frees the model and exits. */
  async shutdown(timeoutMs = 5000): Promise<void> {
    this.clearIdleTimer();
    const session = this.session;
    if (!session || session.exited) return;
    const exited = new Promise<void>((resolve) => session.transport.onExit(() => resolve()));
    try {
      await Promise.race([this.request<'shutdown'>(session, { type: 'shutdown' }), delay(timeoutMs)]);
      await Promise.race([exited, delay(timeoutMs)]);
    } catch {
      // fall through to the kill below
    }
    if (!session.exited) this.killSession(session);
  }

  /**
   * Synchronous teardown for deactivate: a worker process is killed at once (it cannot harm the host). A worker
   * thread is only terminated when idle, because terminating it mid-transcription aborts the whole host process.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clearIdleTimer();
    const session = this.session;
    if (session && !session.exited) {
      if (session.transport.kind === 'thread' && this.activeJobs > 0) void this.shutdown();
      else this.killSession(session);
    }
    this.rejectAll('WORKER_UNAVAILABLE', 'The Whisper worker was stopped.');
  }

  private async ensureSession(): Promise<Session> {
    if (this.disposed) throw new WhisperWorkerError('WORKER_UNAVAILABLE', 'The Whisper worker has been disposed.');
    if (this.options.addonCandidates.length === 0) {
      throw new WhisperWorkerError('ADDON_MISSING', this.options.addonMissingMessage ?? 'No whisper.cpp addon build for this platform.');
    }
    if (this.session && !this.session.exited) {
      await this.session.ready;
      return this.session;
    }
    const transport = startTransport(this.options.host, {
      script: this.options.workerScript,
      execPath: this.options.execPath ?? process.execPath,
      env: this.options.env ?? process.env,
      allowEmptyModel: !!this.options.allowEmptyModel,
    });
    let markReady!: () => void;
    let failStart!: (error: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failStart = reject;
    });
    const session: Session = { transport, ready, exited: false };
    this.session = session;
    transport.onMessage((reply) => (reply.kind === 'ready' ? markReady() : this.onReply(reply)));
    transport.onExit((exit) => {
      session.exited = true;
      failStart(new WhisperWorkerError('WORKER_CRASHED', describeExit(exit, session.hung)));
      this.onSessionExit(session, exit);
    });
    const exited = new Promise<void>((resolve) => transport.onExit(() => resolve()));
    this.options.onWorkerStarted?.(transport.pid, () => transport.kill(), exited);
    this.log.info(`Whisper worker started (${transport.kind}${transport.pid ? `, pid ${transport.pid}` : ''}, addon ${this.addonPath}).`);
    await ready;
    return session;
  }

  private request<K extends WorkerRequestType>(session: Session, body: DistributiveOmit<Extract<WorkerRequest, { type: K }>, 'id'>, onPartial?: (segment: TranscriptSegment) => void, signal?: AbortSignal, hangBoundMs?: number): Promise<WorkerResultMap[K]> {
    if (session.exited) return Promise.reject(new WhisperWorkerError('WORKER_CRASHED', 'The Whisper worker is not running.'));
    const id = this.nextId++;
    // The worker answers a withdrawn job itself (cancelled); the cancel request's own reply is not awaited.
    const withdraw = () => {
      if (this.pending.has(id) && !session.exited) session.transport.send({ type: 'cancel', id: this.nextId++, targetId: id });
    };
    signal?.addEventListener('abort', withdraw, { once: true });
    const watchdog = hangBoundMs !== undefined && this.watchesHangs(session) ? setTimeout(() => this.onHang(session, id, body.type, hangBoundMs), hangBoundMs) : undefined;
    watchdog?.unref();
    return new Promise<WorkerResultMap[K]>((resolve, reject) => {
      this.pending.set(id, { type: body.type, resolve: resolve as (v: unknown) => void, reject, onPartial });
      session.transport.send({ ...body, id } as WorkerRequest);
    }).finally(() => {
      signal?.removeEventListener('abort', withdraw);
      if (watchdog) clearTimeout(watchdog);
    });
  }

  private watchesHangs(session: Session): boolean {
    return (this.options.hangDetection ?? true) && session.transport.kind === 'process';
  }

  /** No answer within the bound: the worker is hung (stopped, or stuck in native code). Kill it; its exit is a crash. */
  private onHang(session: Session, id: number, type: WorkerRequestType, boundMs: number): void {
    if (session.exited || !this.pending.has(id) || this.disposed) return;
    session.hung = `no answer to a ${type} request in ${(boundMs / 1000).toFixed(1)} s`;
    this.hangsDetected++;
    this.lastHang = session.hung;
    this.log.warn(`The Whisper worker stopped responding (${session.hung}): killing it; the phrase is retried in a new worker.`);
    this.killSession(session);
  }

  private onReply(reply: WorkerReply): void {
    if (reply.kind === 'log') {
      this.log[reply.level](`[worker] ${reply.message}`);
      return;
    }
    if (reply.kind === 'partial') {
      this.pending.get(reply.id)?.onPartial?.(reply.segment);
      return;
    }
    if (reply.kind !== 'reply') return;
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(new WhisperWorkerError(reply.error.code, reply.error.message));
  }

  private onSessionExit(session: Session, exit: WorkerExit): void {
    if (this.session === session) this.session = undefined;
    if (this.disposed) {
      // Killed by dispose(): nobody is listening any more, not even the log.
      this.rejectAll('WORKER_UNAVAILABLE', 'The Whisper worker was stopped.');
      return;
    }
    const kind = classifyWorkerExit(exit);
    if (kind === 'stopped') {
      this.rejectAll('WORKER_UNAVAILABLE', 'The Whisper worker stopped.');
      this.log.info('Whisper worker stopped.');
      return;
    }
    const description = describeExit(exit, session.hung);
    this.crashTimes.push(Date.now());
    if (kind === 'illegal-instruction' && this.addonIndex < this.options.addonCandidates.length - 1) {
      this.addonIndex++;
      this.log.warn(`The optimised whisper.cpp build is not supported by this CPU; using ${this.addonPath}.`);
    }
    this.log.error(`Whisper worker stopped unexpectedly: ${description}`);
    this.options.onCrash?.(description, exit);
    this.rejectAll('WORKER_CRASHED', description);
  }

  private canRestart(): boolean {
    const window = this.options.restartWindowMs ?? 5 * 60_000;
    const now = Date.now();
    this.crashTimes = this.crashTimes.filter((t) => now - t < window);
    return !this.disposed && this.crashTimes.length <= (this.options.maxRestarts ?? 3);
  }

  private rejectAll(code: WorkerErrorCode, message: string): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const pending of entries) pending.reject(new WhisperWorkerError(code, message));
  }

  private killSession(session: Session): void {
    session.transport.kill();
  }

  private armIdleTimer(): void {
    this.clearIdleTimer();
    if (this.activeJobs > 0 || this.disposed || this.options.idleUnloadMs <= 0) return;
    this.idleTimer = setTimeout(() => {
      this.log.info(`Unloading the Whisper model after ${Math.round(this.options.idleUnloadMs / 1000)} s idle.`);
      void this.unload().catch((error) => this.log.warn(`Idle unload failed: ${(error as Error).message}`));
    }, this.options.idleUnloadMs);
    this.idleTimer.unref();
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function describeExit(exit: WorkerExit, hung?: string): string {
  if (hung) return `the worker stopped responding (${hung}) and was stopped`;
  return describeWorkerExit(exit);
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** The worker was shutting down on purpose (not a crash) when the request reached it. */
function isUnloading(error: unknown): boolean {
  const code = (error as WhisperWorkerError).code;
  return code === 'BUSY_SHUTTING_DOWN' || code === 'WORKER_UNAVAILABLE';
}
