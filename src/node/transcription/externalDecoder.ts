// Compressed audio (mp3, m4a, ogg, flac, webm, mp4…) is decoded by ffmpeg, or by sox when ffmpeg is missing: a
// child process started without a shell that writes 16 kHz mono float samples to a pipe, read as they come (the
// pipe's back-pressure keeps the decoder from running ahead), and killed as soon as we stop reading for any reason.
import { spawn, execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { WHISPER_SAMPLE_RATE } from '../../core/audio/convert';
import { TranscriptionError } from '../../core/transcription/transcriptionError';
import type { TimeRange } from '../../core/transcription/timeRange';
import { findOnPath, isExecutable } from '../files/executables';

export type DecoderProgram = 'ffmpeg' | 'sox';

export interface DecoderOptions {
  /** Which decoder to use; 'auto' (default) prefers ffmpeg. */
  readonly program?: DecoderProgram | 'auto';
  /** Absolute path of the decoder executable, instead of searching the PATH. */
  readonly executable?: string;
  /** Environment whose PATH is searched (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
}

export interface Decoder {
  readonly program: DecoderProgram;
  readonly executable: string;
}

/** How to install a decoder on this OS, for the message shown when none is found. */
export function decoderInstallHint(platform: NodeJS.Platform = process.platform): string {
  switch (platform) {
    case 'darwin':
      return 'Install ffmpeg with Homebrew: `brew install ffmpeg`.';
    case 'win32':
      return 'Install ffmpeg: `winget install ffmpeg` (then open a new terminal so it is on the PATH).';
    default:
      return 'Install ffmpeg: `sudo apt install ffmpeg` (Debian/Ubuntu) or `sudo dnf install ffmpeg` (Fedora); sox also works for ogg and flac.';
  }
}

function programOf(executable: string): DecoderProgram {
  return /sox(\.exe)?$/i.test(executable.split(/[\\/]/).pop() ?? '') ? 'sox' : 'ffmpeg';
}

/** The decoder to run, or undefined when none is installed. */
export function findDecoder(options: DecoderOptions = {}): Decoder | undefined {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const choice = options.program ?? 'auto';
  if (options.executable) {
    if (!isExecutable(options.executable, platform)) return undefined;
    return { program: choice === 'auto' ? programOf(options.executable) : choice, executable: options.executable };
  }
  for (const program of choice === 'auto' ? (['ffmpeg', 'sox'] as const) : [choice]) {
    const executable = findOnPath(program, env, platform);
    if (executable) return { program, executable };
  }
  return undefined;
}

/** The decoder's command line: `-ss` before `-i` so ffmpeg seeks in the container instead of decoding up to it. */
export function decoderArgs(program: DecoderProgram, path: string, range: TimeRange): string[] {
  const absolute = resolve(path);
  const length = range.toSeconds === undefined ? undefined : range.toSeconds - range.fromSeconds;
  if (program === 'ffmpeg') {
    return [
      '-nostdin', '-hide_banner', '-loglevel', 'error',
      ...(range.fromSeconds > 0 ? ['-ss', String(range.fromSeconds)] : []),
      // file: keeps a name like "concat:x" or "-x" from being read as a protocol or an option.
      '-i', `file:${absolute}`,
      ...(length !== undefined ? ['-t', String(length)] : []),
      '-vn', '-sn', '-dn', '-ac', '1', '-ar', String(WHISPER_SAMPLE_RATE), '-f', 'f32le', '-acodec', 'pcm_f32le', 'pipe:1',
    ];
  }
  const trim = range.fromSeconds > 0 || length !== undefined ? ['trim', String(range.fromSeconds), ...(length !== undefined ? [String(length)] : [])] : [];
  return ['-q', '-V1', absolute, '-t', 'raw', '-e', 'floating-point', '-b', '32', '-L', '-c', '1', '-r', String(WHISPER_SAMPLE_RATE), '-', ...trim];
}

/** What a decoder's error output means, as a TranscriptionError. */
export function decoderFailure(decoder: Decoder, path: string, stderr: string, exit: string): TranscriptionError {
  const detail = stderr.trim().split(/\r?\n/).filter(Boolean).slice(-2).join(' ').slice(0, 400);
  if (/invalid data found|could not find codec parameters|does not contain any stream|no such file|not an? .*file|can't open input file|header|moov atom not found|end of file|format not recognized/i.test(stderr)) {
    return new TranscriptionError('NOT_AUDIO', `${path} could not be read as audio (${decoder.program}: ${detail || exit}).`);
  }
  if (/no handler for file extension|unknown format|not supported|unsupported/i.test(stderr)) {
    const hint = decoder.program === 'sox' ? ` ${decoderInstallHint()}` : '';
    return new TranscriptionError('UNSUPPORTED_FORMAT', `${decoder.program} cannot decode ${path} (${detail || exit}).${hint}`);
  }
  return new TranscriptionError('DECODER_FAILED', `${decoder.program} failed on ${path} (${exit}${detail ? `: ${detail}` : ''}).`);
}

/** The duration in seconds from ffprobe (beside ffmpeg) or `sox --i -D`; undefined when it cannot be told. */
export async function probeDuration(decoder: Decoder, path: string, env: NodeJS.ProcessEnv = process.env): Promise<{ seconds?: number; error?: TranscriptionError }> {
  const absolute = resolve(path);
  const probe =
    decoder.program === 'ffmpeg'
      ? { executable: siblingProbe(decoder.executable, env), args: ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=noprint_wrappers=1:nokey=1', `file:${absolute}`] }
      : { executable: decoder.executable, args: ['--i', '-D', absolute] };
  if (!probe.executable) return {};
  return new Promise((resolvePromise) => {
    execFile(probe.executable!, probe.args, { timeout: 15_000, windowsHide: true, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      const seconds = Number.parseFloat(String(stdout).trim());
      if (!error && Number.isFinite(seconds) && seconds >= 0) return resolvePromise({ seconds });
      // The prober rejected the file itself: that is the answer for the decoder too.
      if (error && typeof (error as { code?: unknown }).code === 'number') return resolvePromise({ error: decoderFailure(decoder, path, String(stderr), `exit code ${(error as { code: number }).code}`) });
      resolvePromise({});
    });
  });
}

function siblingProbe(ffmpeg: string, env: NodeJS.ProcessEnv): string | undefined {
  const name = process.platform === 'win32' ? 'ffprobe.exe' : 'ffprobe';
  const beside = join(dirname(ffmpeg), name);
  return isExecutable(beside, process.platform) ? beside : findOnPath('ffprobe', env);
}

/** A running decoder whose output is read block by block. */
export class DecoderProcess {
  private readonly child;
  private stderrTail = '';
  private exitInfo?: { code: number | null; signal: NodeJS.Signals | null };
  private spawnError?: NodeJS.ErrnoException;
  /** The process has ended ('exit'); `drained` also has all its output read ('close'). */
  private readonly exited: Promise<void>;
  private readonly drained: Promise<void>;
  private stopped = false;

  constructor(
    private readonly decoder: Decoder,
    private readonly path: string,
    range: TimeRange,
  ) {
    this.child = spawn(decoder.executable, decoderArgs(decoder.program, path, range), { shell: false, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let markExited!: () => void;
    let markDrained!: () => void;
    this.exited = new Promise((resolvePromise) => (markExited = resolvePromise));
    this.drained = new Promise((resolvePromise) => (markDrained = resolvePromise));
    this.child.once('exit', (code, signal) => {
      this.exitInfo = { code, signal };
      markExited();
    });
    this.child.once('close', (code, signal) => {
      this.exitInfo ??= { code, signal };
      markExited();
      markDrained();
    });
    this.child.once('error', (error: NodeJS.ErrnoException) => {
      this.spawnError = error;
      this.exitInfo ??= { code: null, signal: null };
      markExited();
      markDrained();
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4000);
    });
    this.child.stdout.on('error', () => undefined);
  }

  get pid(): number | undefined {
    return this.exitInfo ? undefined : this.child.pid;
  }

  /** 16 kHz mono blocks as the decoder writes them; throws a TranscriptionError if it fails. */
  async *blocks(): AsyncGenerator<Float32Array> {
    let carry = Buffer.alloc(0);
    try {
      for await (const chunk of this.child.stdout as AsyncIterable<Buffer>) {
        const bytes = carry.length ? Buffer.concat([carry, chunk]) : chunk;
        const usable = bytes.length - (bytes.length % 4);
        carry = Buffer.from(bytes.subarray(usable));
        if (usable === 0) continue;
        const samples = new Float32Array(usable / 4);
        const view = new DataView(bytes.buffer, bytes.byteOffset, usable);
        for (let i = 0; i < samples.length; i++) samples[i] = view.getFloat32(i * 4, true);
        yield samples;
      }
      await this.drained;
      this.throwIfFailed();
    } finally {
      await this.close();
    }
  }

  /** Kills the decoder unless it has already ended; resolves once it is gone. */
  async close(): Promise<void> {
    this.stopped = true;
    if (!this.exitInfo) this.child.kill('SIGKILL');
    // Output nobody will read would keep the pipe (and the 'close' event) open.
    this.child.stdout.destroy();
    this.child.stderr.destroy();
    await this.exited;
  }

  private throwIfFailed(): void {
    if (this.spawnError) {
      const code = this.spawnError.code;
      if (code === 'ENOENT' || code === 'EACCES') throw new TranscriptionError('NO_DECODER', `${this.decoder.executable} could not be started (${code}). ${decoderInstallHint()}`);
      throw new TranscriptionError('DECODER_FAILED', `${this.decoder.program} could not be started: ${this.spawnError.message}`);
    }
    const exit = this.exitInfo!;
    if (this.stopped && exit.signal) return;
    if (exit.code !== 0) throw decoderFailure(this.decoder, this.path, this.stderrTail, exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`);
  }
}
