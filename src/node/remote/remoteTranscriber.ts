// The Transcriber of a Whisper server on another machine (or this one), over the OpenAI-compatible multipart API
// that whisper.cpp's server, speaches and vLLM all speak: POST <base>/audio/transcriptions with the audio as a 16-bit
// WAV `file`, `model`, `language`, `prompt` and `response_format` (verbose_json for timed segments; plain json when a
// server does not offer it). Each request has a timeout and follows the caller's AbortSignal; 429, 5xx, dropped
// connections and garbled answers are retried with backoff; at most `maxConcurrent` requests are in flight. Errors
// are RemoteEngineErrors naming the server's origin, never the key.
import { WHISPER_SAMPLE_RATE } from '../../core/audio/convert';
import { encodePcm16Wav } from '../../core/audio/wav';
import { checkRemoteEndpoint } from '../../core/remote/remoteEndpoint';
import { RemoteEngineError, errorForStatus, isTransient } from '../../core/remote/remoteEngineError';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelayMs, type RetryPolicy } from '../../core/remote/retryPolicy';
import type { Transcriber } from '../transcription/transcriber';
import { cancelledResult, type TranscribeOptions, type TranscribeResult, type TranscriptSegment } from '../whisper/protocol';
import { ConcurrencyLimit } from './concurrencyLimit';
import { parseTranscription } from './transcriptionResponse';

export interface RemoteEngineOptions {
  /** The server's base URL (e.g. https://gpu.example.org/v1) or the full transcription URL. */
  readonly url: string;
  /** The model name the server knows (whisper.cpp's server ignores it; speaches and vLLM need it). */
  readonly model: string;
  /** A language code sent with every request; empty: the language of the call's options ('auto' sends none). */
  readonly language?: string;
  /** The bearer key, read when a request is made (SecretStorage); undefined sends no Authorization header. */
  readonly apiKey?: () => PromiseLike<string | undefined> | string | undefined;
  /** Milliseconds for one request, upload to the last byte of the answer. */
  readonly timeoutMs: number;
  /** Requests in flight at once (file chunks in parallel; dictation phrases one after the other). */
  readonly maxConcurrent: number;
  readonly retry?: RetryPolicy;
  /** Told of each retry (the log says why a phrase was late). */
  readonly onRetry?: (error: RemoteEngineError, attempt: number, delayMs: number) => void;
}

/** Silence after a phrase decoded with timestamps: whisper.cpp drops words after a timestamp in its last second. */
const TAIL_PAD_SAMPLES = WHISPER_SAMPLE_RATE;
/** An error body is read only this far (it goes into a message). */
const ERROR_BODY_CHARS = 400;

export class RemoteTranscriber implements Transcriber {
  readonly transcriptionUrl: string;
  readonly origin: string;
  private readonly limit: ConcurrencyLimit;
  private readonly retry: RetryPolicy;
  /** Cleared once a server shows it does not do verbose_json; later requests ask for plain json. */
  private verbose = true;

  constructor(private readonly options: RemoteEngineOptions) {
    const endpoint = checkRemoteEndpoint(options.url);
    if (!endpoint.ok) throw new RemoteEngineError('BAD_URL', endpoint.reason);
    this.transcriptionUrl = endpoint.transcriptionUrl;
    this.origin = endpoint.origin;
    this.limit = new ConcurrencyLimit(options.maxConcurrent);
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
  }

  /** What identifies this engine's output in the job cache: a resumed job never mixes engines. */
  get identity(): string {
    return `remote:${this.transcriptionUrl}#${this.options.model}`;
  }

  /** Requests in flight now (tests check the bound). */
  get inFlight(): number {
    return this.limit.inUse;
  }

  async prepare(): Promise<void> {
    // Nothing to load: the server holds the model. Its reachability shows on the first phrase, which falls back.
  }

  async transcribe(audio: Float32Array, options: TranscribeOptions, onPartial?: (segment: TranscriptSegment) => void, signal?: AbortSignal): Promise<TranscribeResult> {
    const started = Date.now();
    // Nothing to say, and whisper.cpp's server aborts (GGML_ASSERT) on a WAV without samples.
    if (audio.length === 0) return { segments: [], text: '', elapsedMs: 0, cancelled: false };
    const release = await this.limit.acquire(signal);
    if (!release) return cancelledResult(Date.now() - started);
    try {
      const pad = options.timestamps === false ? TAIL_PAD_SAMPLES : 0;
      const padded = pad ? withSilence(audio, pad) : audio;
      const wav = encodePcm16Wav(padded, WHISPER_SAMPLE_RATE);
      const durationMs = Math.round((audio.length / WHISPER_SAMPLE_RATE) * 1000);
      for (let attempt = 0; ; attempt++) {
        try {
          const parsed = await this.request(wav, durationMs, options, signal);
          if (!parsed) return cancelledResult(Date.now() - started);
          for (const segment of parsed.segments) onPartial?.(segment);
          return { segments: parsed.segments, text: parsed.text, elapsedMs: Date.now() - started, cancelled: false };
        } catch (error) {
          if (signal?.aborted) return cancelledResult(Date.now() - started);
          if (!isTransient(error) || attempt >= this.retry.retries) throw error;
          const failure = error as RemoteEngineError;
          const delay = retryDelayMs(this.retry, attempt + 1, failure.retryAfterMs);
          this.options.onRetry?.(failure, attempt + 1, delay);
          if (!(await sleep(delay, signal))) return cancelledResult(Date.now() - started);
        }
      }
    } finally {
      release();
    }
  }

  /** One POST; undefined when the caller withdrew it. Switches to plain json once if verbose_json is refused. */
  private async request(wav: Uint8Array, durationMs: number, options: TranscribeOptions, signal: AbortSignal | undefined): Promise<ReturnType<typeof parseTranscription> | undefined> {
    const verbose = this.verbose;
    const key = await this.options.apiKey?.();
    const form = new FormData();
    form.append('file', new Blob([wav], { type: 'audio/wav' }), 'audio.wav');
    form.append('model', this.options.model);
    const language = this.options.language?.trim() || options.language;
    if (language && language !== 'auto') form.append('language', language);
    if (options.initialPrompt) form.append('prompt', options.initialPrompt);
    form.append('response_format', verbose ? 'verbose_json' : 'json');
    form.append('temperature', '0');
    // whisper.cpp's server otherwise re-decodes a chunk that fails its thresholds at rising random temperatures (its
    // default step 0.2; OpenAI's "temperature 0" means the same): a 1-minute file then took 8 to 92 s from run to run.
    // The local engine decodes without that fallback too. Servers that do not know the field ignore it (speaches'
    // form fields, vLLM's request model allow extras).
    form.append('temperature_inc', '0');
    // …and carries the text of one 30-s window into the decoding of the next as a prompt; the local engine starts
    // every chunk fresh. Without it a long request decoded 15 % faster (bench:remote) and cannot inherit a loop.
    form.append('max_context', '0');
    // …and cuts verbose_json segments at 60 characters between any two tokens, splitting words ("Amer" | "icans")
    // that the transcript then joins with a space: cut only between words.
    form.append('split_on_word', 'true');

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await fetch(this.transcriptionUrl, {
        method: 'POST',
        body: form,
        headers: { accept: 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        signal: controller.signal,
      });
      const body = response.ok ? await response.text() : (await response.text().catch(() => '')).slice(0, ERROR_BODY_CHARS);
      if (!response.ok) {
        // A server without verbose_json says so with 400/422 naming the field: ask for plain json from now on.
        if (verbose && (response.status === 400 || response.status === 422) && /response_format|verbose/i.test(body)) {
          this.verbose = false;
          return this.request(wav, durationMs, options, signal);
        }
        throw errorForStatus(response.status, this.origin, body.trim(), parseRetryAfter(response.headers.get('retry-after'), Date.now()));
      }
      const parsed = parseTranscription(body, durationMs, this.origin);
      if (verbose && !parsed.timed) this.verbose = false;
      return parsed;
    } catch (error) {
      if (signal?.aborted) return undefined;
      if (timedOut) throw new RemoteEngineError('TIMEOUT', `The transcription server at ${this.origin} did not answer within ${(this.options.timeoutMs / 1000).toFixed(1)} s.`, { cause: error });
      if (error instanceof RemoteEngineError) throw error;
      throw new RemoteEngineError('CONNECTION', `Could not reach the transcription server at ${this.origin}: ${describeNetworkError(error)}.`, { cause: error });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

function withSilence(audio: Float32Array, samples: number): Float32Array {
  const out = new Float32Array(audio.length + samples);
  out.set(audio);
  return out;
}

/** undici hides the useful part (ECONNREFUSED, "other side closed") in `cause`. */
function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const parts = [cause?.code, cause?.message ?? (error as Error)?.message].filter(Boolean);
  return parts.length ? [...new Set(parts)].join(', ') : String(error);
}

/** Waits `ms`; false when `signal` aborted first. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (value: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
