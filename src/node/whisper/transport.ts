// How the client reaches a worker: a forked child process (default) or a worker thread in the current process.
// Both carry the same WorkerRequest/WorkerReply messages; only starting and killing differ.
import { fork, ChildProcess } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from './protocol';

export type WorkerHostKind = 'process' | 'thread';

export interface WorkerExit { code: number | null; signal: NodeJS.Signals | null }

export interface WorkerTransport {
  readonly kind: WorkerHostKind;
  /** PID whose memory is the worker's own: the child's, or undefined for a thread (it shares the host's). */
  readonly pid: number | undefined;
  send(request: WorkerRequest): void;
  onMessage(listener: (reply: WorkerReply) => void): void;
  onExit(listener: (exit: WorkerExit) => void): void;
  /** Ends the worker now. Callers make sure no native job runs when the worker is a thread. */
  kill(): void;
}

export interface TransportOptions {
  script: string;
  /** Executable for the child; in VS Code this is Electron's binary, run as plain Node. */
  execPath: string;
  env: NodeJS.ProcessEnv;
  allowEmptyModel: boolean;
}

class ChildProcessTransport implements WorkerTransport {
  readonly kind = 'process';
  private readonly child: ChildProcess;

  constructor(options: TransportOptions) {
    this.child = fork(options.script, [], {
      execPath: options.execPath,
      // 'advanced' serialization sends Float32Array as a typed array (structured clone), not a JSON object.
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: {
        ...options.env,
        ELECTRON_RUN_AS_NODE: '1',
        // glibc otherwise keeps freed model memory in many arenas: RSS creeps to 300–400 MB (FINDINGS).
        MALLOC_ARENA_MAX: '2',
        // smart-whisper allocates and frees a whisper state (~200 MB of KV cache and compute buffers) on every
        // call. glibc raises its mmap threshold after each large free, so the next state comes from the heap and
        // is never returned: the idle worker settles near 400 MB. A fixed threshold keeps every large buffer
        // mmapped, and the idle worker stays at the model's size (138 MB for tiny.en), at no measurable cost in speed.
        MALLOC_MMAP_THRESHOLD_: '131072',
        DICTATION_ALLOW_EMPTY_MODEL: options.allowEmptyModel ? '1' : '0',
      },
    });
    // whisper.cpp logs verbosely to stderr; drain it so the pipe never fills and blocks the worker.
    this.child.stderr?.resume();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(request: WorkerRequest): void {
    if (this.child.connected) this.child.send(request);
  }

  onMessage(listener: (reply: WorkerReply) => void): void {
    this.child.on('message', (message) => listener(message as WorkerReply));
  }

  onExit(listener: (exit: WorkerExit) => void): void {
    let reported = false;
    const report = (code: number | null, signal: NodeJS.Signals | null) => {
      if (reported) return;
      reported = true;
      listener({ code, signal });
    };
    this.child.on('exit', report);
    this.child.on('error', () => report(null, null));
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

class ThreadTransport implements WorkerTransport {
  readonly kind = 'thread';
  readonly pid = undefined;
  private readonly worker: Worker;

  constructor(options: TransportOptions) {
    this.worker = new Worker(options.script, { workerData: { allowEmptyModel: options.allowEmptyModel } });
  }

  send(request: WorkerRequest): void {
    this.worker.postMessage(request);
  }

  onMessage(listener: (reply: WorkerReply) => void): void {
    this.worker.on('message', listener);
  }

  onExit(listener: (exit: WorkerExit) => void): void {
    this.worker.on('exit', (code) => listener({ code, signal: null }));
    this.worker.on('error', () => undefined);
  }

  kill(): void {
    void this.worker.terminate();
  }
}

export function startTransport(kind: WorkerHostKind, options: TransportOptions): WorkerTransport {
  return kind === 'thread' ? new ThreadTransport(options) : new ChildProcessTransport(options);
}
