// One dictation, from microphone to text: the recorder's PCM is decoded, cut into phrases at pauses, and each
// phrase is transcribed by the Whisper worker while the person keeps speaking. Phrases are transcribed strictly in
// order, one at a time; their text is handed out in order. No vscode here: the editor side listens to events.
// Speculative finalisation: once a pause has lasted a few hundred milliseconds, the phrase as it will be if the pause
// lasts (the same speech; only the quiet after it may still grow) is already being transcribed; if the pause
// completes, that text is used at once, and if speech resumes the job is withdrawn and the longer phrase is
// transcribed when it ends. Live previews transcribe the phrase being spoken at a low priority: any other job
// aborts them.
// Waiting phrases are bounded in memory (PhraseQueue: a ring, overflow to spill files); in file capture mode the
// recording also goes to a private temp WAV and waiting phrases are ranges of it (FileCapture).
import type { Transcriber } from '../transcription/transcriber';
import type { TranscribeOptions, TranscribeResult } from '../whisper/protocol';
import { Recorder, RecorderCommand, RecorderError } from '../audio/recorder';
import { decodeWavSamples } from '../../core/audio/wav';
import { BufferTracker, type TrackedBuffer } from '../../core/audio/bufferTracker';
import { PhraseSpill } from './phraseSpill';
import { PhraseQueue, type WaitingPhrase } from './phraseQueue';
import { FileCapture } from './fileCapture';
import type { PhraseEnd } from '../../core/vad/phraseSegmenter';
import type { TranscriptConfidence } from '../../core/transcription/tokenConfidence';
import { composePrompt } from '../../core/vocabulary/vocabularyPrompt';
import { trackLeak } from '../../core/leaks/leakTracker';
import { RestartBudget, type RestartBudgetOptions } from '../../core/audio/restartBudget';

/** What the session needs from voice-activity segmentation (implemented in core/vad). */
export interface PhraseSource {
  push(samples: Float32Array): void;
  /** Bytes of audio the source holds (pre-roll and the phrase being spoken). */
  readonly bufferedBytes: number;
  /** Audio of the phrase being spoken so far, for the live preview; undefined while silent. */
  currentPhrase(): Float32Array | undefined;
  /** Ends the current phrase at once (on stop) and emits it if it holds speech. */
  flush(): void;
  /** While the speaker pauses: the phrase's speech as it will be emitted if the pause lasts (see PhraseSegmenter). */
  tentativePhrase?(): Phrase | undefined;
  /** Milliseconds the current phrase has been pausing (0 while speech goes on). */
  readonly pauseSoFarMs?: number;
  /** How far into a pause tentativePhrase() holds the phrase's whole audio (its trail of quiet included). */
  readonly trailMs?: number;
  /** Stream position (samples) where the current phrase's speech began; undefined when silent. */
  readonly speechStartSample?: number;
}

export interface Phrase {
  samples: Float32Array;
  /** Milliseconds since the session started, of the phrase's end of speech. */
  endMs: number;
  /** Milliseconds of voiced audio and their mean level: evidence that the phrase is speech. */
  speechMs: number;
  speechDbfs: number;
  /**
   * Stream positions (samples since the session started) of the phrase's first sample and the one after its last,
   * when the source knows them: file capture reads the phrase back from the capture file by them.
   */
  startSample?: number;
  endSample?: number;
  /** What ended it, when the source knows: a pause, the end of the dictation, or its length while speech went on. */
  endedBy?: PhraseEnd;
}

export interface PhraseResult {
  text: string;
  phrase: Phrase;
  /** Time from the end of speech to the text being ready. */
  latencyMs: number;
  /** Wall-clock time (ms since epoch) at which the speech of this phrase ended. */
  speechEndedAt: number;
  transcribeMs: number;
  /** The text was transcribed during the pause, before the phrase ended. */
  speculative: boolean;
  /** The window guard that sent this phrase back to the full encoder window, if one did. */
  fallback?: string;
  /** The options the text was transcribed with (its prompt included): a refinement transcribes it again with them. */
  options?: TranscribeOptions;
}

export interface PartialText {
  text: string;
  /** Wall-clock time (ms since epoch) at which the speech of the phrase being previewed began. */
  speechStartedAt: number;
}

export interface DictationSessionListener {
  onPhraseText(result: PhraseResult): void | Promise<void>;
  onPartialText?(partial: PartialText): void;
  onTranscribing?(busy: boolean): void;
  onError(error: Error): void;
  onAudio?(samples: Float32Array): void;
  /** File capture has started (a private WAV at `path`), and why. */
  onCaptureFile?(path: string, reason: string): void;
  /** The recorder died mid-dictation and a new one was started in its place; the dictation goes on. */
  onRecorderRestarted?(restart: RecorderRestart): void;
  /** Whisper wrote text for a phrase that the filter judged not to be speech (a chime's "you"); nothing was inserted. */
  onNotSpeech?(heard: NotSpeech): void;
}

export interface NotSpeech {
  text: string;
  speechMs: number;
  confidence?: TranscriptConfidence;
}

export interface RecorderRestart {
  /** Why the previous recorder ended (e.g. "The recorder was killed by SIGKILL."). */
  error: RecorderError;
  /** Restarts in this dictation so far, this one included. */
  restarts: number;
  /** The restarted recorder's process id. */
  pid: number | undefined;
}

export type CaptureMode = 'auto' | 'streaming' | 'file';

export interface DictationSessionOptions {
  recorder: RecorderCommand;
  /** The engine (the local Whisper worker, or another behind the same seam). */
  transcriber: Transcriber;
  transcribeOptions: () => TranscribeOptions;
  /** Builds the segmenter; it calls `emit` for every finished phrase. */
  createPhraseSource(emit: (phrase: Phrase) => void): PhraseSource;
  /** Decides whether a transcript is real speech (drops Whisper's silence hallucinations). */
  acceptText(text: string, phrase: Phrase, confidence?: TranscriptConfidence): string | undefined;
  listener: DictationSessionListener;
  onRecorderStarted?(recorder: Recorder): void;
  /**
   * Live preview of the phrase being spoken: 'on', 'off', or 'auto': on while the machine keeps up, i.e. previews
   * take less than the pause that ends a phrase (previews give way to every other job, so they never delay a
   * phrase's text; on a machine too slow for them they would only compete with VS Code for the CPU).
   */
  preview?: 'auto' | 'on' | 'off';
  /** Milliseconds between previews (default 500: twice a second). */
  previewIntervalMs?: number;
  /** The pause that ends a phrase (ms); the budget a preview must fit in. */
  pauseMs?: number;
  /**
   * Milliseconds into a pause at which the phrase is transcribed speculatively (0: never). Default: once the
   * phrase's trail has been heard (the source's `trailMs`), so the speculation transcribes exactly the audio of the
   * phrase to come and its text is the one the phrase would get. Shorter starts sooner on less trail, which Whisper
   * reads differently: 300 ms (of a 400-ms trail) made 22 word errors on the public clips against 18.
   */
  speculateAfterMs?: number;
  /**
   * A private folder for audio on disk: phrases spilled from memory and the capture file. Without it everything
   * stays in memory (and file capture is unavailable).
   */
  spillDirectory?: () => string;
  /**
   * Where captured audio waits for transcription: 'streaming' in memory (bounded by `maxBufferedSeconds`, the rest
   * spilled to disk), 'file' in a temp WAV written as it records, 'auto' streaming until the dictation gets long or
   * memory gets high (`relieveMemoryPressure`), then file. Default 'auto'.
   */
  captureMode?: CaptureMode;
  /** Seconds of waiting audio held in memory at most; phrases beyond it wait in spill files. Default 120. */
  maxBufferedSeconds?: number;
  /** Where the session accounts for its audio buffers (shared with the memory indicator); its own if omitted. */
  buffers?: BufferTracker;
  /** How often a recorder that dies mid-dictation is restarted (default: at most 3 times within 60 s). */
  recorderRestarts?: RestartBudgetOptions;
}

/** Previews start once the phrase (with its pre-roll) holds this much audio: ~0.3 s of speech. */
const PREVIEW_MIN_SAMPLES = 12800;
/** A pause this long stops previews of the phrase: its speculative transcription is due. */
const PREVIEW_QUIET_MS = 150;
const DEFAULT_PREVIEW_INTERVAL_MS = 500;
/** 'auto': after a preview slower than the pause, previews rest for this many times its duration. */
const PREVIEW_REST_FACTOR = 5;
/** For a phrase source that does not say how long its trail is. */
const DEFAULT_SPECULATE_AFTER_MS = 400;
const SAMPLE_RATE = 16000;
const PCM16 = { format: 'pcm', bitsPerSample: 16 } as const;
/**
 * In 'auto' mode a dictation this long switches to file capture: the longer it runs, the further a slow machine can
 * fall behind and the more speech a crash or an out-of-memory kill would take with it; five minutes is well past
 * ordinary dictation (phrases of seconds) and still only ~10 MB of PCM.
 */
export const LONG_RECORDING_MS = 5 * 60_000;
const DEFAULT_MAX_BUFFERED_SECONDS = 120;
/**
 * The longest stretch of silence put in for the audio a restarted recorder could not hear. A longer gap ends the
 * phrase (it is longer than any pause setting) just as this much does; more would only cost memory.
 */
const MAX_GAP_MS = 10_000;

export class DictationSession {
  private recorder?: Recorder;
  private source?: PhraseSource;
  private readonly queue: PhraseQueue;
  private suspended = false;
  private readonly spill?: PhraseSpill;
  private capture?: FileCapture;
  private readonly buffers: BufferTracker;
  private readonly tracked: TrackedBuffer[] = [];
  private processing?: Promise<void>;
  private stopping?: Promise<void>;
  private carry?: Buffer;
  private samplesSeen = 0;
  /** Recorders that die mid-dictation are restarted within this budget. */
  private readonly restarts: RestartBudget;
  /** Wall-clock time of the last audio from the microphone (the start of a restart's gap). */
  private lastAudioAt = 0;
  /** Set while a restarted recorder has not delivered audio yet: when its predecessor's last audio arrived. */
  private gapSince?: number;
  private gapSamples = 0;
  private cancelled = false;
  private stopped = false;
  private readonly idleWaiters: Array<() => void> = [];
  private previousText = '';
  private previewTimer?: NodeJS.Timeout;
  /** The preview being transcribed, withdrawn when the phrase ends or a pause begins. */
  private previewJob?: AbortController;
  /** Audio held for the preview and for the phrase being transcribed (counted in the buffers). */
  private previewAudio?: Float32Array;
  private transcribingAudio?: Float32Array;
  /** 'auto': no previews before this time (a preview took longer than the pause: the machine is busy). */
  private previewsPausedUntil = 0;
  /** The pause being transcribed ahead of time: the phrase's range, and its job. */
  private speculation?: Speculation;
  /** Speculative results of phrases that have ended, by their end sample, until their turn comes. */
  private readonly speculated = new Map<number, Speculation>();
  /** Phrases whose speculative text was used, and speculations withdrawn because speech resumed. */
  speculativeHits = 0;
  /** Set while salvage() collects the phrase the segmenter flushes. */
  private salvaged?: Float32Array[];
  speculativeMisses = 0;

  constructor(private readonly options: DictationSessionOptions) {
    trackLeak('session', this);
    if (options.spillDirectory) this.spill = new PhraseSpill(options.spillDirectory);
    this.buffers = options.buffers ?? new BufferTracker();
    this.restarts = new RestartBudget(options.recorderRestarts);
    this.queue = new PhraseQueue({
      maxBufferedSeconds: options.maxBufferedSeconds ?? DEFAULT_MAX_BUFFERED_SECONDS,
      spill: this.spill,
      sampleRate: SAMPLE_RATE,
      onError: (error) => this.report(error),
    });
  }

  /** Phrases whose audio waited on disk instead of in memory: in spill files, or as ranges of the capture file. */
  get spilledPhrases(): number {
    return this.queue.spilledCount + this.queue.capturedCount;
  }

  /** Phrases written to spill files (memory bound exceeded, or memory critical). */
  get spillFilePhrases(): number {
    return this.queue.spilledCount;
  }

  /** Phrases that waited as ranges of the capture file. */
  get capturedPhrases(): number {
    return this.queue.capturedCount;
  }

  /** Phrases whose audio was read back from disk for transcription. */
  get phrasesReadFromDisk(): number {
    return this.queue.readBackCount;
  }

  get captureMode(): 'streaming' | 'file' {
    return this.capture ? 'file' : 'streaming';
  }

  /** The capture WAV while file capture runs (it is deleted when the dictation ends). */
  get captureFile(): string | undefined {
    return this.capture?.path;
  }

  /** How full the in-memory bound of waiting audio is (0..1). */
  get queueFillLevel(): number {
    return this.queue.fillLevel;
  }

  get transcriptionSuspended(): boolean {
    return this.suspended;
  }

  /**
   * Memory is critical: keep listening, but move waiting phrases (and every new one) to disk instead of memory and
   * stop sending work to the worker, so that its model can be unloaded. Nothing spoken is dropped.
   */
  suspendTranscription(): void {
    if (!this.spill || this.suspended || this.stopped) return;
    this.suspended = true;
    this.stopPreview();
    this.queue.spillAll();
  }

  /** Pressure has eased: transcribe what waited on disk, in order, and go on as normal. */
  resumeTranscription(): void {
    if (!this.suspended) return;
    this.suspended = false;
    if (!this.processing && this.queue.length > 0) this.processing = this.drain();
  }

  /**
   * Memory is high: in 'auto' mode switch to file capture, and move what waits in memory to disk now, so the
   * audio buffers give back their memory.
   */
  relieveMemoryPressure(): void {
    this.preferFileCapture('memory is high');
    this.queue.release();
  }

  /** Switches to file capture if the capture mode leaves the choice to the session ('auto'). */
  preferFileCapture(reason: string): void {
    if ((this.options.captureMode ?? 'auto') === 'auto') this.startFileCapture(reason);
  }

  private startFileCapture(reason: string): void {
    if (this.capture || this.stopped || !this.options.spillDirectory) return;
    let directory: string;
    try {
      directory = this.options.spillDirectory();
    } catch (error) {
      this.report(error as Error);
      return;
    }
    // From the next sample on, everything the recorder delivers goes to the file.
    this.capture = new FileCapture(directory, this.samplesSeen, (error) => this.report(error));
    this.options.listener.onCaptureFile?.(this.capture.path, reason);
  }

  /** Starts the microphone and, in parallel, gets the engine ready; resolves when both are. */
  async start(): Promise<void> {
    this.trackBuffers();
    this.source = this.options.createPhraseSource((phrase) => this.enqueue(phrase));
    if (this.options.captureMode === 'file') this.startFileCapture('the capture mode is "file"');
    this.startRecorder();
    await this.options.transcriber.prepare();
    if ((this.options.preview ?? 'auto') !== 'off') {
      this.previewTimer = setInterval(() => void this.preview(), this.options.previewIntervalMs ?? DEFAULT_PREVIEW_INTERVAL_MS);
      this.previewTimer.unref();
    }
  }

  private startRecorder(): Recorder {
    const recorder = Recorder.start(this.options.recorder, {
      // Only the current recorder's audio counts: a replaced one's last bytes must not be heard twice or out of order.
      onData: (chunk) => {
        if (this.recorder === recorder) this.onPcm(chunk);
      },
      onError: (error: RecorderError) => this.onRecorderError(recorder, error),
    });
    this.recorder = recorder;
    this.options.onRecorderStarted?.(recorder);
    return recorder;
  }

  /** Recorders restarted in this dictation after dying. */
  get recorderRestarts(): number {
    return this.restarts.total;
  }

  /** Milliseconds of audio the restarts missed (heard as silence), over the dictation. */
  get recorderGapMs(): number {
    return Math.round((this.gapSamples / SAMPLE_RATE) * 1000);
  }

  /**
   * The recorder ended while we were not stopping it. If it had been recording and the budget allows, a new one takes
   * its place and the dictation goes on: phrases already captured stay where they are (queued, being transcribed),
   * and the phrase being spoken is not cut (see onPcm: the gap is heard as silence). Otherwise, today's end: the
   * phrase being spoken is kept, and the person gets the error (a recorder that never delivered audio cannot record,
   * so a restart would only delay its advice; one that keeps dying has a cause the person must see).
   */
  private onRecorderError(recorder: Recorder, error: RecorderError): void {
    if (recorder !== this.recorder || this.stopped || this.cancelled) return;
    const startable = error.code !== 'RECORDER_NOT_FOUND';
    const verdict = this.restarts.onDeath(Date.now(), startable && recorder.bytesDelivered > 0);
    if (verdict.restart) {
      this.gapSince = this.lastAudioAt || Date.now();
      // An odd byte from the dead recorder must not pair with the new one's first byte: every sample after it would
      // be misaligned (noise).
      this.carry = undefined;
      const next = this.startRecorder();
      this.options.listener.onRecorderRestarted?.({ error, restarts: verdict.restarts, pid: next.pid });
      return;
    }
    // The recorder died mid-phrase: keep what was said so far.
    this.source?.flush();
    if (verdict.reason === 'budget-used') {
      const { maxRestarts, windowMs } = this.restarts.limit;
      error = new RecorderError(error.code, `${error.message} It had already been restarted ${maxRestarts} times within ${Math.round(windowMs / 1000)} s and kept stopping, so dictation stopped (what you said before is kept). Check that the microphone is connected and not taken by another program, then start dictation again.`, error.detail);
    }
    this.options.listener.onError(error);
  }

  /** Every buffer of audio this session holds, by owner, in the shared tracker. */
  private trackBuffers(): void {
    this.tracked.push(
      this.buffers.track('segmenter', () => this.source?.bufferedBytes ?? 0),
      this.buffers.track('queue', () => this.queue.ringBytes),
      this.buffers.track('queue, not yet on disk', () => this.queue.outsideRingBytes),
      this.buffers.track('capture file, not yet written', () => this.capture?.file.pendingBytes ?? 0),
      this.buffers.track('preview', () => this.previewAudio?.byteLength ?? 0),
      this.buffers.track('transcribing', () => this.transcribingAudio?.byteLength ?? 0),
    );
  }

  /** Whether live previews are being produced now ('auto' pauses them while the machine is too slow). */
  get previewActive(): boolean {
    return !!this.previewTimer && this.previewAffordable();
  }

  /**
   * Whether a preview may run now: always for 'on'; for 'auto', unless a recent preview took longer than the pause
   * (then previews rest for a few times that long, and are tried again: one slow preview, say a full-window fallback
   * or a busy moment, must not end them for the rest of the dictation).
   */
  private previewAffordable(): boolean {
    return this.options.preview === 'on' || Date.now() >= this.previewsPausedUntil;
  }

  /** The worker has nothing of this dictation's to do but previews. */
  private get workerFree(): boolean {
    return !this.processing && this.queue.length === 0 && !this.speculation && this.speculated.size === 0;
  }

  private async preview(): Promise<void> {
    if (this.previewJob || !this.workerFree || this.stopped || this.suspended || !this.previewAffordable()) return;
    const source = this.source;
    const onset = source?.speechStartSample;
    if (!source || onset === undefined || (source.pauseSoFarMs ?? 0) >= PREVIEW_QUIET_MS) return;
    const audio = source.currentPhrase();
    if (!audio || audio.length < PREVIEW_MIN_SAMPLES) return;
    const job = new AbortController();
    this.previewJob = job;
    this.previewAudio = trackLeak('phrase-buffer', audio, 'preview audio');
    const speechStartedAt = this.wallClockOf(onset);
    try {
      const result = await this.options.transcriber.transcribe(audio, { ...this.options.transcribeOptions(), priority: 'preview' }, undefined, job.signal);
      if (result.cancelled) return;
      if (result.elapsedMs >= (this.options.pauseMs ?? 700)) this.previewsPausedUntil = Date.now() + PREVIEW_REST_FACTOR * result.elapsedMs;
      // A phrase that ended (or paused) meanwhile has its own text coming; a stale preview must not flash up.
      const text = this.options.acceptText(result.text, { samples: audio, endMs: 0, speechMs: 0, speechDbfs: -Infinity }, result.confidence);
      if (text && !job.signal.aborted && !this.stopped && source.speechStartSample === onset) {
        this.options.listener.onPartialText?.({ text, speechStartedAt });
      }
    } catch {
      // A failed preview is not worth reporting: the final transcription of the phrase follows.
    } finally {
      if (this.previewJob === job) this.previewJob = undefined;
      this.previewAudio = undefined;
    }
  }

  stopPreview(): void {
    if (this.previewTimer) clearInterval(this.previewTimer);
    this.previewTimer = undefined;
    this.withdrawPreview();
  }

  private withdrawPreview(): void {
    this.previewJob?.abort();
    this.previewJob = undefined;
  }

  /** Wall-clock time of a stream position (samples since the session started). */
  private wallClockOf(sample: number): number {
    return Date.now() - ((this.samplesSeen - sample) / SAMPLE_RATE) * 1000;
  }

  /**
   * Called after every piece of audio: a pause that has lasted `speculateAfterMs` gets its phrase transcribed now,
   * if the worker has nothing else of ours to do; a speculation whose pause ended in more speech is withdrawn.
   */
  private speculate(): void {
    const source = this.source;
    const after = this.options.speculateAfterMs ?? source?.trailMs ?? DEFAULT_SPECULATE_AFTER_MS;
    if (after <= 0 || !source?.tentativePhrase) return;
    const pauseMs = source.pauseSoFarMs ?? 0;
    const current = this.speculation;
    if (current) {
      // The same pause goes on: the same phrase is coming. Cheap to tell (no copy of the phrase per chunk of audio).
      if (pauseMs >= current.pauseMs) {
        current.pauseMs = pauseMs;
        return;
      }
      // The pause ended: in more speech (the phrase will be longer), or in the phrase, claimed by enqueue().
      this.speculation = undefined;
      if (!current.claimed) {
        current.job.abort();
        this.speculativeMisses++;
      }
    }
    if (pauseMs < after || this.suspended || this.stopped || this.processing || this.queue.length > 0) return;
    const tentative = source.tentativePhrase();
    if (!tentative) return;
    trackLeak('phrase-buffer', tentative.samples, 'speculative phrase audio');
    this.withdrawPreview();
    const job = new AbortController();
    const options = this.optionsWithPrompt();
    const result = this.options.transcriber.transcribe(tentative.samples, options, undefined, job.signal);
    // Settled here too, so a withdrawn job's rejection is never unhandled.
    result.catch(() => undefined);
    this.speculation = { phrase: { startSample: tentative.startSample, endMs: tentative.endMs }, pauseMs, job, result, claimed: false, options };
  }

  get recorderPid(): number | undefined {
    return this.recorder?.pid;
  }

  /** Bytes of audio this session holds in memory (the sum of its tracked buffers). */
  get bufferedBytes(): number {
    return this.tracked.reduce((sum, buffer) => sum + buffer.bytes, 0);
  }

  get elapsedMs(): number {
    return (this.samplesSeen / SAMPLE_RATE) * 1000;
  }

  /**
   * Stops listening, keeps the tail of the speech, and resolves when every phrase has been transcribed and the
   * session's files are gone.
   */
  stop(): Promise<void> {
    if (this.cancelled) return Promise.resolve();
    this.stopping ??= this.finish();
    return this.stopping;
  }

  private async finish(): Promise<void> {
    this.stopped = true;
    this.stopPreview();
    await this.recorder?.stop();
    this.source?.flush();
    // The recording is complete: give the capture file its real sizes (it is an ordinary WAV from here on).
    await this.capture?.finish().catch((error: Error) => this.report(error));
    // The person asked for their text: phrases waiting on disk are transcribed now, whatever the pressure.
    this.resumeTranscription();
    await this.whenIdle();
    await this.release();
  }

  /**
   * The extension is being deactivated (window closed or reloaded) mid-dictation: there is no time to transcribe,
   * so hand back the audio of every phrase not yet delivered — the one being transcribed, those waiting in memory and
   * the one being spoken — for the caller to keep; then end like cancel(). `onDiskOnly`: waiting phrases whose audio
   * was only in the session's temp folder (deleted with it).
   */
  salvage(): { audio: Float32Array[]; onDiskOnly: number } {
    if (this.cancelled) return { audio: [], onDiskOnly: 0 };
    const audio: Float32Array[] = [];
    if (this.transcribingAudio) audio.push(this.transcribingAudio);
    const waiting = this.queue.salvage();
    audio.push(...waiting.audio);
    // The phrase being spoken: the segmenter hands it over now instead of at its pause.
    this.salvaged = audio;
    this.source?.flush();
    this.salvaged = undefined;
    this.cancel();
    return { audio, onDiskOnly: waiting.onDiskOnly };
  }

  /** Drops everything: the recorder is killed and queued phrases are discarded. */
  cancel(): void {
    this.cancelled = true;
    this.stopped = true;
    this.stopPreview();
    this.speculation?.job.abort();
    for (const speculation of this.speculated.values()) speculation.job.abort();
    this.speculation = undefined;
    this.speculated.clear();
    this.recorder?.kill();
    this.queue.clear();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
    void this.release();
  }

  /** Stops accounting for the session's buffers and deletes the capture file. */
  private async release(): Promise<void> {
    for (const buffer of this.tracked.splice(0)) buffer.dispose();
    await this.capture?.delete().catch((error: Error) => this.report(error));
  }

  private report(error: Error): void {
    if (!this.cancelled) this.options.listener.onError(error);
  }

  private onPcm(chunk: Buffer): void {
    if (this.cancelled) return;
    const now = Date.now();
    if (this.gapSince !== undefined) {
      // A restarted recorder's first audio. What was said between the old recorder's last audio and this chunk's
      // start was never recorded; it goes in as that long a silence rather than nothing. Why silence, and not ending
      // the phrase: the restart takes a fraction of a second, shorter than the pause that ends a phrase, so the
      // phrase being spoken goes on across the gap and Whisper reads it whole, with its context (a phrase cut at the
      // kill and another started mid-sentence would each lose the word at the cut, and read worse); if the gap is
      // longer than the pause, the segmenter ends the phrase there as at any pause. The stream also stays on the
      // wall clock, which the latency figures, the previews and the capture file's ranges count on.
      const chunkMs = (chunk.length / 2 / SAMPLE_RATE) * 1000;
      const gapMs = Math.min(MAX_GAP_MS, Math.max(0, now - chunkMs - this.gapSince));
      this.gapSince = undefined;
      const gapSamples = Math.round((gapMs / 1000) * SAMPLE_RATE);
      this.gapSamples += gapSamples;
      if (gapSamples > 0) this.hear(new Float32Array(gapSamples), Buffer.alloc(gapSamples * 2), false);
    }
    this.lastAudioAt = now;
    // s16le samples can straddle chunk boundaries: keep an odd trailing byte for the next chunk.
    let bytes = chunk;
    if (this.carry) {
      bytes = Buffer.concat([this.carry, chunk]);
      this.carry = undefined;
    }
    if (bytes.length % 2 === 1) {
      this.carry = bytes.subarray(bytes.length - 1);
      bytes = bytes.subarray(0, bytes.length - 1);
    }
    this.hear(decodeWavSamples(PCM16, bytes), bytes, true);
  }

  /** Audio in stream order: `fromMicrophone` false for the silence standing in for a restart's gap. */
  private hear(samples: Float32Array, bytes: Buffer, fromMicrophone: boolean): void {
    if (!this.capture && this.elapsedMs >= LONG_RECORDING_MS) this.preferFileCapture('the dictation is longer than 5 minutes');
    // Into the file before the segmenter sees it: a phrase it emits is then always wholly appended.
    this.capture?.append(bytes);
    this.samplesSeen += samples.length;
    // The microphone checks (a microphone that delivers only zeros) judge the microphone, not our stand-in silence.
    if (fromMicrophone) this.options.listener.onAudio?.(samples);
    this.source?.push(samples);
    this.speculate();
  }

  private enqueue(phrase: Phrase): void {
    if (this.cancelled) return;
    trackLeak('phrase-buffer', phrase.samples, 'phrase audio');
    if (this.salvaged) {
      this.salvaged.push(phrase.samples);
      return;
    }
    this.withdrawPreview();
    const speculation = this.speculation;
    if (speculation && sameSpeech(speculation.phrase, phrase) && phrase.endSample !== undefined) {
      speculation.claimed = true;
      this.speculated.set(phrase.endSample, speculation);
    }
    // The segmenter notices the end of speech only after the pause; count that wait in the latency.
    const speechEndedAt = Date.now() - Math.max(0, this.elapsedMs - phrase.endMs);
    this.queue.add(phrase, speechEndedAt, { disk: this.capture?.rangeOf(phrase), toDisk: this.suspended });
    if (!this.suspended && !this.processing) this.processing = this.drain();
  }

  private async drain(): Promise<void> {
    this.options.listener.onTranscribing?.(true);
    try {
      while (this.queue.length > 0 && !this.cancelled && !this.suspended) {
        let next: WaitingPhrase | undefined;
        try {
          next = await this.queue.take();
        } catch (error) {
          this.report(new Error(`A phrase waiting on disk could not be read back: ${(error as Error).message}`));
          continue;
        }
        if (!next) break;
        await this.transcribe(next.phrase, next.speechEndedAt);
      }
    } finally {
      this.processing = undefined;
      this.options.listener.onTranscribing?.(false);
      if (this.queue.length > 0 && !this.cancelled && !this.suspended) this.processing = this.drain();
      else if (this.queue.length === 0 || this.cancelled) for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async transcribe(phrase: Phrase, speechEnded: number): Promise<void> {
    this.transcribingAudio = phrase.samples;
    try {
      const ahead = phrase.endSample !== undefined ? this.speculated.get(phrase.endSample) : undefined;
      if (ahead) this.speculated.delete(phrase.endSample!);
      let result = ahead ? await ahead.result.catch(() => undefined) : undefined;
      const speculative = !!result && !result.cancelled;
      const options = speculative ? ahead!.options : this.optionsWithPrompt();
      if (speculative) this.speculativeHits++;
      else result = await this.options.transcriber.transcribe(phrase.samples, options);
      if (this.cancelled || !result || result.cancelled) return;
      const text = this.options.acceptText(result.text, phrase, result.confidence);
      if (!text) {
        if (result.text.trim()) this.options.listener.onNotSpeech?.({ text: result.text.trim(), speechMs: phrase.speechMs, confidence: result.confidence });
        return;
      }
      this.previousText = text;
      await this.options.listener.onPhraseText({
        text, phrase, latencyMs: Date.now() - speechEnded, speechEndedAt: speechEnded, transcribeMs: result.elapsedMs, speculative, fallback: result.fallback, options,
      });
    } catch (error) {
      this.options.listener.onError(error as Error);
    } finally {
      this.transcribingAudio = undefined;
    }
  }

  /**
   * The options' prompt (the vocabulary from the code, precomputed: nothing is collected here) followed by the end
   * of the previous phrase, which keeps casing and vocabulary consistent across phrases; bounded to Whisper's limit.
   */
  private optionsWithPrompt(): TranscribeOptions {
    const options = this.options.transcribeOptions();
    return { ...options, initialPrompt: composePrompt(options.initialPrompt, this.previousText) };
  }

  private whenIdle(): Promise<void> {
    if ((!this.processing && this.queue.length === 0) || this.cancelled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

interface Speculation {
  /** Where the phrase's audio starts and its speech ends (its samples went to the worker). */
  phrase: Pick<Phrase, 'startSample' | 'endMs'>;
  /** How long the pause had lasted at the last look: a shorter pause later means speech came in between. */
  pauseMs: number;
  job: AbortController;
  result: Promise<TranscribeResult>;
  /** The phrase ended as speculated and waits in the queue for this result. */
  claimed: boolean;
  options: TranscribeOptions;
}

/** The same phrase start and the same last loud frame: the same words, whatever quiet follows them. */
function sameSpeech(a: Pick<Phrase, 'startSample' | 'endMs'>, b: Pick<Phrase, 'startSample' | 'endMs'>): boolean {
  return a.startSample !== undefined && a.startSample === b.startSample && a.endMs === b.endMs;
}
