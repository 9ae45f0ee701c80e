// One dictation, from microphone to text: the recorder's PCM is decoded, cut into phrases at pauses, and each
// phrase is transcribed by the Whisper worker while the person keeps speaking. Phrases are transcribed strictly in
// order, one at a time; their text is handed out in order. No vscode here: the editor side listens to events.
// Waiting phrases are bounded in memory (PhraseQueue: a ring, overflow to spill files); in file capture mode the
// recording also goes to a private temp WAV and waiting phrases are ranges of it (FileCapture).
import type { WhisperClient } from '../whisper/client';
import type { TranscribeOptions } from '../whisper/protocol';
import { Recorder, RecorderCommand, RecorderError } from '../audio/recorder';
import { decodeWavSamples } from '../../core/audio/wav';
import { BufferTracker, type TrackedBuffer } from '../../core/audio/bufferTracker';
import { PhraseSpill } from './phraseSpill';
import { PhraseQueue, type WaitingPhrase } from './phraseQueue';
import { FileCapture } from './fileCapture';

/** What the session needs from voice-activity segmentation (implemented in core/vad). */
export interface PhraseSource {
  push(samples: Float32Array): void;
  /** Bytes of audio the source holds (pre-roll and the phrase being spoken). */
  readonly bufferedBytes: number;
  /** Audio of the phrase being spoken so far, for the live preview; undefined while silent. */
  currentPhrase(): Float32Array | undefined;
  /** Ends the current phrase at once (on stop) and emits it if it holds speech. */
  flush(): void;
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
}

export interface PhraseResult {
  text: string;
  phrase: Phrase;
  /** Time from the end of speech to the text being ready. */
  latencyMs: number;
  /** Wall-clock time (ms since epoch) at which the speech of this phrase ended. */
  speechEndedAt: number;
  transcribeMs: number;
}

export interface DictationSessionListener {
  onPhraseText(result: PhraseResult): void | Promise<void>;
  onPartialText?(text: string): void;
  onTranscribing?(busy: boolean): void;
  onError(error: Error): void;
  onAudio?(samples: Float32Array): void;
  /** File capture has started (a private WAV at `path`), and why. */
  onCaptureFile?(path: string, reason: string): void;
}

export type CaptureMode = 'auto' | 'streaming' | 'file';

export interface DictationSessionOptions {
  recorder: RecorderCommand;
  client: WhisperClient;
  modelPath: string;
  transcribeOptions: () => TranscribeOptions;
  /** Builds the segmenter; it calls `emit` for every finished phrase. */
  createPhraseSource(emit: (phrase: Phrase) => void): PhraseSource;
  /** Decides whether a transcript is real speech (drops Whisper's silence hallucinations). */
  acceptText(text: string, phrase: Phrase): string | undefined;
  listener: DictationSessionListener;
  onRecorderStarted?(recorder: Recorder): void;
  /**
   * Live preview of the phrase being spoken: 'on', 'off', or 'auto': only while the machine keeps up, i.e. a
   * transcription takes clearly less than the pause that ends a phrase, so a preview started just before the
   * speaker stops is done before the final phrase needs the worker (whisper.cpp cannot be interrupted).
   */
  preview?: 'auto' | 'on' | 'off';
  previewIntervalMs?: number;
  /** The pause that ends a phrase (ms); the budget a preview must fit in. */
  pauseMs?: number;
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
}

const PREVIEW_MIN_SAMPLES = 16000;
const PREVIEW_BUDGET_FRACTION = 0.8;
const SAMPLE_RATE = 16000;
const PCM16 = { format: 'pcm', bitsPerSample: 16 } as const;
/**
 * In 'auto' mode a dictation this long switches to file capture: the longer it runs, the further a slow machine can
 * fall behind and the more speech a crash or an out-of-memory kill would take with it; five minutes is well past
 * ordinary dictation (phrases of seconds) and still only ~10 MB of PCM.
 */
export const LONG_RECORDING_MS = 5 * 60_000;
const DEFAULT_MAX_BUFFERED_SECONDS = 120;

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
  private cancelled = false;
  private stopped = false;
  private readonly idleWaiters: Array<() => void> = [];
  private previousText = '';
  private previewTimer?: NodeJS.Timeout;
  private previewRunning = false;
  /** Audio held for the preview and for the phrase being transcribed (counted in the buffers). */
  private previewAudio?: Float32Array;
  private transcribingAudio?: Float32Array;
  /** How long the last transcription took: the estimate for the next one. */
  private lastTranscribeMs?: number;

  constructor(private readonly options: DictationSessionOptions) {
    if (options.spillDirectory) this.spill = new PhraseSpill(options.spillDirectory);
    this.buffers = options.buffers ?? new BufferTracker();
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

  /** Starts the microphone and, in parallel, loads the model; resolves when both are ready. */
  async start(): Promise<void> {
    this.trackBuffers();
    this.source = this.options.createPhraseSource((phrase) => this.enqueue(phrase));
    if (this.options.captureMode === 'file') this.startFileCapture('the capture mode is "file"');
    this.recorder = Recorder.start(this.options.recorder, {
      onData: (chunk) => this.onPcm(chunk),
      onError: (error: RecorderError) => {
        // The recorder died mid-phrase: keep what was said so far.
        this.source?.flush();
        this.options.listener.onError(error);
      },
    });
    this.options.onRecorderStarted?.(this.recorder);
    await this.options.client.ensureModel(this.options.modelPath);
    if ((this.options.preview ?? 'auto') !== 'off') {
      this.previewTimer = setInterval(() => void this.preview(), this.options.previewIntervalMs ?? 1000);
      this.previewTimer.unref();
    }
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

  /** Whether a preview now fits the budget (always for 'on'; for 'auto', judged by the last transcription). */
  private previewAffordable(): boolean {
    if (this.options.preview === 'on') return true;
    const budget = (this.options.pauseMs ?? 700) * PREVIEW_BUDGET_FRACTION;
    return this.lastTranscribeMs !== undefined && this.lastTranscribeMs < budget;
  }

  private async preview(): Promise<void> {
    if (this.previewRunning || this.processing || this.queue.length > 0 || this.stopped || !this.previewAffordable()) return;
    const audio = this.source?.currentPhrase();
    if (!audio || audio.length < PREVIEW_MIN_SAMPLES) return;
    this.previewRunning = true;
    this.previewAudio = audio;
    try {
      const result = await this.options.client.transcribe(audio, this.options.transcribeOptions());
      this.lastTranscribeMs = result.elapsedMs;
      // A phrase that finished meanwhile replaces the preview; a stale preview must not flash up after it.
      if (!this.stopped && !this.processing && this.queue.length === 0 && this.source?.currentPhrase()) {
        this.options.listener.onPartialText?.(result.text.trim());
      }
    } catch {
      // A failed preview is not worth reporting: the final transcription of the phrase follows.
    } finally {
      this.previewRunning = false;
      this.previewAudio = undefined;
    }
  }

  stopPreview(): void {
    if (this.previewTimer) clearInterval(this.previewTimer);
    this.previewTimer = undefined;
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

  /** Drops everything: the recorder is killed and queued phrases are discarded. */
  cancel(): void {
    this.cancelled = true;
    this.stopped = true;
    this.stopPreview();
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
    const samples = decodeWavSamples(PCM16, bytes);
    if (!this.capture && this.elapsedMs >= LONG_RECORDING_MS) this.preferFileCapture('the dictation is longer than 5 minutes');
    // Into the file before the segmenter sees it: a phrase it emits is then always wholly appended.
    this.capture?.append(bytes);
    this.samplesSeen += samples.length;
    this.options.listener.onAudio?.(samples);
    this.source?.push(samples);
  }

  private enqueue(phrase: Phrase): void {
    if (this.cancelled) return;
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
    const options = { ...this.options.transcribeOptions(), initialPrompt: this.previousText.slice(-200) || undefined };
    this.transcribingAudio = phrase.samples;
    try {
      const result = await this.options.client.transcribe(phrase.samples, options);
      this.lastTranscribeMs = result.elapsedMs;
      if (this.cancelled || result.cancelled) return;
      const text = this.options.acceptText(result.text, phrase);
      if (!text) return;
      this.previousText = text;
      await this.options.listener.onPhraseText({ text, phrase, latencyMs: Date.now() - speechEnded, speechEndedAt: speechEnded, transcribeMs: result.elapsedMs });
    } catch (error) {
      this.options.listener.onError(error as Error);
    } finally {
      this.transcribingAudio = undefined;
    }
  }

  private whenIdle(): Promise<void> {
    if ((!this.processing && this.queue.length === 0) || this.cancelled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
