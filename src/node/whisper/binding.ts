// The slice of smart-whisper's native binding we use. We load the `.node` addon directly instead of smart-whisper's
// JS wrapper: the wrapper creates ~/.smart-whisper at import, and its auto-offload timer frees the model behind our
// back, which crashes the process when a transcription is running (FINDINGS).

export type NativeHandle = { readonly __nativeHandle: unique symbol };

export interface NativeSegment { from: number; to: number; text: string }

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
  /** Added by the project's build of the addon (scripts/build-addon.mjs); 0 = no limit. */
  max_windows: number;
  format: 'simple';
}

export interface NativeWhisperModel {
  readonly handle: NativeHandle | null;
  readonly freed: boolean;
  free(): Promise<void>;
}

export interface WhisperBinding {
  WhisperModel: { load(file: string, gpu?: boolean): Promise<NativeWhisperModel> };
  transcribe(
    handle: NativeHandle,
    pcm: Float32Array,
    params: Partial<NativeTranscribeParams>,
    finish: (results: NativeSegment[] | Error) => void,
    progress: (result: NativeSegment) => void,
  ): void;
}
