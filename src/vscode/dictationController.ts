// The dictation feature: start / stop / toggle / cancel, the "dictating" context key, the status bar state, and
// the path from a transcribed phrase to the editor (spoken commands, formatting, insertion, history).
import * as vscode from 'vscode';
import { DictationSession, PartialText, PhraseResult, type NotSpeech, type RecorderRestart } from '../node/dictation/dictationSession';
import type { DictationPipeline } from '../node/dictation/pipeline';
import type { InsertionPiece } from '../core/text/insertionFormat';
import { Recorder, RecorderError, resolveRecorder } from '../node/audio/recorder';
import type { WhisperClient } from '../node/whisper/client';
import { LocalTranscriber } from '../node/whisper/localTranscriber';
import { WhisperWorkerError } from '../node/whisper/protocol';
import { Config } from './config';
import { buildSpokenVocabulary, type SpokenVocabulary } from '../core/text/spokenVocabulary';
import type { Log } from './log';
import type { DictationStatusBar } from './statusBar';
import type { TextInserter } from './textInserter';
import type { EngineFactory } from './engineFactory';
import type { ModelLocator } from './modelLocator';
import { LivePreview } from './livePreview';
import { ZeroInputDetector } from '../core/vad/phraseSegmenter';
import { BufferTracker } from '../core/audio/bufferTracker';
import { RecentPhrases } from '../core/audio/recentPhrases';
import { DEFAULT_WINDOW_PADDING } from '../core/transcription/encoderWindow';
import type { TranscribeOptions } from '../node/whisper/protocol';
import type { Delivered } from './targets/textTarget';
import type { TargetKind } from '../core/targets/targetChoice';
import { languageLabel } from '../core/model/languages';
import { LanguageKeeper } from '../node/transcription/languageKeeper';
import { trackLeak } from '../core/leaks/leakTracker';
import { PhraseRefiner, type AcceptText, type RefinementReport } from '../node/dictation/phraseRefiner';
import { CutPhraseChain, type ChainPart } from '../core/audio/cutPhraseChain';
import type { Transcriber } from '../node/transcription/transcriber';

/** What the memory report and the tests read about the dictation in progress. */
export interface DictationSessionStats {
  /** Phrases whose audio waited on disk instead of in memory (spill files or ranges of the capture file). */
  spilledPhrases: number;
  /** Of those, phrases written to spill files (the in-memory bound was exceeded, or memory was critical). */
  spillFilePhrases: number;
  /** Of those, phrases that waited as ranges of the capture file. */
  capturedPhrases: number;
  /** Phrases whose audio was read back from disk for transcription. */
  phrasesReadFromDisk: number;
  suspended: boolean;
  captureMode: 'streaming' | 'file';
  /** The capture WAV, while file capture runs. */
  captureFile?: string;
  /** How full the in-memory bound of waiting audio is (0..1). */
  queueFillLevel: number;
  /** Times the recorder died during this dictation and was restarted. */
  recorderRestarts: number;
  /** Milliseconds of audio those restarts missed (heard as silence). */
  recorderGapMs: number;
  /** Second passes (a phrase alone, or a monologue's parts joined) whose text replaced the first, that agreed, and those dropped. */
  refinementsApplied: number;
  refinementsSame: number;
  refinementsDropped: number;
}


/** A recent phrase as "Improve Last Phrase" needs it: what was heard, where it went, how it was transcribed. */
export interface DeliveredPhrase {
  result: PhraseResult;
  delivered: Delivered;
  kind: TargetKind;
  /** The text as inserted (for the messages). */
  text: string;
  options: TranscribeOptions;
}

/** A part of a monologue as the cut-phrase chain holds it: the phrase delivered, and its result (options, evidence). */
interface ChainInfo {
  phrase: DeliveredPhrase;
  result: PhraseResult;
}

/** Phrases whose audio is kept for "Improve Last Phrase", and the seconds of audio they may hold together. */
const RECENT_PHRASES = 5;
const RECENT_SECONDS = 120;
/**
 * The second pass over a phrase ended by a pause decodes with beam search 3. On the public clips played live, 3 takes
 * pooled, the 14 clips without a monologue went from 43 word errors as first inserted to 30 (whisper.cpp's CLI on
 * the whole clips: 36), the first text landing as fast as before (bench/results/dictation-refine-beam3-all.md).
 */
const PHRASE_BEAM_SIZE = 3;
/**
 * The joined pass over a monologue decodes greedily, as the first pass does. With beam 3 it began p09 with words no
 * one said in every take ("Where you can see that you have", "Unbelievable."): 41 errors against 17 as first
 * inserted (same run); with beam 5, offline, 11 against 7 for greedy, and 1.7 s instead of 1.1.
 */
const JOIN_BEAM_SIZE = 1;
/**
 * The second pass reads a phrase with 256 frames of encoder-window padding, not the first pass's taper (less for long
 * phrases): it runs once the text is in, where time matters less than words, and it was measured with 256
 * (dictation-refine-beam3-all.md). With the taper, beam 3 read the public clip p04's "ill disposed" as "able to
 * suppose", which it had read right with 256.
 */
const SECOND_PASS_PADDING_FRAMES = DEFAULT_WINDOW_PADDING.maxFrames;
/**
 * After the dictation stops, the last monologue's joined pass may still land for this long, then it is dropped: the
 * person does not wait for it (the text is there, the status bar is idle at once and they can type or dictate
 * again: either drops it), and the stop command resolves once it has landed or been dropped, so that what follows
 * a stop sees the final text. Measured: joining 27 s of monologue takes about 1.1 s on a 2-core machine with tiny.en.
 */
const REFINE_AFTER_STOP_MS = 2000;

export class DictationController implements vscode.Disposable {
  private session?: DictationSession;
  private starting?: Promise<void>;
  private startedAt = 0;
  private errorShown = false;
  readonly preview = new LivePreview();
  /** The last warning shown while dictating (e.g. a microphone that delivers only zeros). */
  lastWarning?: string;
  private readonly phraseEmitter = new vscode.EventEmitter<PhraseResult & { deliveredAt: number }>();
  /** Fires after a phrase has been delivered (tests and the latency benchmark listen). */
  readonly onDidDeliverPhrase = this.phraseEmitter.event;
  private readonly previewEmitter = new vscode.EventEmitter<PartialText & { shownAt: number }>();
  /** Fires when a live preview is shown (tests and the latency benchmark listen). */
  readonly onDidShowPreview = this.previewEmitter.event;
  /** Every live audio buffer of dictation, by owner (the memory indicator and report read it). */
  readonly audioBuffers = new BufferTracker();
  /**
   * The audio of the last few delivered phrases (counted in audioBuffers). It outlives a dictation, since people
   * improve a phrase after stopping, and goes when the extension deactivates (dispose).
   */
  readonly recentPhrases = new RecentPhrases<DeliveredPhrase>({ maxPhrases: RECENT_PHRASES, maxSeconds: RECENT_SECONDS }, this.audioBuffers);
  /** The options the current dictation transcribes with (kept with each recent phrase). */
  private transcribeOptions?: () => TranscribeOptions;
  /** Memory is high: dictations in 'auto' capture mode record to a file (set by the memory indicator). */
  private memoryPressure = false;
  /** The language decision of the current (or last) dictation. */
  private language?: LanguageKeeper;
  /**
   * The current dictation's second pass (setting `refine`), if it refines; let go once the dictation has ended and
   * its last refinement settled (it holds the dictation's transcriber).
   */
  private refiner?: PhraseRefiner;
  /** The last dictation's refinement outcomes (undefined when it did not refine). */
  private refinementCounts?: { applied: number; same: number; dropped: number };
  /** The parts of a monologue cut at the length limit, held until its last part is in (then joined). */
  private readonly cutChain = new CutPhraseChain<ChainInfo>();
  /** Every edit dictation makes (phrases, refinements) in turn: each checks the document version it saw. */
  private edits: Promise<unknown> = Promise.resolve();

  /** The language detected in the current or last dictation (language 'auto'), if any. */
  get detectedLanguage(): string | undefined {
    return this.language?.detectedLanguage;
  }

  constructor(
    private readonly config: Config,
    private readonly log: Log,
    private readonly client: WhisperClient,
    private readonly models: ModelLocator,
    private readonly statusBar: DictationStatusBar,
    private readonly inserter: TextInserter,
    private readonly pipeline: DictationPipeline,
    private readonly registerRecorder: (recorder: Recorder) => void,
    private readonly spillDirectory: () => string,
    private readonly engines: EngineFactory,
    /** Whisper's prompt from the person's code (precomputed by the VocabularyCollector). */
    private readonly vocabularyPrompt: () => string | undefined = () => undefined,
  ) {}

  /** The server's origin while the current dictation sends its audio there (the status bar and tests read it). */
  remoteOrigin?: string;

  /** Memory is critical: phrases wait on disk and the worker gets no work, so its model can be unloaded. */
  suspendTranscription(): void {
    this.session?.suspendTranscription();
  }

  resumeTranscription(): void {
    this.session?.resumeTranscription();
  }

  /**
   * Memory is high (or has eased): the dictation in progress moves waiting audio to disk and, in 'auto' capture
   * mode, records to a file; so does the next one while the pressure lasts.
   */
  setMemoryPressure(high: boolean): void {
    this.memoryPressure = high;
    if (high) this.session?.relieveMemoryPressure();
  }

  /** Phrases since activation whose transcript was judged not to be speech (bench:nonspeech reads it). */
  phrasesNotSpeech = 0;
  /** The last few of them, newest last (bounded: dictation may run for days). */
  readonly recentNotSpeech: NotSpeech[] = [];

  /** The current dictation's counters (tests and the memory report read them). */
  get sessionStats(): DictationSessionStats | undefined {
    const s = this.session;
    if (!s) return undefined;
    return {
      spilledPhrases: s.spilledPhrases,
      spillFilePhrases: s.spillFilePhrases,
      capturedPhrases: s.capturedPhrases,
      phrasesReadFromDisk: s.phrasesReadFromDisk,
      suspended: s.transcriptionSuspended,
      captureMode: s.captureMode,
      captureFile: s.captureFile,
      queueFillLevel: s.queueFillLevel,
      recorderRestarts: s.recorderRestarts,
      recorderGapMs: s.recorderGapMs,
      refinementsApplied: this.refinementCounts?.applied ?? 0,
      refinementsSame: this.refinementCounts?.same ?? 0,
      refinementsDropped: this.refinementCounts?.dropped ?? 0,
    };
  }

  /** The last dictation's refinement counters (they outlive the session: the last refinement lands after stop). */
  get refinementStats(): { applied: number; same: number; dropped: number; pending: boolean } | undefined {
    const counts = this.refinementCounts;
    return counts && { ...counts, pending: !!this.refiner?.pending };
  }

  /** Resolves when the pending refinement, if any, has landed or been dropped (tests and the benchmark wait for it). */
  whenRefined(maxMs = REFINE_AFTER_STOP_MS): Promise<void> {
    return this.refiner?.settle(maxMs) ?? Promise.resolve();
  }

  /** Memory pressure turns the live preview off (and back on when it eases). */
  pausePreview(paused: boolean): void {
    this.previewPaused = paused;
    if (paused) {
      this.session?.stopPreview();
      this.preview.clear();
    }
  }

  private previewPaused = false;
  private readonly activityEmitter = new vscode.EventEmitter<boolean>();
  /** Fires true when dictation starts and false when it ends. */
  readonly onDidChangeActive = this.activityEmitter.event;

  get recorderPid(): number | undefined {
    return this.session?.recorderPid;
  }

  /** Bytes of audio dictation holds in memory (every tracked buffer). */
  get bufferedBytes(): number {
    return this.audioBuffers.totalBytes;
  }

  get active(): boolean {
    return !!this.session || !!this.starting;
  }

  async toggle(): Promise<void> {
    if (this.active) await this.stop();
    else await this.start();
  }

  async start(): Promise<void> {
    if (this.active) return;
    this.starting = this.doStart().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async doStart(): Promise<void> {
    this.errorShown = false;
    this.lastError = undefined;
    this.lastWarning = undefined;
    const settings = this.config.settings;
    // The team engine needs no local model; one on disk is its fallback for a phrase the server fails.
    let modelPath = this.engines.isRemote ? this.models.currentPath() : await this.models.resolveForUse();
    if (!modelPath) return;
    let engine;
    try {
      engine = await this.engines.forDictation(this.client, modelPath);
      if (!engine) {
        // Local for this time, but the model is not downloaded yet: offer it as local dictation always does.
        modelPath = await this.models.resolveForUse();
        if (!modelPath) return;
        engine = { transcriber: new LocalTranscriber(this.client, modelPath), remoteOrigin: undefined };
      }
    } catch (error) {
      this.reportError(error as Error);
      return;
    }
    const remote = engine.remoteOrigin;
    this.remoteOrigin = remote;
    if (remote) this.log.info(`Dictation sends its audio to ${remote} (team engine).`);
    let recorder;
    try {
      recorder = resolveRecorder(settings.recorderProgram, settings.recorderPath || undefined, settings.recorderDevice || undefined);
    } catch (error) {
      this.reportError(error as Error);
      return;
    }
    this.models.warnEnglishOnly(modelPath);
    const language = this.newLanguageKeeper(modelPath, settings.language);
    this.language = language;
    this.statusBar.setLanguage(this.models.languageLine());
    this.statusBar.setState({ kind: 'starting' });
    await setActiveContext(true);
    this.activityEmitter.fire(true);
    // The per-dictation objects that hold callbacks into this controller: all must be gone after the dictation.
    const zeros = trackLeak('disposable', new ZeroInputDetector(() => this.warnSilentMicrophone()));
    trackLeak('disposable', engine.transcriber);
    // Built in a method of its own: a closure made here would share doStart's scope and keep `zeros` (and all else
    // this dictation's callbacks capture) alive through this.transcribeOptions.
    const transcribeOptions = this.newTranscribeOptions(language, modelPath);
    this.transcribeOptions = transcribeOptions;
    const transcriber = trackLeak('disposable', language.wrap(engine.transcriber), 'language-wrapped transcriber');
    // The last dictation's refinement ends here at the latest (a newer phrase would drop it anyway).
    this.refiner?.supersede('a new dictation started');
    this.cutChain.reset();
    const counts = { applied: 0, same: 0, dropped: 0 };
    this.refiner = this.newRefiner(settings.refine, transcriber, remote, counts);
    this.refinementCounts = this.refiner && counts;
    const session = new DictationSession({
      recorder,
      transcriber,
      transcribeOptions,
      createPhraseSource: (emit) => this.pipeline.createPhraseSource(this.config.settings.pauseMs, emit),
      acceptText: (text, phrase, confidence) => this.pipeline.acceptText(text, phrase, language.language, confidence),
      onRecorderStarted: (r) => this.registerRecorder(r),
      // A preview is the phrase so far, sent again twice a second: not worth a server round trip per refresh.
      preview: this.previewPaused || remote ? 'off' : settings.livePreview,
      pauseMs: settings.pauseMs,
      spillDirectory: this.spillDirectory,
      captureMode: settings.captureMode,
      maxBufferedSeconds: settings.maxBufferedSeconds,
      buffers: this.audioBuffers,
      listener: trackLeak('disposable', {
        onCaptureFile: (path, reason) => this.log.info(`Recording to ${path} (${reason}).`),
        onRecorderRestarted: (restart) => this.onRecorderRestarted(restart),
        onNotSpeech: (heard) => this.onNotSpeech(heard),
        onAudio: (samples) => zeros.push(samples),
        onPartialText: (partial) => {
          if (this.preview.show(partial.text)) this.previewEmitter.fire({ ...partial, shownAt: Date.now() });
        },
        onPhraseText: (result) => this.deliver(result),
        onTranscribing: (busy) => {
          if (this.session) this.statusBar.setState({ kind: 'recording', startedAt: this.startedAt, transcribing: busy, remote });
        },
        onError: (error) => void this.onSessionError(error),
      }, 'session listener'),
    });
    this.session = session;
    try {
      this.startedAt = Date.now();
      // Memory is already high: record to a file from the first sample.
      if (this.memoryPressure) session.relieveMemoryPressure();
      await session.start();
      this.log.info(`Dictation started (recorder ${recorder.executable}, pid ${session.recorderPid}).`);
      if (this.session === session) this.statusBar.setState({ kind: 'recording', startedAt: this.startedAt, transcribing: false, remote });
    } catch (error) {
      session.cancel();
      this.session = undefined;
      await this.finishUi();
      this.reportError(error as Error);
    }
  }

  /**
   * Per dictation: with 'auto' the first phrase that produces text decides, and the rest follow it. Built here, not
   * in doStart: the controller keeps the last keeper (detectedLanguage), and a callback created in doStart would
   * share doStart's closure scope and so keep the last dictation's other captured objects alive with it.
   */
  private newTranscribeOptions(language: LanguageKeeper, modelPath: string): () => TranscribeOptions {
    return () => ({ language: language.language, translate: this.models.translateFor(modelPath), threads: this.config.threads, beamSize: 1, audioContext: 'fit', timestamps: false, initialPrompt: this.vocabularyPrompt() });
  }

  /** 'auto': with the local worker only (a team server would be sent each phrase's audio a second time). */
  private newRefiner(setting: 'auto' | 'off', transcriber: Transcriber, remote: string | undefined, counts: Record<RefinementReport['outcome'], number>): PhraseRefiner | undefined {
    if (setting === 'off' || remote) return undefined;
    return new PhraseRefiner({
      transcriber,
      onOutcome: (report) => {
        counts[report.outcome]++;
        this.logRefinement(report);
      },
    });
  }

  private logRefinement(report: RefinementReport): void {
    if (report.outcome === 'applied') this.log.info(`Phrase refined (${report.elapsedMs} ms after it was inserted): "${report.firstText}" → "${report.refinedText}"`);
    else if (report.outcome === 'same') this.log.info(`Phrase refinement agreed with the first text (${report.elapsedMs} ms).`);
    else this.log.info(`Phrase refinement dropped (${report.reason ?? 'no text'})${report.refinedText ? `: "${report.firstText}" stays (second pass "${report.refinedText}")` : ''}.`);
  }

  private newLanguageKeeper(modelPath: string, setting: string): LanguageKeeper {
    return new LanguageKeeper(this.models.languageFor(modelPath, setting), (detected) => {
      this.log.info(`Dictation language detected: ${languageLabel(detected)}; kept for the rest of this dictation.`);
      this.statusBar.setLanguage(this.models.languageLine(detected));
    });
  }

  /** Stops listening; phrases already spoken are still transcribed and inserted. */
  async stop(): Promise<void> {
    if (this.starting) await this.starting;
    const session = this.session;
    if (!session) return;
    this.statusBar.setState({ kind: 'finishing' });
    try {
      await session.stop();
    } finally {
      if (this.session === session) this.session = undefined;
      await this.finishUi();
      this.log.info('Dictation stopped.');
    }
    const refiner = this.refiner;
    await refiner?.settle(REFINE_AFTER_STOP_MS);
    if (this.refiner === refiner) {
      this.refiner = undefined;
      this.cutChain.reset();
    }
  }

  /** Stops at once and discards what has not been transcribed yet. */
  async cancel(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    session?.cancel();
    this.refiner?.supersede('the dictation was cancelled');
    this.refiner = undefined;
    this.cutChain.reset();
    await this.finishUi();
    this.log.info('Dictation cancelled.');
  }

  private warnSilentMicrophone(): void {
    const hint =
      process.platform === 'darwin'
        ? vscode.l10n.t('Allow VS Code to use the microphone in System Settings → Privacy & Security → Microphone, then restart VS Code.')
        : vscode.l10n.t('Check that the microphone is not muted and that "offlineDictation.recorder.device" names the right input.');
    this.lastWarning = vscode.l10n.t('The microphone delivers only silence (no signal at all). {0}', hint);
    this.log.warn(this.lastWarning);
    void vscode.window.showWarningMessage(vscode.l10n.t('Dictation: {0}', this.lastWarning), vscode.l10n.t('Microphone Settings')).then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'offlineDictation.recorder');
    });
  }

  private async finishUi(): Promise<void> {
    this.remoteOrigin = undefined;
    this.activityEmitter.fire(false);
    this.preview.clear();
    this.statusBar.setState({ kind: 'idle' });
    await setActiveContext(false);
  }

  /** A transcript as the pieces dictation would insert (spoken punctuation and line breaks applied; no commands). */
  piecesOf(text: string): InsertionPiece[] {
    const actions = this.pipeline.spokenActions(text, this.config.settings.spokenCommands, this.spokenVocabulary());
    return actions.filter((a): a is InsertionPiece => a.kind !== 'scratch');
  }

  /** Runs `edit` after every edit dictation has started before it (one at a time, in order). */
  private exclusive<T>(edit: () => Promise<T>): Promise<T> {
    const run = this.edits.then(edit, edit);
    this.edits = run.catch(() => undefined);
    return run;
  }

  /** Applies a phrase: runs of words and line breaks become one edit each; "scratch that" removes the last one. */
  private deliver(result: PhraseResult): Promise<void> {
    return this.exclusive(() => this.deliverNow(result));
  }

  private async deliverNow(result: PhraseResult): Promise<void> {
    this.preview.clear();
    // Phrases stay in order: the previous phrase's refinement can no longer land once this one goes in.
    this.refiner?.supersede('a newer phrase was inserted');
    const actions = this.pipeline.spokenActions(result.text, this.config.settings.spokenCommands, this.spokenVocabulary());
    // A phrase is read again (with beam search), and the last part of a monologue cut at the length limit with its
    // earlier parts as one piece: its undo step stays open for that text to join. A part that the speaker goes on
    // from waits for the monologue's end.
    const refining = !!this.refiner && !!result.options && !actions.some((a) => a.kind === 'scratch') && (this.cutChain.continues(result.phrase) || result.phrase.endedBy !== 'length');
    let pieces: InsertionPiece[] = [];
    let inserts = 0;
    let scratched = false;
    const flush = async () => {
      if (!pieces.length) return;
      inserts++;
      const delivery = await this.inserter.insert(pieces, refining ? { openUndo: true } : undefined);
      this.log.info(`Phrase ${delivery} (${result.transcribeMs} ms to transcribe, ${result.latencyMs} ms after speech): ${result.text}`);
      pieces = [];
    };
    for (const action of actions) {
      if (action.kind === 'scratch') {
        scratched = true;
        await flush();
        for (let i = 0; i < action.count; i++) {
          const removed = await this.inserter.removeLast();
          this.log.info(removed ? 'Scratched the last phrase.' : 'Nothing to scratch (the last phrase was edited or is gone).');
        }
      } else {
        pieces.push(action);
      }
    }
    await flush();
    // A phrase that went in as one piece of text can be improved later; one with "scratch that" in it cannot.
    const last = this.inserter.lastDelivered;
    if (inserts === 1 && !scratched && last && this.transcribeOptions) {
      const samples = result.phrase.samples;
      // The bounded recent-phrases buffer owns a copy of just the phrase: a view would keep a larger buffer alive, and
      // the dictation's own phrase buffers must all be collectable after it (the leak test counts them).
      const own = samples.slice();
      const info: DeliveredPhrase = { result: { ...result, phrase: { ...result.phrase, samples: own } }, delivered: last.delivered, kind: last.kind, text: last.text, options: this.transcribeOptions() };
      this.recentPhrases.add(own, info);
      // A monologue's parts are held only while a second pass may run and where text can be found again (the editor).
      const joinable = !!this.refiner && !!result.options && !!last.delivered.replace;
      const { startSample, endSample, endedBy } = result.phrase;
      const part: ChainPart<ChainInfo> = { samples: own, startSample, endSample, endedBy, info: { phrase: info, result } };
      const span = joinable ? this.cutChain.add(part) : undefined;
      if (!joinable) this.cutChain.reset();
      // Not part of a monologue: the phrase alone is read again (a part the speaker went on from waits for the join).
      const alone = refining && joinable && !span && endedBy !== 'length' ? [part] : undefined;
      if (refining && (span ?? alone)) this.startSecondPass(span ?? alone!);
      else if (refining) await last.delivered.closeUndo?.();
    } else {
      this.cutChain.reset();
      if (refining) await last?.delivered.closeUndo?.();
    }
    this.phraseEmitter.fire({ ...result, deliveredAt: Date.now() });
  }

  /**
   * The second pass, now that the span's last phrase is in the editor: a phrase alone (beam search), or the parts of a
   * monologue cut at the length limit as one piece (greedy), with the prompt its first part had. The text replaces
   * all the parts, joining the last part's undo step, if nothing changed the document since they went in (the
   * editor target checks).
   */
  private startSecondPass(span: readonly ChainPart<ChainInfo>[]): void {
    const last = span[span.length - 1].info;
    const delivered = last.phrase.delivered;
    const refiner = this.refiner;
    const options = span[0].info.result.options;
    if (!refiner || !options || !delivered.refine || !delivered.closeUndo) return;
    const samples = new Float32Array(span.reduce((n, p) => n + p.samples.length, 0));
    span.reduce((at, p) => (samples.set(p.samples, at), at + p.samples.length), 0);
    // The same filter as the first pass, with the evidence of all the parts (how long and loud the speech was).
    const speechMs = span.reduce((n, p) => n + p.info.result.phrase.speechMs, 0);
    const speechDbfs = Math.max(...span.map((p) => p.info.result.phrase.speechDbfs));
    const language = this.language?.language;
    const accept: AcceptText = (text, confidence) => this.pipeline.acceptText(text, { samples, speechMs, speechDbfs, endMs: last.result.phrase.endMs }, language, confidence);
    const firstText = span.map((p) => p.info.phrase.text).join(' ');
    const earlier = span.slice(0, -1).map((p) => p.info.phrase.delivered);
    refiner.refine(samples, { ...options, beamSize: span.length > 1 ? JOIN_BEAM_SIZE : PHRASE_BEAM_SIZE, windowPaddingFrames: SECOND_PASS_PADDING_FRAMES }, firstText, accept, {
      apply: (text) => this.exclusive(async () => {
        const actions = this.pipeline.spokenActions(text, this.config.settings.spokenCommands, this.spokenVocabulary());
        // Different spoken commands ("scratch that") would change more than these phrases: keep the first text.
        if (actions.some((a) => a.kind === 'scratch')) return false;
        const pieces = actions.filter((a): a is InsertionPiece => a.kind !== 'scratch');
        const compose = (before: string, after: string, p: readonly InsertionPiece[]) => this.pipeline.compose(before, after, p, this.config.settings.smartFormatting);
        if (!(await delivered.refine!(pieces, compose, earlier))) return false;
        // The joined text is now the last phrase (Improve Last Phrase transcribes and replaces all of it).
        const joined: DeliveredPhrase = { ...last.phrase, text: compose('', '', pieces), result: { ...last.phrase.result, phrase: { ...last.phrase.result.phrase, samples } } };
        this.recentPhrases.remove((info) => span.some((p) => p.info.phrase === info));
        this.recentPhrases.add(samples, joined);
        if (this.inserter.lastDelivered?.delivered === delivered) this.inserter.lastDelivered.text = joined.text;
        return true;
      }),
      close: () => this.exclusive(() => delivered.closeUndo!()),
    });
  }

  private vocabularyKey?: string;
  private vocabulary?: SpokenVocabulary;

  /** The spoken-command words for the language and the person's own entries, rebuilt when either changes. */
  private spokenVocabulary(): SpokenVocabulary {
    const { language, spokenCommandWords } = this.config.settings;
    const key = JSON.stringify([language, spokenCommandWords]);
    if (this.vocabulary && key === this.vocabularyKey) return this.vocabulary;
    const built = buildSpokenVocabulary(language, spokenCommandWords);
    for (const problem of built.problems) this.log.warn(`${Config.settingId('spokenCommandWords')}: ${problem}; that entry is ignored.`);
    this.vocabularyKey = key;
    this.vocabulary = built.vocabulary;
    return built.vocabulary;
  }

  /** Whisper wrote text for a phrase the filter judged not to be speech: counted, and logged with how sure it was. */
  private onNotSpeech(heard: NotSpeech): void {
    this.phrasesNotSpeech++;
    this.recentNotSpeech.push(heard);
    if (this.recentNotSpeech.length > 20) this.recentNotSpeech.shift();
    const sure = heard.confidence ? `, mean word probability ${heard.confidence.meanTokenP.toFixed(2)}` : '';
    this.log.info(`Not inserted: Whisper heard "${heard.text.slice(0, 80)}" in ${heard.speechMs} ms of sound${sure}, not speech.`);
  }

  /**
   * The recorder died and the session started a new one: dictation goes on, so no notification (nothing for the
   * person to do); a line in the log and a few seconds' note in the status bar say why a moment of speech may be
   * missing.
   */
  private onRecorderRestarted(restart: RecorderRestart): void {
    this.log.warn(`${restart.error.message} Restarted the recorder (pid ${restart.pid}; restart ${restart.restarts} of this dictation); dictation goes on, speech during the restart was not recorded.${restart.error.detail ? ` Recorder output: ${restart.error.detail}` : ''}`);
    this.statusBar.flash(vscode.l10n.t('Microphone recorder restarted'));
  }

  private async onSessionError(error: Error): Promise<void> {
    // Said first: stopping waits for the phrases already captured, which can take a while on a busy machine.
    this.reportError(error);
    // The microphone is gone: stop, but let phrases already captured finish.
    if (error instanceof RecorderError) await this.stop();
  }

  /** The last error shown to the user (for the logs view and tests). */
  lastError?: Error;

  /**
   * Tells the user once per dictation, without waiting for an answer: a command must not hang on a notification.
   */
  private reportError(error: Error): void {
    this.log.error(error);
    this.lastError = error;
    if (this.errorShown) return;
    this.errorShown = true;
    // Messages from src/core and src/node are English details (they are in the log too); the frame and buttons are localised.
    const openSetting = vscode.l10n.t('Open Setting');
    const showLogs = vscode.l10n.t('Show Logs');
    if (error instanceof RecorderError && error.code === 'RECORDER_NOT_FOUND') {
      void vscode.window.showErrorMessage(error.message, openSetting, showLogs).then((choice) => {
        if (choice === openSetting) void vscode.commands.executeCommand('workbench.action.openSettings', 'offlineDictation.recorder');
        if (choice === showLogs) this.log.show();
      });
      return;
    }
    if (error instanceof WhisperWorkerError && error.code === 'MODEL_INVALID') {
      void this.models.offerRedownload(error.message);
      return;
    }
    void vscode.window.showErrorMessage(vscode.l10n.t('Dictation: {0}', error.message), showLogs).then((choice) => {
      if (choice === showLogs) this.log.show();
    });
  }

  /**
   * Keeps the audio of phrases not yet delivered when the extension is deactivated mid-dictation (extension.ts saves
   * it to disk and transcribes it into the history at the next activation); without it they are dropped.
   */
  salvage?: (audio: Float32Array[], onDiskOnly: number) => void;

  dispose(): void {
    this.refiner?.supersede('the extension is deactivating');
    this.recentPhrases.dispose();
    if (this.session && this.salvage) {
      const { audio, onDiskOnly } = this.session.salvage();
      if (audio.length || onDiskOnly) this.salvage(audio, onDiskOnly);
    }
    this.session?.cancel();
    this.session = undefined;
    this.phraseEmitter.dispose();
    this.previewEmitter.dispose();
    this.activityEmitter.dispose();
    this.preview.dispose();
  }
}

function setActiveContext(active: boolean): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', 'offlineDictation.active', active);
}
