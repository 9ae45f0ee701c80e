// The slice of smart-whisper's native binding we use. We load the `.node` addon directly instead of smart-whisper's
// JS wrapper: the wrapper creates ~/.smart-whisper at import, and its auto-offload timer frees the model behind our
// back, which crashes the process when a transcription is running (FINDINGS).

export type NativeHandle = { readonly __nativeHandle: unique symbol };

export interface NativeSegment {
  from: number;
  to: number;
  text: string;
  /** With format 'detail': the segment's tokens (special ones included). */
  tokens?: ReadonlyArray<{ id: number; p: number; text: string }>;
  /** With format 'detail': the language of the run (detected when the job asked for 'auto'). */
  lang?: string;
}

export interface NativeTranscribeParams {
  strategy: number;
  n_threads: number;
  language: string;
  translate: boolean;
  no_context: boolean;
  no_timestamps: boolean;
  single_segment: boolean;
  suppress_blank: boolean;
  suppress_non_speech_tokens: boolean;
  temperature: number;
  temperature_inc: number;
  no_speech_thold: number;
  best_of: number;
  beam_size: number;
  audio_ctx: number;
  initial_prompt: string;
  /** Tokens per segment at most (0 = no limit): stops a decoder that loops before it fills the context. */
  max_tokens: number;
  /** Added by the project's build of the addon (scripts/build-addon.mjs); 0 = no limit. */
  max_windows: number;
  /** Added by the project's build: a positive id that abortTranscription(id) can abort (0 = not abortable). */
  abort_id: number;
  format: 'simple' | 'detail';
}

export interface NativeWhisperModel {
  readonly handle: NativeHandle | null;
  readonly freed: boolean;
  free(): Promise<void>;
}

export interface WhisperBinding {
  /** `flashAttention` needs the project's build of the addon (scripts/build-addon.mjs). */
  WhisperModel: { load(file: string, gpu?: boolean, flashAttention?: boolean): Promise<NativeWhisperModel> };
  transcribe(
    handle: NativeHandle,
    pcm: Float32Array,
    params: Partial<NativeTranscribeParams>,
    finish: (results: NativeSegment[] | Error) => void,
    progress: (result: NativeSegment) => void,
  ): void;
  /**
   * The project's build only: aborts the transcription started with this `abort_id` (its finish callback then gets an
   * Error). Harmless when that job has already ended.
   */
  abortTranscription?(abortId: number): void;
}
