// Language detection once per dictation or file. With the language setting 'auto', the first transcription that
// produces text asks whisper.cpp to detect the language; from then on every job is told that language. So one short
// or mumbled phrase cannot flip a French dictation to Portuguese halfway, and only the first job pays for detection
// (whisper.cpp detects from a full 30-s encoder pass, whatever window the job itself uses).
//
// While the detection runs, other final jobs wait for it rather than detect on their own (a file's parallel chunks
// all follow its first chunk). Previews never wait and never decide: they run with whatever is known, and their
// partial audio does not fix the language. A job that produced no text (silence) decides nothing: the next job
// detects instead.
import type { TranscribeOptions, TranscribeResult, TranscriptSegment } from '../whisper/protocol';
import type { Transcriber } from './transcriber';

/** One decision per dictation or file, shared by every Transcriber it wraps (a file's parallel workers). */
export class LanguageKeeper {
  private detected?: string;
  /** The job detecting the language now; others wait for it. */
  private detecting?: Promise<unknown>;

  /**
   * @param setting the language setting: a code is used as is, 'auto' is detected once.
   * @param onDetected called once, with the language detected.
   */
  constructor(
    private readonly setting: string,
    private readonly onDetected?: (language: string) => void,
  ) {}

  /** The language jobs are told now: the setting, the detected language, or 'auto' before detection. */
  get language(): string {
    return this.setting === 'auto' ? this.detected ?? 'auto' : this.setting;
  }

  /** The language detected, once one has been. */
  get detectedLanguage(): string | undefined {
    return this.detected;
  }

  /** A Transcriber that tells `inner` the language this keeper decides. */
  wrap(inner: Transcriber): Transcriber {
    return {
      prepare: () => inner.prepare(),
      transcribe: (audio, options, onPartial, signal) => this.transcribe(inner, audio, options, onPartial, signal),
    };
  }

  private async transcribe(inner: Transcriber, audio: Float32Array, options: TranscribeOptions, onPartial?: (segment: TranscriptSegment) => void, signal?: AbortSignal): Promise<TranscribeResult> {
    if (this.setting !== 'auto' || options.priority === 'preview') return inner.transcribe(audio, { ...options, language: this.language }, onPartial, signal);
    while (!this.detected && this.detecting) await this.detecting.catch(() => undefined);
    if (this.detected) return inner.transcribe(audio, { ...options, language: this.detected }, onPartial, signal);
    const job = inner.transcribe(audio, { ...options, language: 'auto' }, onPartial, signal);
    this.detecting = job;
    try {
      const result = await job;
      if (result.language && !result.cancelled && !this.detected) {
        this.detected = result.language;
        this.onDetected?.(result.language);
      }
      return result;
    } finally {
      if (this.detecting === job) this.detecting = undefined;
    }
  }
}
