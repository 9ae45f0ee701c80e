// "Dictation: Transcribe Audio File…" and "Dictation: Clear Transcription Cache": recordings of any length become
// text through the same worker and model as dictation, in chunks (memory stays flat), resumable through a job cache
// in the extension's global storage. This file is only the VS Code side: asking for the file, the format and the
// range, the cancellable progress notification, the result editor; the work is src/node/transcription.
import { basename } from 'node:path';
import { availableParallelism, freemem } from 'node:os';
import * as vscode from 'vscode';
import { ChunkLengthController, type PolicyDecision } from '../core/memory/memoryPolicy';
import { findModel } from '../core/model/catalog';
import { readModelRamMB } from '../node/model/modelShape';
import { formatClock, parseTimestamp } from '../core/transcription/timeRange';
import { TRANSCRIPT_FORMATS, formatTranscript, type TranscriptFormat } from '../core/transcription/transcriptFormats';
import { TranscriptionError } from '../core/transcription/transcriptionError';
import { JobCache } from '../node/transcription/jobCache';
import { transcribeLongFile, type LongFileResult, type TranscriptionProgress } from '../node/transcription/longFileTranscriber';
import { modelIdentity } from '../node/transcription/modelIdentity';
import { WhisperChunkTranscriber, decodingId, fileTranscribeOptions } from '../node/transcription/whisperChunkTranscriber';
import { LanguageKeeper } from '../node/transcription/languageKeeper';
import { isEnglishOnlyModel, languageLabel } from '../core/model/languages';
import type { WhisperClient } from '../node/whisper/client';
import type { Config } from './config';
import type { Log } from './log';
import type { ModelLocator } from './modelLocator';
import { LocalTranscriber } from '../node/whisper/localTranscriber';
import type { EngineFactory } from './engineFactory';
import type { RemoteTranscriber } from '../node/remote/remoteTranscriber';

export interface FileTranscriptionRequest {
  readonly path: string;
  readonly fromSeconds?: number;
  readonly toSeconds?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: TranscriptionProgress) => void;
  /** Translate into English (default: the translate setting; multilingual models only). */
  readonly translate?: boolean;
}

export interface FileCommandOptions {
  readonly format?: TranscriptFormat;
  readonly fromSeconds?: number;
  readonly toSeconds?: number;
  /** Translate into English instead of the translate setting. */
  readonly translate?: boolean;
  /** Lets a caller (a test) cancel as a person would with the notification's Cancel button. */
  readonly signal?: AbortSignal;
}

export interface FileCommandResult {
  readonly result: LongFileResult;
  readonly document: vscode.TextDocument;
}

/** Shorter chunks than this cost more in Whisper's fixed 30-s window than they save in memory. */
const MIN_CHUNK_SECONDS = 5;
const AUDIO_EXTENSIONS = ['wav', 'mp3', 'm4a', 'ogg', 'oga', 'opus', 'flac', 'webm', 'mp4', 'aac', 'wma'];
const EDITOR_LANGUAGES: Record<TranscriptFormat, string> = { txt: 'plaintext', md: 'markdown', srt: 'plaintext', vtt: 'plaintext', json: 'json' };
/** Built when asked, not at load: l10n.t translates with the display language of the window. */
const formatLabels = (): Record<TranscriptFormat, { label: string; detail: string }> => ({
  txt: { label: vscode.l10n.t('Plain text'), detail: vscode.l10n.t('paragraphs at long pauses') },
  md: { label: vscode.l10n.t('Markdown with timestamps'), detail: vscode.l10n.t('a [hh:mm:ss] stamp per paragraph') },
  srt: { label: vscode.l10n.t('SRT subtitles'), detail: vscode.l10n.t('numbered cues with start and end times') },
  vtt: { label: vscode.l10n.t('WebVTT subtitles'), detail: vscode.l10n.t('for HTML video players') },
  json: { label: vscode.l10n.t('JSON'), detail: vscode.l10n.t('segments with start/end milliseconds') },
});

export class FileTranscriber implements vscode.Disposable {
  /** Long-file jobs in progress: the memory policy's decisions shorten or lengthen their chunks. */
  private readonly chunkControllers = new Set<ChunkLengthController>();

  constructor(
    private readonly client: WhisperClient,
    /** Extra Whisper workers for parallel chunks (offlineDictation.files.workers > 1), disposed after the job. */
    private readonly createClient: () => WhisperClient,
    private readonly models: ModelLocator,
    private readonly config: Config,
    private readonly log: Log,
    /** Where finished chunks are kept (in the extension's global storage). */
    readonly cacheRoot: string,
    private readonly engines: EngineFactory,
  ) {}

  /** The memory indicator forwards every tier change: chunks halve under pressure and grow back when it eases. */
  applyMemoryDecision(decision: PolicyDecision): void {
    for (const controller of this.chunkControllers) {
      const before = controller.seconds;
      if (controller.apply(decision.actions) !== before) this.log.info(`Long-file chunks: ${before} s → ${controller.seconds} s (memory ${decision.tier}).`);
    }
  }

  private cache(): JobCache {
    const { fileCacheJobs, fileCacheMaxMB } = this.config.settings;
    return new JobCache(this.cacheRoot, { maxJobs: fileCacheJobs, maxBytes: fileCacheMaxMB * 1024 * 1024 });
  }

  /** Transcribes a file (or a range of it) in chunks; used by the command and by tests. */
  async transcribeFile(request: FileTranscriptionRequest): Promise<LongFileResult> {
    const remote = this.engines.isRemote ? await this.engines.remote('files') : undefined;
    if (remote) return this.transcribeRemotely(request, remote);
    const modelPath = await this.models.resolveForUse();
    if (!modelPath) throw new TranscriptionError('MODEL_NOT_FOUND', vscode.l10n.t('No Whisper model is available.'));
    const { fileChunkSeconds } = this.config.settings;
    const language = this.models.languageFor(modelPath, this.config.settings.language);
    const translate = (request.translate ?? this.config.settings.translate) && !isEnglishOnlyModel(basename(modelPath));
    // Per file: with 'auto' the first chunk transcribed decides, and every worker follows it.
    const keeper = new LanguageKeeper(language, (detected) => this.log.info(`${request.path}: language detected ${languageLabel(detected)}.`));
    const extraClients = Array.from({ length: (await this.workerCount(modelPath)) - 1 }, () => this.createClient());
    const clients = [this.client, ...extraClients];
    const threads = Math.max(1, Math.floor(this.config.threads / clients.length));
    const chunkLength = new ChunkLengthController(fileChunkSeconds, Math.min(MIN_CHUNK_SECONDS, fileChunkSeconds));
    this.chunkControllers.add(chunkLength);
    const started = Date.now();
    try {
      const result = await transcribeLongFile({
        path: request.path,
        range: { fromSeconds: request.fromSeconds, toSeconds: request.toSeconds },
        transcribers: clients.map((client) => new WhisperChunkTranscriber(keeper.wrap(new LocalTranscriber(client, modelPath)), fileTranscribeOptions(language, threads, translate))),
        modelId: `${await modelIdentity(modelPath)}:${decodingId(language, translate)}`,
        chunkSeconds: () => chunkLength.seconds,
        nominalChunkSeconds: fileChunkSeconds,
        cache: this.cache(),
        signal: request.signal,
        onProgress: request.onProgress,
        onWarning: (message) => this.log.warn(message),
      });
      this.log.info(
        `Transcribed ${request.path} (${formatClock(result.range.fromSeconds)}–${result.range.toSeconds === undefined ? 'end' : formatClock(result.range.toSeconds)}): ` +
          `${result.chunks} chunks, ${result.chunksFromCache} from the cache, ${result.chunksTranscribed} transcribed, ${clients.length} worker(s), ` +
          `${((Date.now() - started) / 1000).toFixed(1)} s${result.cancelled ? ', cancelled' : ''}.`,
      );
      // Extra workers end once their chunks are stored (a cancelled job's last chunk finishes in the background).
      void result.settled.finally(() => extraClients.forEach((c) => void c.shutdown().finally(() => c.dispose())));
      return result;
    } catch (error) {
      for (const c of extraClients) c.dispose();
      throw error;
    } finally {
      this.chunkControllers.delete(chunkLength);
    }
  }

  /**
   * Through the team's server: `remote.parallelRequests` chunks at once. A chunk the server fails (after its retries)
   * stops the job with the server's error; the chunks done are in the cache under this server and model, so running
   * the command again continues there. No local fallback here: a job's chunks all come from one engine.
   */
  private async transcribeRemotely(request: FileTranscriptionRequest, remote: RemoteTranscriber): Promise<LongFileResult> {
    const { remoteChunkSeconds, remoteParallelRequests } = this.config.settings;
    const language = this.config.settings.remoteLanguage || this.config.settings.language;
    const started = Date.now();
    this.log.info(`Transcribing ${request.path} on ${remote.origin} (team engine), ${remoteParallelRequests} request(s) at a time.`);
    const result = await transcribeLongFile({
      path: request.path,
      range: { fromSeconds: request.fromSeconds, toSeconds: request.toSeconds },
      transcribers: Array.from({ length: remoteParallelRequests }, () => new WhisperChunkTranscriber(remote, fileTranscribeOptions(language, this.config.threads))),
      modelId: `${remote.identity}:${language}`,
      chunkSeconds: remoteChunkSeconds,
      cache: this.cache(),
      signal: request.signal,
      onProgress: request.onProgress,
      onWarning: (message) => this.log.warn(message),
    });
    this.log.info(
      `Transcribed ${request.path} on ${remote.origin}: ${result.chunks} chunks, ${result.chunksFromCache} from the cache, ${result.chunksTranscribed} transcribed, ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s${result.cancelled ? ', cancelled' : ''}.`,
    );
    return result;
  }

  /** Text only: the file's words (the integration tests of dictation's worker use it). */
  async transcribe(path: string): Promise<string> {
    return (await this.transcribeFile({ path })).text;
  }

  /**
   * Parallel workers: the setting, bounded by the cores (each needs at least one thread) and by the memory free
   * now (each loads its own copy of the model: the one in use, so an imported or `modelPath` model counts as itself).
   * The extra workers are counted in the memory budget and footprint while they run (MemoryIndicator.otherWorkers).
   */
  private async workerCount(modelPath: string): Promise<number> {
    const wanted = Math.max(1, this.config.settings.fileWorkers);
    if (wanted === 1) return 1;
    const ramMB = await readModelRamMB(modelPath, () => findModel(this.config.settings.model)?.ramMB ?? 500);
    const byMemory = Math.max(1, Math.floor(freemem() / 1048576 / 2 / ramMB));
    const count = Math.min(wanted, availableParallelism(), byMemory);
    if (count < wanted) this.log.info(`Transcribing ${basename(modelPath)} with ${count} worker(s), not ${wanted}: limited by cores and free memory.`);
    return count;
  }

  /** The command: asks for what it needs, shows progress, opens the transcript in a new editor. */
  async run(uri?: vscode.Uri, options: FileCommandOptions = {}): Promise<FileCommandResult | undefined> {
    const target = uri ?? (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { [vscode.l10n.t('Audio files')]: AUDIO_EXTENSIONS }, openLabel: vscode.l10n.t('Transcribe') }))?.[0];
    if (!target) return undefined;
    const format = options.format ?? (await this.askFormat());
    if (!format) return undefined;
    // A caller that names the format (a test, another extension) has said all it wants: no range question then.
    const range = options.format ? { fromSeconds: options.fromSeconds, toSeconds: options.toSeconds } : await this.askRange();
    if (!range) return undefined;
    const name = basename(target.fsPath);
    let result: LongFileResult;
    try {
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: this.engines.isRemote ? vscode.l10n.t('Transcribing {0} (audio sent to the team engine)', name) : vscode.l10n.t('Transcribing {0}', name), cancellable: true },
        (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          options.signal?.addEventListener('abort', () => abort.abort(), { once: true });
          let reported = 0;
          return this.transcribeFile({
            path: target.fsPath,
            ...range,
            translate: options.translate,
            signal: abort.signal,
            onProgress: (p) => {
              const percent = p.fraction === undefined ? undefined : Math.round(p.fraction * 100);
              progress.report({ message: progressMessage(p), increment: percent === undefined ? undefined : percent - reported });
              if (percent !== undefined) reported = percent;
            },
          });
        },
      );
    } catch (error) {
      await this.reportFailure(name, error);
      return undefined;
    }
    const text = formatTranscript(format, result.segments, {
      source: name,
      model: this.models.displayName(),
      fromMs: range.fromSeconds !== undefined || range.toSeconds !== undefined ? result.range.fromSeconds * 1000 : undefined,
      toMs: result.range.toSeconds === undefined ? undefined : result.range.toSeconds * 1000,
      complete: !result.cancelled,
    });
    const document = await vscode.workspace.openTextDocument({ content: text, language: EDITOR_LANGUAGES[format] });
    await vscode.window.showTextDocument(document);
    if (result.cancelled) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('Transcription of {0} cancelled: the editor holds what was done ({1} chunk(s)). Run the command again on the same file to continue where it stopped.', name, result.chunks),
      );
    } else if (result.segments.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No speech was found in {0}.', name));
    }
    return { result, document };
  }

  /** "Dictation: Clear Transcription Cache": deletes every stored chunk; says how much was freed. */
  async clearCache(): Promise<{ jobs: number; bytes: number }> {
    const cache = this.cache();
    const jobs = await cache.list();
    const bytes = jobs.reduce((sum, job) => sum + job.bytes, 0);
    await cache.clear();
    this.log.info(`Cleared the transcription cache: ${jobs.length} job(s), ${bytes} bytes.`);
    void vscode.window.showInformationMessage(vscode.l10n.t('Dictation: cleared the transcription cache ({0} job(s), {1} MB).', jobs.length, (bytes / 1048576).toFixed(1)));
    return { jobs: jobs.length, bytes };
  }

  private async askFormat(): Promise<TranscriptFormat | undefined> {
    const labels = formatLabels();
    const items = TRANSCRIPT_FORMATS.map((format) => ({ format, label: labels[format].label, detail: labels[format].detail }));
    return (await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Transcribe Audio File: output'), placeHolder: vscode.l10n.t('How should the transcript be written?') }))?.format;
  }

  /** An optional range "from-to" (seconds or [h:]m:ss); empty for the whole file; undefined when dismissed. */
  private async askRange(): Promise<{ fromSeconds?: number; toSeconds?: number } | undefined> {
    const answer = await vscode.window.showInputBox({
      title: vscode.l10n.t('Transcribe Audio File: time range'),
      prompt: vscode.l10n.t('Part of the file to transcribe, e.g. "1:30-4:00", "90-" or "-10:00". Leave empty for the whole file.'),
      validateInput: (value) => (parseRange(value) ? undefined : vscode.l10n.t('Write a range as start-end, with times in seconds or [h:]m:ss.')),
    });
    return answer === undefined ? undefined : parseRange(answer);
  }

  private async reportFailure(name: string, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    this.log.error(`Transcribing ${name} failed: ${message}`);
    if (error instanceof TranscriptionError && error.code === 'MODEL_NOT_FOUND') return; // resolveForUse already said what to do
    // The error's message is an English detail from src/core or src/node (also in the log); the frame is localised.
    const showLogs = vscode.l10n.t('Show Logs');
    const choice = await vscode.window.showErrorMessage(vscode.l10n.t('Could not transcribe {0}: {1}', name, message), showLogs);
    if (choice === showLogs) this.log.show();
  }

  dispose(): void {
    this.chunkControllers.clear();
  }
}

/** "1:30-4:00" → { 90, 240 }; "" → {}; "90-" → { 90 }; undefined when it is not a range. */
export function parseRange(text: string): { fromSeconds?: number; toSeconds?: number } | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  const match = /^([^-]*)-([^-]*)$/.exec(trimmed);
  if (!match) return undefined;
  const [from, to] = [match[1].trim(), match[2].trim()];
  const fromSeconds = from === '' ? undefined : parseTimestamp(from);
  const toSeconds = to === '' ? undefined : parseTimestamp(to);
  if ((from !== '' && fromSeconds === undefined) || (to !== '' && toSeconds === undefined)) return undefined;
  if (fromSeconds !== undefined && toSeconds !== undefined && toSeconds <= fromSeconds) return undefined;
  return { fromSeconds, toSeconds };
}

function progressMessage(p: TranscriptionProgress): string {
  const share = p.fraction === undefined ? '' : `${Math.round(p.fraction * 100)} % · `;
  const position = p.totalSeconds === undefined ? formatClock(p.processedSeconds) : vscode.l10n.t('{0} of {1}', formatClock(p.processedSeconds), formatClock(p.totalSeconds));
  const elapsed = ` · ${vscode.l10n.t('{0} elapsed', formatClock(Math.round(p.elapsedMs / 1000)))}`;
  const left = p.remainingMs === undefined ? '' : vscode.l10n.t(', about {0} left', formatClock(Math.round(p.remainingMs / 1000)));
  const cached = p.chunksFromCache ? ` · ${vscode.l10n.t('{0} chunk(s) from an earlier run', p.chunksFromCache)}` : '';
  return `${share}${position}${elapsed}${left}${cached}`;
}
