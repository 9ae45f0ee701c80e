// Entry point of the Whisper worker. The same file runs as a forked child process (the default: a native crash or
// runaway memory cannot take the extension host down, and all memory returns to the OS when it exits) or as a
// worker_thread inside the host (opt-in). It only wires a transport to the engine.
import { parentPort, isMainThread, workerData } from 'node:worker_threads';
import { fullGarbageCollector } from '../node/memory/garbageCollector';
import type { WhisperBinding } from '../node/whisper/binding';
import { WhisperWorkerEngine } from '../node/whisper/workerEngine';
import type { WorkerReply, WorkerRequest } from '../node/whisper/protocol';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadBinding = (addonPath: string): WhisperBinding => require(addonPath) as WhisperBinding;

function allowEmptyModel(): boolean {
  const fromThread = !isMainThread && (workerData as { allowEmptyModel?: boolean } | undefined)?.allowEmptyModel;
  return !!fromThread || process.env.DICTATION_ALLOW_EMPTY_MODEL === '1';
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const engine = new WhisperWorkerEngine({
    post: (reply: WorkerReply) => port.postMessage(reply),
    // Only reached after the engine has freed the model with no job running: ending the thread is then safe.
    exit: () => setImmediate(() => port.close()),
    loadBinding,
    allowEmptyModel: allowEmptyModel(),
  });
  port.on('message', (request: WorkerRequest) => void engine.handle(request));
  port.postMessage({ kind: 'ready', pid: process.pid } satisfies WorkerReply);
} else if (typeof process.send === 'function') {
  const send = (reply: WorkerReply) => process.send?.(reply);
  // Every phrase arrives as a new ArrayBuffer (up to 1.9 MB) while the JS heap stays near 6 MB, so V8 seldom collects
  // and the buffers pile up: +0.5 MB per phrase, tens of MB before V8 reacts to the external memory. One full
  // collection after each transcription (milliseconds, against a second of whisper.cpp) keeps the worker at the
  // model's size. Only in this process of its own: in a worker thread it would pause the extension host.
  const collectGarbage = fullGarbageCollector();
  let leaving = false;
  const engine = new WhisperWorkerEngine({
    post: send,
    exit: () => {
      leaving = true;
      // Let the last reply flush through the IPC channel before leaving.
      process.disconnect?.();
      setTimeout(() => process.exit(0), 50).unref();
    },
    loadBinding,
    allowEmptyModel: allowEmptyModel(),
    afterJob: collectGarbage,
  });
  process.on('message', (request: WorkerRequest) => void engine.handle(request));
  process.on('disconnect', () => {
    if (leaving) return process.exit(0);
    // The parent went away (extension host or CLI crashed or was killed): nobody can use our results, so leave at
    // once. Not process.exit(): it waits for the whisper.cpp job running on a libuv thread, seconds of CPU for nobody.
    process.kill(process.pid, 'SIGKILL');
  });
  send({ kind: 'ready', pid: process.pid });
} else {
  console.error('whisperWorker must be started by the extension as a child process or worker thread.');
  process.exit(2);
}
