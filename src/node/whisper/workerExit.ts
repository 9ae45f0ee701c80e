// What a Whisper worker's exit means, on each OS. An addon build that uses an instruction the CPU lacks (the AVX2
// build on a CPU, OS or hypervisor without AVX2) dies at its first use of it, and the client then falls back to the
// next build. How that death shows differs: Linux and macOS deliver SIGILL; Windows has no signals and ends the
// process with the exception code STATUS_ILLEGAL_INSTRUCTION (0xC000001D) as its exit code, which Node reports
// unsigned (3221225501) and some layers pass on as a signed 32-bit value (-1073741795).
import type { WorkerExit } from './transport';

export const STATUS_ILLEGAL_INSTRUCTION = 0xc000001d;

export type WorkerExitKind =
  /** Exit code 0 and no signal: the worker ended on request. */
  | 'stopped'
  /** The CPU refused an instruction of the addon build: try the next build. */
  | 'illegal-instruction'
  /** Any other death (another signal, an exception, a non-zero exit). */
  | 'crashed'
  /** No exit code and no signal: the process never ran (spawn failed). */
  | 'not-started';

/** A Windows exit code as the unsigned 32-bit NTSTATUS it is, whichever sign it arrived with. */
function ntstatus(code: number): number {
  return code >>> 0;
}

export function classifyWorkerExit(exit: WorkerExit, platform: NodeJS.Platform = process.platform): WorkerExitKind {
  if (exit.signal === 'SIGILL') return 'illegal-instruction';
  if (exit.signal) return 'crashed';
  if (exit.code === null) return 'not-started';
  if (exit.code === 0) return 'stopped';
  if (platform === 'win32' && ntstatus(exit.code) === STATUS_ILLEGAL_INSTRUCTION) return 'illegal-instruction';
  return 'crashed';
}

/** For the log and the crash notice: Windows exception codes in the hex form their documentation uses. */
export function describeWorkerExit(exit: WorkerExit, platform: NodeJS.Platform = process.platform): string {
  if (exit.signal) return `the worker was killed by ${exit.signal}`;
  if (exit.code === null) return 'the worker could not be started';
  if (platform === 'win32' && ntstatus(exit.code) >= 0xc0000000) {
    const hex = `0x${ntstatus(exit.code).toString(16).toUpperCase()}`;
    const what = ntstatus(exit.code) === STATUS_ILLEGAL_INSTRUCTION ? 'an illegal instruction' : 'an exception';
    return `the worker stopped on ${what} (${hex})`;
  }
  return `the worker exited with code ${exit.code}`;
}
