// One dictation, from microphone to text: the recorder's PCM is decoded, cut into phrases at pauses, and each
// phrase is transcribed by the Whisper worker while the person keeps speaking. Phrases are transcribed strictly in
// order, one at a time; their text is handed out in order. No vscode here: the editor side listens to events.
import type { WhisperClient } from '../whisper/client';
import type { TranscribeOptions } from '../whisper/protocol';
import { Recorder, RecorderCommand, RecorderError } from '../audio/recorder';
import { PhraseSpill } from './phraseSpill';

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
}

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
  /** A private folder for phrases spilled to disk while transcription is suspended (memory pressure). */
  spillDirectory?: () => string;
}

/** A phrase waiting for transcription: its audio in memory, or in a spill file while memory is critical. */
interface QueuedPhrase {
  phrase: Phrase;
  speechEndedAt: number;
  spilled?: Promise<string>;
}

const PREVIEW_MIN_SAMPLES = 16000;
const PREVIEW_BUDGET_FRACTION = 0.8;

export class DictationSession {
  private recorder?: Recorder;
  private source?: PhraseSource;
  private readonly queue: QueuedPhrase[] = [];
  private suspended = false;
  private readonly spill?: PhraseSpill;
  private processing?: Promise<void>;
  private carry?: Buffer;
  private samplesSeen = 0;
  private cancelled = false;
  private stopped = false;
  private readonly idleWaiters: Array<() => void> = [];
  private previousText = '';
  private previewTimer?: NodeJS.Timeout;
  private previewRunning = false;
  /** How long the last transcription took: the estimate for the next one. */
  private lastTranscribeMs?: number;

  constructor(private readonly options: DictationSessionOptions) {
    if (options.spillDirectory) this.spill = new PhraseSpill(options.spillDirectory);
  }

  /** Phrases written to disk so far because transcription was suspended. */
  get spilledPhrases(): number {
    return this.spill?.spilledCount ?? 0;
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
    for (const item of this.queue) this.spillItem(item);
  }

  /** Pressure has eased: transcribe what waited on disk, in order, and go on as normal. */
  resumeTranscription(): void {
    if (!this.suspended) return;
    this.suspended = false;
    if (!this.processing && this.queue.length > 0) this.processing = this.drain();
  }

  private spillItem(item: QueuedPhrase): void {
    if (item.spilled || !this.spill) return;
    const samples = item.phrase.samples;
    item.spilled = this.spill.write(samples);
    // Once on disk, the queue no longer holds the audio.
    void item.spilled.then(() => (item.phrase = { ...item.phrase, samples: new Float32Array(0) }), () => undefined);
  }

  /** Starts the microphone and, in parallel, loads the model; resolves when both are ready. */
  async start(): Promise<void> {
    this.source = this.options.createPhraseSource((phrase) => this.enqueue(phrase));
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
    }
  }

  stopPreview(): void {
    if (this.previewTimer) clearInterval(this.previewTimer);
    this.previewTimer = undefined;
  }

  get recorderPid(): number | undefined {
    return this.recorder?.pid;
  }

  get bufferedBytes(): number {
    return (this.source?.bufferedBytes ?? 0) + this.queue.reduce((sum, item) => sum + item.phrase.samples.byteLength, 0);
  }

  get elapsedMs(): number {
    return (this.samplesSeen / 16000) * 1000;
  }

  /** Stops listening, keeps the tail of the speech, and resolves when every phrase has been transcribed. */
  async stop(): Promise<void> {
    if (this.stopped) return this.whenIdle();
    this.stopped = true;
    this.stopPreview();
    await this.recorder?.stop();
    this.source?.flush();
    // The person asked for their text: phrases waiting on disk are transcribed now, whatever the pressure.
    this.resumeTranscription();
    await this.whenIdle();
  }

  /** Drops everything: the recorder is killed and queued phrases are discarded. */
  cancel(): void {
    this.cancelled = true;
    this.stopped = true;
    this.stopPreview();
    this.recorder?.kill();
    for (const item of this.queue.splice(0)) void item.spilled?.then((path) => this.spill?.discard(path), () => undefined);
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
    const count = bytes.length / 2;
    const samples = new Float32Array(count);
    for (let i = 0; i < count; i++) samples[i] = bytes.readInt16LE(i * 2) / 32768;
    this.samplesSeen += count;
    this.options.listener.onAudio?.(samples);
    this.source?.push(samples);
  }

  private enqueue(phrase: Phrase): void {
    if (this.cancelled) return;
    // The segmenter notices the end of speech only after the pause; count that wait in the latency.
    const item: QueuedPhrase = { phrase, speechEndedAt: Date.now() - Math.max(0, this.elapsedMs - phrase.endMs) };
    this.queue.push(item);
    if (this.suspended) this.spillItem(item);
    else if (!this.processing) this.processing = this.drain();
  }

  private async drain(): Promise<void> {
    this.options.listener.onTranscribing?.(true);
    try {
      while (this.queue.length > 0 && !this.cancelled && !this.suspended) {
        const item = this.queue.shift()!;
        const samples = item.spilled ? await this.spill!.take(await item.spilled) : item.phrase.samples;
        await this.transcribe({ ...item.phrase, samples }, item.speechEndedAt);
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
    }
  }

  private whenIdle(): Promise<void> {
    if ((!this.processing && this.queue.length === 0) || this.cancelled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
