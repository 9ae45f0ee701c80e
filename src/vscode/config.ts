// All settings in one place: typed accessors, and a change event that says which changes need the Whisper worker
// to restart (so the rest can apply live).
import * as os from 'node:os';
import * as vscode from 'vscode';
import { DEFAULT_MODEL } from '../core/model/catalog';
import type { RecorderChoice } from '../node/audio/recorder';
import type { CaptureMode } from '../node/dictation/dictationSession';
import type { WorkerHostKind } from '../node/whisper/transport';

const SECTION = 'offlineDictation';

export interface DictationSettings {
  model: string;
  customModelPath: string;
  /** "Improve Last Phrase": the bigger catalog model, and a machine-scoped file used instead of it when set. */
  improveModel: string;
  improveModelPath: string;
  language: string;
  /** Whisper's translate task: dictation and files come out in English. */
  translate: boolean;
  pauseMs: number;
  spokenCommands: boolean;
  /** The person's spoken punctuation and commands: phrase → symbol text, {command}, {case} or null (off). */
  spokenCommandWords: Record<string, unknown>;
  livePreview: 'auto' | 'on' | 'off';
  /** A second pass over a monologue cut at the phrase length limit, as one piece, once it ends: 'auto' with a local worker, or 'off'. */
  refine: 'auto' | 'off';
  /** Terms for Whisper's prompt (names and words it should spell as written). */
  vocabularyWords: string[];
  /** Also take the prompt's terms from the code: identifiers near the cursor, open editors' symbols, workspace names. */
  vocabularyFromCode: boolean;
  smartFormatting: boolean;
  historySize: number;
  recorderProgram: RecorderChoice;
  recorderPath: string;
  recorderDevice: string;
  threads: number;
  idleUnloadSeconds: number;
  workerHost: WorkerHostKind;
  memoryLimitMB: number;
  showMemoryIndicator: boolean;
  /** Seconds between memory samples while dictating (5× that while only the model is loaded). */
  memorySampleIntervalSeconds: number;
  captureMode: CaptureMode;
  maxBufferedSeconds: number;
  modelMirrorUrl: string;
  /** Long-file transcription: seconds of audio per Whisper call, parallel workers, and the job cache's limits. */
  fileChunkSeconds: number;
  fileWorkers: number;
  fileCacheJobs: number;
  fileCacheMaxMB: number;
  /** Where speech becomes text: this machine, or the team's Whisper server (after consent). */
  engine: EngineKind;
  remoteUrl: string;
  remoteModel: string;
  /** Empty: the dictation language. */
  remoteLanguage: string;
  remoteTimeoutSeconds: number;
  remoteParallelRequests: number;
  /** File transcription through the server: seconds of audio per request. */
  remoteChunkSeconds: number;
}

export type EngineKind = 'local' | 'remote';

/** Settings whose change only takes effect in a new worker. */
const RESTART_KEYS = ['worker.host'];

export interface ConfigChange {
  affected(key: keyof typeof KEYS): boolean;
  needsWorkerRestart: boolean;
}

const KEYS = {
  model: 'model',
  customModelPath: 'modelPath',
  improveModel: 'improveModel',
  improveModelPath: 'improveModelPath',
  language: 'language',
  translate: 'translate',
  pauseMs: 'pauseMs',
  spokenCommands: 'spokenCommands',
  spokenCommandWords: 'spokenCommandWords',
  livePreview: 'livePreview',
  refine: 'refine',
  vocabularyWords: 'vocabulary.words',
  vocabularyFromCode: 'vocabulary.fromCode',
  smartFormatting: 'insertion.smartFormatting',
  historySize: 'historySize',
  recorderProgram: 'recorder.program',
  recorderPath: 'recorder.path',
  recorderDevice: 'recorder.device',
  threads: 'threads',
  idleUnloadSeconds: 'idleUnloadSeconds',
  workerHost: 'worker.host',
  memoryLimitMB: 'memoryLimitMB',
  showMemoryIndicator: 'showMemoryIndicator',
  memorySampleIntervalSeconds: 'memory.sampleIntervalSeconds',
  captureMode: 'capture.mode',
  maxBufferedSeconds: 'capture.maxBufferedSeconds',
  modelMirrorUrl: 'modelMirrorUrl',
  fileChunkSeconds: 'files.chunkSeconds',
  fileWorkers: 'files.workers',
  fileCacheJobs: 'files.cacheJobs',
  fileCacheMaxMB: 'files.cacheMaxMB',
  engine: 'engine',
  remoteUrl: 'remote.url',
  remoteModel: 'remote.model',
  remoteLanguage: 'remote.language',
  remoteTimeoutSeconds: 'remote.timeoutSeconds',
  remoteParallelRequests: 'remote.parallelRequests',
  remoteChunkSeconds: 'remote.chunkSeconds',
} as const;

export class Config implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ConfigChange>();
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SECTION)) return;
      this.emitter.fire({
        affected: (key) => event.affectsConfiguration(`${SECTION}.${KEYS[key]}`),
        needsWorkerRestart: RESTART_KEYS.some((key) => event.affectsConfiguration(`${SECTION}.${key}`)),
      });
    });
  }

  get settings(): DictationSettings {
    const c = vscode.workspace.getConfiguration(SECTION);
    const get = <T>(key: keyof typeof KEYS, fallback: T): T => c.get<T>(KEYS[key], fallback);
    return {
      model: get('model', DEFAULT_MODEL),
      customModelPath: get('customModelPath', '').trim(),
      improveModel: get('improveModel', 'base').trim() || 'base',
      improveModelPath: get('improveModelPath', '').trim(),
      language: get('language', 'en').trim() || 'en',
      translate: get('translate', false),
      pauseMs: get('pauseMs', 700),
      spokenCommands: get('spokenCommands', true),
      spokenCommandWords: objectOr(get<unknown>('spokenCommandWords', {})),
      livePreview: get('livePreview', 'auto'),
      // On by default: it costs a phrase nothing (lowest priority, aborted by every final) and mends the words at
      // the cut of a long monologue (README "Refinement").
      refine: oneOf(get<string>('refine', 'auto'), ['auto', 'off'] as const, 'auto'),
      vocabularyWords: stringsOr(get<unknown>('vocabularyWords', [])),
      // Off by default: a long prompt costs every phrase time on a small machine (bench:dictation, README).
      vocabularyFromCode: get('vocabularyFromCode', false),
      smartFormatting: get('smartFormatting', true),
      historySize: get('historySize', 100),
      recorderProgram: get('recorderProgram', 'auto'),
      recorderPath: get('recorderPath', '').trim(),
      recorderDevice: get('recorderDevice', '').trim(),
      threads: get('threads', 0),
      idleUnloadSeconds: get('idleUnloadSeconds', 300),
      workerHost: get('workerHost', 'process'),
      memoryLimitMB: get('memoryLimitMB', 0),
      showMemoryIndicator: get('showMemoryIndicator', true),
      // settings.json is not validated against the declared ranges: keep the values inside them.
      memorySampleIntervalSeconds: clamp(get('memorySampleIntervalSeconds', 2), 1, 60, 2),
      captureMode: oneOf(get<string>('captureMode', 'auto'), CAPTURE_MODES, 'auto'),
      maxBufferedSeconds: clamp(get('maxBufferedSeconds', 120), 1, 1800, 120),
      modelMirrorUrl: get('modelMirrorUrl', '').trim(),
      fileChunkSeconds: clamp(get('fileChunkSeconds', 30), 5, 120, 30),
      fileWorkers: clamp(get('fileWorkers', 1), 1, 8, 1),
      fileCacheJobs: clamp(get('fileCacheJobs', 20), 1, 1000, 20),
      fileCacheMaxMB: clamp(get('fileCacheMaxMB', 200), 1, 100_000, 200),
      engine: oneOf(get<string>('engine', 'local'), ENGINES, 'local'),
      remoteUrl: get('remoteUrl', '').trim(),
      remoteModel: get('remoteModel', 'whisper-1').trim() || 'whisper-1',
      remoteLanguage: get('remoteLanguage', '').trim(),
      remoteTimeoutSeconds: clamp(get('remoteTimeoutSeconds', 30), 1, 600, 30),
      remoteParallelRequests: Math.round(clamp(get('remoteParallelRequests', 2), 1, 16, 2)),
      remoteChunkSeconds: clamp(get('remoteChunkSeconds', 120), 10, 600, 120),
    };
  }

  /** Threads for whisper.cpp: the setting, or all physical-ish cores up to 8 (hyper-threads rarely help). */
  get threads(): number {
    const configured = this.settings.threads;
    if (configured > 0) return configured;
    return Math.max(1, Math.min(8, os.availableParallelism?.() ?? os.cpus().length));
  }

  static settingId(key: keyof typeof KEYS): string {
    return `${SECTION}.${KEYS[key]}`;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

const CAPTURE_MODES: readonly CaptureMode[] = ['auto', 'streaming', 'file'];
const ENGINES: readonly EngineKind[] = ['local', 'remote'];

function oneOf<T extends string>(value: string, allowed: readonly T[], fallback: T): T {
  return (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** settings.json may hold anything: an object setting that is not an object counts as empty. */
function objectOr(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function stringsOr(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.trim().length > 0) : [];
}

function clamp(value: number, min: number, max: number, fallback: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
}
