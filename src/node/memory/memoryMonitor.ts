// Samples what the extension costs: the extension host (process.memoryUsage), the Whisper worker process and the
// recorder (pidusage), the audio buffers the extension holds, and the system's free memory. Sampling runs on a
// timer whose interval the caller changes (fast while dictating, slower while the model is loaded, paused when idle).
import * as os from 'node:os';
import pidusage from 'pidusage';

export interface MemorySnapshot {
  at: number;
  hostRssMB: number;
  hostHeapUsedMB: number;
  hostExternalMB: number;
  hostArrayBuffersMB: number;
  /** RSS of the worker process; undefined when it is not running (or runs as a thread inside the host). */
  workerRssMB?: number;
  /** RSS of the other Whisper worker processes together (parallel file chunks, Improve Last Phrase); 0 when none. */
  otherWorkersRssMB: number;
  /** How many of them were sampled. */
  otherWorkers: number;
  recorderRssMB?: number;
  bufferMB: number;
  systemFreeMB: number;
  systemTotalMB: number;
}

export interface MemorySources {
  workerPid(): number | undefined;
  /** The other Whisper workers' processes, beside dictation's (see core/memory/otherWorkers). */
  otherWorkerPids?(): readonly number[];
  recorderPid(): number | undefined;
  bufferBytes(): number;
}

const MB = 1024 * 1024;

/**
 * pidusage keeps an open /proc/<pid>/stat descriptor per PID until its history entry expires, and its clear()
 * forgets entries without closing them. A short max age makes the entries of processes that have exited expire
 * (and their descriptors close) within seconds; a max age of 0 would be worse: it reopens the file on every call
 * and never closes it.
 */
const PIDUSAGE_MAX_AGE_MS = 10_000;

export async function processRssMB(pid: number | undefined): Promise<number | undefined> {
  if (!pid) return undefined;
  try {
    const stats = await pidusage(pid, { maxage: PIDUSAGE_MAX_AGE_MS });
    return stats.memory / MB;
  } catch {
    // ESRCH: the process has exited between the pid lookup and the sample.
    return undefined;
  }
}

export async function sampleMemory(sources: MemorySources): Promise<MemorySnapshot> {
  const usage = process.memoryUsage();
  const [workerRssMB, recorderRssMB, ...others] = await Promise.all([
    processRssMB(sources.workerPid()),
    processRssMB(sources.recorderPid()),
    ...(sources.otherWorkerPids?.() ?? []).map((pid) => processRssMB(pid)),
  ]);
  const othersAlive = others.filter((rss): rss is number => rss !== undefined);
  return {
    at: Date.now(),
    hostRssMB: usage.rss / MB,
    hostHeapUsedMB: usage.heapUsed / MB,
    hostExternalMB: usage.external / MB,
    hostArrayBuffersMB: usage.arrayBuffers / MB,
    workerRssMB,
    otherWorkersRssMB: othersAlive.reduce((sum, rss) => sum + rss, 0),
    otherWorkers: othersAlive.length,
    recorderRssMB,
    bufferMB: sources.bufferBytes() / MB,
    systemFreeMB: os.freemem() / MB,
    systemTotalMB: os.totalmem() / MB,
  };
}

/** While only the model is loaded (no dictation), memory changes slowly: sample this many times less often. */
export const LOADED_INTERVAL_FACTOR = 5;

/**
 * How often to sample: every `dictatingSeconds` while dictating, `LOADED_INTERVAL_FACTOR` times less often while only
 * the model is loaded, and not at all (0) when nothing runs — there is nothing to watch then.
 */
export function samplingIntervalMs(activity: { dictating: boolean; modelLoaded: boolean }, dictatingSeconds: number): number {
  if (activity.dictating) return dictatingSeconds * 1000;
  return activity.modelLoaded ? dictatingSeconds * 1000 * LOADED_INTERVAL_FACTOR : 0;
}

export class MemoryMonitor {
  private timer?: NodeJS.Timeout;
  private intervalMs = 0;
  private sampling = false;
  private lastSnapshot?: MemorySnapshot;

  constructor(
    private readonly sources: MemorySources,
    private readonly onSample: (snapshot: MemorySnapshot) => void,
  ) {}

  get latest(): MemorySnapshot | undefined {
    return this.lastSnapshot;
  }

  get currentIntervalMs(): number {
    return this.intervalMs;
  }

  /** Sets the sampling interval; 0 pauses sampling. */
  setInterval(ms: number): void {
    if (ms === this.intervalMs) return;
    this.intervalMs = ms;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (ms > 0) {
      this.timer = setInterval(() => void this.sampleNow(), ms);
      this.timer.unref();
    }
  }

  async sampleNow(): Promise<MemorySnapshot> {
    if (this.sampling && this.lastSnapshot) return this.lastSnapshot;
    this.sampling = true;
    try {
      const snapshot = await sampleMemory(this.sources);
      this.lastSnapshot = snapshot;
      this.onSample(snapshot);
      return snapshot;
    } finally {
      this.sampling = false;
    }
  }

  dispose(): void {
    this.setInterval(0);
  }
}
