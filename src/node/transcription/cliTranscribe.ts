// The `transcribe` and `transcript-cache` CLI commands: a long audio file to text, subtitles or JSON through the
// same Whisper worker as the extension, resumable through the transcript cache. Progress goes to stderr, the
// transcript to stdout or --out. Ctrl+C stops at once with what is done (a second Ctrl+C also ends the workers).
import { existsSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { DEFAULT_MODEL, findModel } from '../../core/model/catalog';
import { sameModelWorkersBudgetMB } from '../../core/model/modelMemory';
import { readModelRamMB } from '../model/modelShape';
import { TranscriptionError } from '../../core/transcription/transcriptionError';
import { formatClock, parseTimestamp } from '../../core/transcription/timeRange';
import { formatTranscript, isTranscriptFormat, TRANSCRIPT_FORMATS, type TranscriptFormat } from '../../core/transcription/transcriptFormats';
import { writeFileAtomically } from '../files/atomicFile';
import { LocalTranscriber } from '../whisper/localTranscriber';
import { UsageError } from '../model/cliCommands';
import { cacheDirectory, findRepoRoot } from '../model/fixtureModel';
import { addonCandidates } from '../whisper/addonVariant';
import { WhisperClient } from '../whisper/client';
import { WhisperWorkerError } from '../whisper/protocol';
import { ChunkLengthGovernor } from './chunkLengthGovernor';
import type { DecoderProgram } from './externalDecoder';
import { JobCache } from './jobCache';
import { transcribeLongFile, type TranscriptionProgress } from './longFileTranscriber';
import { modelIdentity } from './modelIdentity';
import { decodingId, fileTranscribeOptions, WhisperChunkTranscriber } from './whisperChunkTranscriber';
import { LanguageKeeper } from './languageKeeper';
import { isEnglishOnlyModel, languageLabel } from '../../core/model/languages';

interface CommandIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
/** What a shell reports for a command ended by Ctrl+C. */
const EXIT_CANCELLED = 130;

export interface TranscribeArguments {
  readonly file: string;
  readonly fromSeconds?: number;
  readonly toSeconds?: number;
  readonly format: TranscriptFormat;
  readonly model: string;
  readonly language?: string;
  /** Whisper's translate task: English text whatever the spoken language (multilingual models). */
  readonly translate: boolean;
  readonly chunkSeconds: number;
  readonly workers: number;
  readonly threads?: number;
  readonly out?: string;
  readonly cacheDir?: string;
  readonly noCache: boolean;
  readonly decoder?: DecoderProgram;
  readonly quiet: boolean;
}

function cores(): number {
  return Math.max(1, availableParallelism?.() ?? cpus().length);
}

function timeValue(option: string, text: string): number {
  // A negative number is a time too (rejected later as a bad range, with a clear message).
  const seconds = /^-\d+(\.\d+)?$/.test(text) ? Number(text) : parseTimestamp(text);
  if (seconds === undefined) throw new UsageError(`${option} needs a time in seconds or [h:]mm:ss (got ${text})`);
  return seconds;
}

function positiveNumber(option: string, text: string, integer: boolean): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) throw new UsageError(`${option} needs a positive ${integer ? 'whole ' : ''}number (got ${text})`);
  return value;
}

export function parseTranscribeArguments(args: readonly string[]): TranscribeArguments {
  const positional: string[] = [];
  const parsed: { -readonly [K in keyof TranscribeArguments]?: TranscribeArguments[K] } = { format: 'txt', model: DEFAULT_MODEL, chunkSeconds: 30, workers: 1, noCache: false, quiet: false, translate: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--no-cache') parsed.noCache = true;
    else if (arg === '--translate') parsed.translate = true;
    else if (arg === '--quiet') parsed.quiet = true;
    else if (arg.startsWith('--')) {
      const value = args[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      switch (arg) {
        case '--from':
          parsed.fromSeconds = timeValue(arg, value);
          break;
        case '--to':
          parsed.toSeconds = timeValue(arg, value);
          break;
        case '--format':
          if (!isTranscriptFormat(value)) throw new UsageError(`--format must be one of ${TRANSCRIPT_FORMATS.join(', ')}`);
          parsed.format = value;
          break;
        case '--model':
          parsed.model = value;
          break;
        case '--language':
          parsed.language = value;
          break;
        case '--chunk-seconds':
          parsed.chunkSeconds = positiveNumber(arg, value, false);
          if (parsed.chunkSeconds < 5 || parsed.chunkSeconds > 600) throw new UsageError('--chunk-seconds must be between 5 and 600');
          break;
        case '--workers':
          parsed.workers = positiveNumber(arg, value, true);
          break;
        case '--threads':
          parsed.threads = positiveNumber(arg, value, true);
          break;
        case '--out':
          parsed.out = value;
          break;
        case '--cache':
          parsed.cacheDir = value;
          break;
        case '--decoder':
          if (value !== 'ffmpeg' && value !== 'sox') throw new UsageError('--decoder must be ffmpeg or sox');
          parsed.decoder = value;
          break;
        default:
          throw new UsageError(`unknown option ${arg}`);
      }
    } else positional.push(arg);
  }
  if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'expected the audio file to transcribe' : `expected one audio file (got ${positional.join(' ')})`);
  if (parsed.noCache && parsed.cacheDir) throw new UsageError('--cache and --no-cache exclude each other');
  return { ...parsed, file: positional[0] } as TranscribeArguments;
}

/** `$OFFLINE_DICTATION_MODELS/ggml-NAME.bin`, else the cache's models folder; a path (with a slash or .bin) as is. */
export function resolveModelPath(model: string, env: NodeJS.ProcessEnv): string {
  if (/[\\/]/.test(model) || model.endsWith('.bin')) {
    const path = resolve(model);
    if (!existsSync(path)) throw new TranscriptionError('MODEL_NOT_FOUND', `The model file ${path} does not exist.`);
    return path;
  }
  const fileName = `ggml-${model}.bin`;
  const folders = [env.OFFLINE_DICTATION_MODELS, join(cacheDirectory(env), 'models')].filter((d): d is string => !!d);
  for (const folder of folders) if (existsSync(join(folder, fileName))) return resolve(folder, fileName);
  const known = findModel(model) ? '' : ' (not a whisper.cpp model name, e.g. tiny.en, base.en, small)';
  throw new TranscriptionError('MODEL_NOT_FOUND', `No model "${model}"${known}: looked for ${folders.map((f) => join(f, fileName)).join(' and ')}. Download it (in VS Code: "Dictation: Download Model") or pass --model /path/to/ggml-model.bin.`);
}

/** The transcript cache folder: --cache, else `<cache>/offline-dictation/transcripts`. */
export function transcriptCacheDirectory(env: NodeJS.ProcessEnv, override?: string): string {
  return override ? resolve(override) : join(cacheDirectory(env), 'transcripts');
}

function workerScriptPath(): string {
  const beside = join(__dirname, 'whisperWorker.js');
  return existsSync(beside) ? beside : join(findRepoRoot(__dirname) ?? process.cwd(), 'dist', 'whisperWorker.js');
}

function progressLine(p: TranscriptionProgress): string {
  const share = p.fraction === undefined ? '' : `${Math.round(p.fraction * 100)}% · `;
  const position = `${formatClock(p.processedSeconds)}${p.totalSeconds === undefined ? '' : ` of ${formatClock(p.totalSeconds)}`}`;
  const chunks = `${p.chunksDone} chunk${p.chunksDone === 1 ? '' : 's'}${p.chunksFromCache ? ` (${p.chunksFromCache} from cache)` : ''}`;
  const left = p.remainingMs === undefined ? '' : ` · about ${formatClock(Math.round(p.remainingMs / 1000))} left`;
  return `transcribe: ${share}${position} · ${chunks}${left}`;
}

function isExpectedError(error: unknown): error is TranscriptionError | WhisperWorkerError {
  return error instanceof TranscriptionError || error instanceof WhisperWorkerError;
}

/** Waits for `promise`, at most `ms`. */
function within(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolvePromise) => {
    const timer = setTimeout(resolvePromise, ms);
    void promise.finally(() => {
      clearTimeout(timer);
      resolvePromise();
    });
  });
}

/** Runs the command; errors a user can act on become one line with their code (exit 1). */
export async function runTranscribe(args: TranscribeArguments, io: CommandIo): Promise<number> {
  try {
    return await transcribeWithWorkers(args, io);
  } catch (error) {
    if (!isExpectedError(error)) throw error;
    io.stderr(`transcribe failed [${error.code}]: ${error.message}`);
    return EXIT_FAILURE;
  }
}

/** RAM the model file needs, from its own header; a file whose header cannot be read falls back to the catalog. */
export async function cliModelRamMB(modelPath: string, model: string): Promise<number> {
  return readModelRamMB(modelPath, () => findModel(model)?.ramMB ?? findModel(DEFAULT_MODEL)!.ramMB);
}

async function transcribeWithWorkers(args: TranscribeArguments, io: CommandIo): Promise<number> {
  const modelPath = resolveModelPath(args.model, io.env);
  const root = findRepoRoot(__dirname) ?? dirname(__dirname);
  const workers = Math.min(args.workers, cores());
  const threads = args.threads ?? Math.max(1, Math.floor(Math.min(8, cores()) / workers));
  const englishOnly = isEnglishOnlyModel(basename(modelPath));
  if (englishOnly && args.language && args.language !== 'en' && args.language !== 'auto') {
    throw new TranscriptionError('MODEL_LANGUAGE', `${basename(modelPath)} understands English only; for --language ${args.language} use a multilingual model (--model base).`);
  }
  if (englishOnly && args.translate) throw new TranscriptionError('MODEL_LANGUAGE', `${basename(modelPath)} understands English only and cannot translate; use a multilingual model (--model base).`);
  const language = englishOnly ? 'en' : args.language ?? 'auto';
  // Per file: with 'auto' the first chunk transcribed decides, and every worker follows it.
  const keeper = new LanguageKeeper(language, (detected) => { if (!args.quiet) io.stderr(`transcribe: language detected: ${languageLabel(detected)}`); });
  const clients = Array.from({ length: workers }, () => new WhisperClient({ workerScript: workerScriptPath(), host: 'process', addonCandidates: addonCandidates(root), idleUnloadMs: 0 }));
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) {
      for (const client of clients) client.dispose();
      return;
    }
    io.stderr('transcribe: cancelling; the chunk being transcribed is finished and kept for the next run (Ctrl+C again to stop at once)');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const governor = new ChunkLengthGovernor({
    maxSeconds: args.chunkSeconds,
    minSeconds: 5,
    // The model actually loaded (an imported one or a path alike), each worker with its own copy of it.
    limitMB: sameModelWorkersBudgetMB(await cliModelRamMB(modelPath, args.model), workers),
    workerPids: () => clients.map((c) => c.pid),
  });
  const started = Date.now();
  try {
    const cache = args.noCache ? undefined : new JobCache(transcriptCacheDirectory(io.env, args.cacheDir));
    const result = await transcribeLongFile({
      path: args.file,
      range: { fromSeconds: args.fromSeconds, toSeconds: args.toSeconds },
      transcribers: clients.map((client) => new WhisperChunkTranscriber(keeper.wrap(new LocalTranscriber(client, modelPath)), fileTranscribeOptions(language, threads, args.translate))),
      modelId: `${await modelIdentity(modelPath)}:${decodingId(language, args.translate)}`,
      chunkSeconds: governor.seconds,
      nominalChunkSeconds: args.chunkSeconds,
      cache,
      signal: controller.signal,
      decoder: args.decoder ? { program: args.decoder, env: io.env } : { env: io.env },
      onProgress: args.quiet ? undefined : (p) => io.stderr(progressLine(p)),
      onWarning: (message) => io.stderr(`transcribe: ${message}`),
    });
    const output = formatTranscript(args.format, result.segments, {
      source: basename(args.file),
      model: basename(modelPath),
      fromMs: args.fromSeconds !== undefined || args.toSeconds !== undefined ? result.range.fromSeconds * 1000 : undefined,
      toMs: result.range.toSeconds === undefined ? undefined : result.range.toSeconds * 1000,
      complete: !result.cancelled,
    });
    if (args.out) await writeFileAtomically(resolve(args.out), output);
    else if (output) io.stdout(output.replace(/\n$/, ''));
    const summary = `${result.chunks} chunks, ${result.chunksFromCache} from cache, ${result.chunksTranscribed} transcribed`;
    if (result.cancelled) {
      // The chunk inside whisper.cpp finishes in a moment: store it, so the next run does not redo it. (A second
      // Ctrl+C ends the workers, which settles this at once.)
      await within(result.settled, 120_000);
      io.stderr(`transcribe: cancelled after ${((Date.now() - started) / 1000).toFixed(1)} s (${summary}); run the same command again to continue`);
      return EXIT_CANCELLED;
    }
    io.stderr(`transcribe: done in ${((Date.now() - started) / 1000).toFixed(1)} s (${summary})`);
    return EXIT_OK;
  } finally {
    governor.dispose();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await Promise.all(clients.map((client) => client.shutdown()));
    for (const client of clients) client.dispose();
  }
}

export const transcribeCommand = {
  name: 'transcribe',
  summary: 'transcribe an audio file of any length (WAV natively; mp3, m4a, ogg… with ffmpeg or sox), resumable',
  usage: `transcribe FILE [--from S] [--to S] [--format ${TRANSCRIPT_FORMATS.join('|')}] [--model NAME|PATH] [--language CODE|auto] [--translate] [--chunk-seconds N] [--workers N] [--threads N] [--decoder ffmpeg|sox] [--out FILE] [--cache DIR] [--no-cache] [--quiet]`,
  run(args: readonly string[], io: CommandIo): Promise<number> {
    return runTranscribe(parseTranscribeArguments(args), io);
  },
};

export const transcriptCacheCommand = {
  name: 'transcript-cache',
  summary: 'list or clear the cache of transcribed chunks that lets `transcribe` resume',
  usage: 'transcript-cache list|clear [--cache DIR]',
  async run(args: readonly string[], io: CommandIo): Promise<number> {
    const [action, ...rest] = args;
    let override: string | undefined;
    if (rest.length === 2 && rest[0] === '--cache') override = rest[1];
    else if (rest.length > 0) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
    const cache = new JobCache(transcriptCacheDirectory(io.env, override));
    if (action === 'clear') {
      await cache.clear();
      io.stderr(`transcript-cache: cleared ${cache.root}`);
      return EXIT_OK;
    }
    if (action !== 'list') throw new UsageError('expected list or clear');
    for (const job of await cache.list()) {
      io.stdout(`${job.id}  ${new Date(job.usedAt).toISOString()}  ${(job.bytes / 1024).toFixed(1).padStart(8)} KiB  ${String(job.chunks).padStart(4)} chunks  ${job.complete ? 'complete' : 'partial '}  ${job.source ?? ''}`);
    }
    return EXIT_OK;
  },
};
