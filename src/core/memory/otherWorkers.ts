// The Whisper workers that run beside dictation's own: the extra ones of parallel file transcription and Improve
// Last Phrase's. Each is counted twice in the memory indicator: its process's RSS in the footprint, and its model's
// share in the budget (workersBudgetMB). They never set the budget themselves: before this, every extra worker
// reported its model as "the model in use", and the last one to load decided the budget for all.

export interface OtherWorker {
  /** The worker process (undefined before it starts, or when it runs as a thread inside the host). */
  pid?: number;
  /** RAM its model needs (modelRamMB), once loaded. */
  ramMB?: number;
}

export class OtherWorkers<K = object> {
  private readonly workers = new Map<K, OtherWorker>();

  started(key: K, pid: number | undefined): void {
    this.workers.set(key, { ...this.workers.get(key), pid });
  }

  /** Its model is loaded. False when the worker has exited meanwhile (the late news is dropped). */
  loaded(key: K, ramMB: number): boolean {
    const worker = this.workers.get(key);
    if (!worker) return false;
    worker.ramMB = ramMB;
    return true;
  }

  exited(key: K): boolean {
    return this.workers.delete(key);
  }

  get count(): number {
    return this.workers.size;
  }

  pids(): number[] {
    return [...this.workers.values()].flatMap((w) => (w.pid ? [w.pid] : []));
  }

  /** The RAM of every loaded model among them (a worker still loading adds nothing yet). */
  ramMBs(): number[] {
    return [...this.workers.values()].flatMap((w) => (w.ramMB !== undefined ? [w.ramMB] : []));
  }
}
