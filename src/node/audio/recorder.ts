// The microphone: a sox / rec / arecord child process writing raw 16 kHz mono s16le PCM to stdout.
//
// This replaces node-record-lpcm16 (see CHANGELOG): that package cannot run a recorder from a configured absolute
// path, has no 'error' listener on its child (a missing sox throws an unhandled ENOENT), reports arecord's normal
// exit code 1 after SIGTERM as an error, and stops with a bare SIGTERM that drops the tail of the speech. We keep its
// proven command lines and add what it lacks: no shell, every error path caught, a stop that keeps the last
// ~300 ms, and SIGKILL when the recorder ignores SIGTERM.
import { spawn, ChildProcessByStdio } from 'node:child_process';
import { trackLeak } from '../../core/leaks/leakTracker';
import { isAbsolute } from 'node:path';
import type { Readable } from 'node:stream';
import { findOnPath, isExecutable } from '../files/executables';
import { pulseSourceOf } from '../../core/audio/inputDevices';

export type RecorderProgram = 'sox' | 'rec' | 'arecord';
export type RecorderChoice = RecorderProgram | 'auto';

export type RecorderErrorCode = 'RECORDER_NOT_FOUND' | 'RECORDER_FAILED' | 'DEVICE_BUSY' | 'RECORDER_DIED';

export class RecorderError extends Error {
  constructor(readonly code: RecorderErrorCode, message: string, readonly detail = '') {
    super(message);
    this.name = 'RecorderError';
  }
}

export const SAMPLE_RATE = 16000;

export interface RecorderCommand {
  program: RecorderProgram;
  executable: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * Argument lists for raw output (no WAV header in the stream), per program and OS, as SoX 14.4's manuals
 * (sox(1), soxformat(7)) document them:
 * - sox on Linux: `--default-device` (SoX picks ALSA, which PulseAudio/PipeWire serve) and AUDIODEV names a device.
 * - sox on macOS: the CoreAudio driver named explicitly, `-t coreaudio <device>`; "default" is the system's input
 *   (soxformat(7): "If a filename is not specific or if the name is "default" then the default audio device is
 *   selected"); other names are those of System Settings > Sound.
 * - sox on Windows: `-t waveaudio <device>`. SoX 14.4.2's `--default-device` does not consider waveaudio and fails
 *   with "Sorry, there is no default audio device configured"; "default" is the Wave Mapper (the device chosen in the
 *   Sound control panel), a number is a device index, other names are matched (31 characters at most).
 * - rec: `sox --default-device` under another name; AUDIODEV selects the device (Linux, macOS; not Windows, see
 *   resolveRecorder).
 * Every value is one argv entry (no shell), so device names with spaces or non-ASCII characters pass unchanged.
 */
export function recorderArgs(program: RecorderProgram, device: string | undefined, platform: NodeJS.Platform = process.platform): { args: string[]; env: NodeJS.ProcessEnv } {
  const rate = String(SAMPLE_RATE);
  if (program === 'arecord') {
    // 20-ms periods: arecord writes a period at a time, and its default (a quarter of 500 ms) held the audio back
    // 125 ms, every bit of which the end of a phrase waited for (bench/results/capture-latency.md).
    const args = ['-q', '--period-time=20000', '-r', rate, '-c', '1', '-t', 'raw', '-f', 'S16_LE', '-'];
    // A PulseAudio/PipeWire source goes through ALSA's pulse plugin, which records from PULSE_SOURCE
    // (`-D pulse:<name>` would parse the name as ALSA configuration syntax).
    const pulse = device ? pulseSourceOf(device) : undefined;
    if (pulse) return { args: ['-D', 'pulse', ...args], env: { PULSE_SOURCE: pulse } };
    return { args: device ? ['-D', device, ...args] : args, env: {} };
  }
  const output = ['--no-show-progress', '--rate', rate, '--channels', '1', '--encoding', 'signed-integer', '--bits', '16', '--type', 'raw', '-'];
  if (program === 'rec') return { args: [...(platform === 'linux' ? SOX_SMALL_BLOCKS : []), '-q', ...output.slice(1)], env: device ? soxDeviceEnv(device, platform) : {} };
  // sox names the driver on Windows and macOS (their default-device lookup does not reach waveaudio/coreaudio);
  // elsewhere AUDIODRIVER/AUDIODEV select it.
  if (platform === 'win32') return { args: ['-t', 'waveaudio', device || 'default', ...output], env: {} };
  if (platform === 'darwin') return { args: ['-t', 'coreaudio', device || 'default', ...output], env: {} };
  return { args: [...SOX_SMALL_BLOCKS, '--default-device', ...output], env: device ? soxDeviceEnv(device, platform) : {} };
}

/**
 * SoX processes audio in blocks of 8192 bytes by default (sox(1), --buffer): 1024 lets each block out sooner. Linux
 * only, where it was measured; CoreAudio and waveaudio keep SoX's defaults.
 */
const SOX_SMALL_BLOCKS = ['--buffer', '1024'];

/**
 * On Linux, sox and rec run under coreutils' `stdbuf -o0` when it is on the PATH: SoX writes raw audio to stdout
 * through stdio, which holds a pipe's output until 4096 bytes (128 ms of audio) have gathered, and with its blocks
 * that meant a chunk every 120-170 ms; unbuffered, one comes every 30 ms (bench/results/capture-latency.md). stdbuf
 * sets an environment variable and execs the recorder, so the process, its pid and its signals are the recorder's own.
 * Without stdbuf the recorder runs as it is, only later by those milliseconds.
 */
export function withUnbufferedOutput(command: RecorderCommand, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): RecorderCommand {
  if (platform !== 'linux' || command.program === 'arecord') return command;
  const stdbuf = findOnPath('stdbuf', env, platform);
  return stdbuf ? { ...command, executable: stdbuf, args: ['-o0', command.executable, ...command.args] } : command;
}

/**
 * sox's and rec's default device is AUDIODEV of the driver AUDIODRIVER. Without AUDIODRIVER, sox first tries to open
 * AUDIODEV as an *output* of each driver in turn (sox.c, set_default_device), which fails for an input-only device:
 * `AUDIODEV=<pulse source> sox -d` says "no default audio device configured" (measured with sox 14.4.2). Naming the
 * driver skips that probe. A plain device name is an ALSA device on Linux, a Core Audio device name on macOS.
 */
export function soxDeviceEnv(device: string, platform: NodeJS.Platform = process.platform): NodeJS.ProcessEnv {
  const pulse = pulseSourceOf(device);
  if (pulse) return { AUDIODRIVER: 'pulseaudio', AUDIODEV: pulse };
  const driver = platform === 'darwin' ? 'coreaudio' : platform === 'win32' ? 'waveaudio' : 'alsa';
  return { AUDIODRIVER: driver, AUDIODEV: device };
}

/** The programs `auto` tries, in order. arecord is ALSA's (Linux only); rec cannot record on Windows (below). */
export function autoRecorderPrograms(platform: NodeJS.Platform = process.platform): RecorderProgram[] {
  if (platform === 'linux') return ['sox', 'rec', 'arecord'];
  if (platform === 'win32') return ['sox'];
  return ['sox', 'rec'];
}

export function installHint(platform: NodeJS.Platform = process.platform): string {
  switch (platform) {
    case 'darwin':
      return 'Install SoX with Homebrew: `brew install sox`, then restart VS Code.';
    case 'win32':
      return 'Install SoX: `winget install ChrisBagwell.SoX` (or `choco install sox.portable`), then restart VS Code or set "offlineDictation.recorder.path" to sox.exe.';
    default:
      return 'Install SoX or ALSA tools: `sudo apt install sox libsox-fmt-pulse` (Debian/Ubuntu), `sudo dnf install sox` (Fedora) or `sudo apt install alsa-utils` for arecord.';
  }
}

function programFromPath(path: string): RecorderProgram {
  const base = path.split(/[\\/]/).pop()!.toLowerCase().replace(/\.exe$/, '');
  return base === 'arecord' || base === 'rec' ? base : 'sox';
}

/**
 * Finds the recorder to run: an explicit absolute path wins (its file name tells which program it is, unless the
 * choice names one), else the chosen program on PATH, else (auto) the first of sox, rec, arecord.
 */
export function resolveRecorder(choice: RecorderChoice, explicitPath: string | undefined, device: string | undefined, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): RecorderCommand {
  if (explicitPath) {
    if (!isAbsolute(explicitPath) || !isExecutable(explicitPath)) {
      throw new RecorderError('RECORDER_NOT_FOUND', `The recorder set in "offlineDictation.recorder.path" is not an executable file: ${explicitPath}. ${installHint(platform)}`);
    }
    const program = choice === 'auto' ? programFromPath(explicitPath) : choice;
    refuseUnsupported(program, platform);
    return withUnbufferedOutput({ program, executable: explicitPath, ...recorderArgs(program, device, platform) }, env, platform);
  }
  if (choice !== 'auto') refuseUnsupported(choice, platform);
  const candidates: RecorderProgram[] = choice === 'auto' ? autoRecorderPrograms(platform) : [choice];
  for (const program of candidates) {
    const executable = findOnPath(program, env, platform);
    if (executable) return withUnbufferedOutput({ program, executable, ...recorderArgs(program, device, platform) }, env, platform);
  }
  const wanted = choice === 'auto' ? candidates.join(', ') : choice;
  throw new RecorderError('RECORDER_NOT_FOUND', `No audio recorder found (looked for ${wanted} on the PATH). ${installHint(platform)}`);
}

/**
 * Programs that cannot record on this OS, refused with advice instead of a cryptic exit: on Windows `rec` asks SoX
 * 14.4.2 for a default device, which it has none of there (waveaudio must be named: sox -t waveaudio); arecord is ALSA's.
 */
function refuseUnsupported(program: RecorderProgram, platform: NodeJS.Platform): void {
  if (platform === 'win32' && program === 'rec') {
    throw new RecorderError('RECORDER_FAILED', 'rec cannot record on Windows (SoX has no default device there). Set "offlineDictation.recorder.program" to "sox" (or "auto") and "offlineDictation.recorder.path" to sox.exe.');
  }
  if (platform !== 'linux' && program === 'arecord') {
    throw new RecorderError('RECORDER_FAILED', `arecord is part of ALSA, which only Linux has. Set "offlineDictation.recorder.program" to "sox" (or "auto"). ${installHint(platform)}`);
  }
}

export interface RecorderEvents {
  onData(chunk: Buffer): void;
  /** The recorder failed or died while we were not stopping it. */
  onError(error: RecorderError): void;
}

/** A running recorder process. */
export class Recorder {
  private readonly child: ChildProcessByStdio<null, Readable, Readable>;
  private stopping = false;
  private exited = false;
  /** An unexpected end is reported once (a failed spawn emits 'error' and then 'close'). */
  private reported = false;
  private stderrTail = '';
  private delivered = 0;
  private readonly exitPromise: Promise<void>;
  private events: RecorderEvents;

  private constructor(readonly command: RecorderCommand, events: RecorderEvents) {
    trackLeak('recorder', this);
    this.events = events;
    this.child = spawn(command.executable, command.args, {
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...command.env },
      windowsHide: true,
    });
    this.exitPromise = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        this.exited = true;
        resolve();
        if (!this.stopping) this.fail(this.describeUnexpectedExit(code, signal));
        this.release();
      });
      this.child.once('error', (error: NodeJS.ErrnoException) => {
        this.exited = true;
        resolve();
        if (error.code === 'ENOENT' || error.code === 'EACCES') {
          this.fail(new RecorderError('RECORDER_NOT_FOUND', `The recorder ${command.executable} could not be started (${error.code}). ${installHint()}`));
        } else {
          this.fail(new RecorderError('RECORDER_FAILED', `The recorder could not be started: ${error.message}`));
        }
      });
    });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.delivered += chunk.length;
      this.events.onData(chunk);
    });
    this.child.stdout.on('error', () => undefined);
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-2000);
    });
  }

  private fail(error: RecorderError): void {
    if (this.reported) return;
    this.reported = true;
    this.events.onError(error);
  }

  /**
   * After 'close' (every byte of stdout has been delivered by then): the pipes are destroyed and the listeners go, and
   * the recorder lets go of the session's callbacks, so a dead recorder that something still holds (the process
   * registry until its exit is seen, a restart's log line) keeps nothing of the dictation alive.
   */
  private release(): void {
    this.child.stdout.removeAllListeners('data');
    this.child.stderr.removeAllListeners('data');
    this.child.stdout.destroy();
    this.child.stderr.destroy();
    this.events = NO_EVENTS;
  }

  /** Bytes of audio this recorder has delivered: a recorder that delivered none could not record at all. */
  get bytesDelivered(): number {
    return this.delivered;
  }

  static start(command: RecorderCommand, events: RecorderEvents): Recorder {
    return new Recorder(command, events);
  }

  get pid(): number | undefined {
    return this.exited ? undefined : this.child.pid;
  }

  get running(): boolean {
    return !this.exited;
  }

  /**
   * Stops recording without losing the end of the speech: waits `tailMs` so audio still in the device and pipe
   * buffers arrives, sends SIGTERM, drains stdout to its end, and kills with SIGKILL if it has not exited in time.
   * A normal stop is never reported as an error (arecord exits with 1 on SIGTERM).
   */
  async stop(tailMs = 300, killAfterMs = 2000): Promise<void> {
    if (this.exited) return;
    this.stopping = true;
    if (tailMs > 0) await new Promise((r) => setTimeout(r, tailMs));
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.kill(), killAfterMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  /** Synchronous, for deactivation and emergencies: the process is gone when this returns (signal sent). */
  kill(): void {
    this.stopping = true;
    if (!this.exited) this.child.kill('SIGKILL');
  }

  whenExited(): Promise<void> {
    return this.exitPromise;
  }

  private describeUnexpectedExit(code: number | null, signal: NodeJS.Signals | null): RecorderError {
    const stderr = this.stderrTail.trim();
    if (/busy|in use|resource temporarily unavailable/i.test(stderr)) {
      return new RecorderError('DEVICE_BUSY', 'The microphone is busy (another program is using it). Close it and try again.', stderr);
    }
    if (/can't open|cannot open|no such|not found|no default audio device|audio open error/i.test(stderr)) {
      return new RecorderError('RECORDER_FAILED', `The recorder could not open the microphone${stderr ? `: ${lastLine(stderr)}` : ''}. Check "offlineDictation.recorder.device" and your system's sound settings.`, stderr);
    }
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    return new RecorderError('RECORDER_DIED', `The recorder ${how}${stderr ? `: ${lastLine(stderr)}` : ''}.`, stderr);
  }
}

const NO_EVENTS: RecorderEvents = { onData: () => undefined, onError: () => undefined };

function lastLine(text: string): string {
  return text.split(/\r?\n/).filter(Boolean).pop() ?? text;
}
