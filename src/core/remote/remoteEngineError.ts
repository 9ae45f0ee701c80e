// Everything that can go wrong between a phrase or a chunk and a transcription server, with a `code` a caller can
// branch on (retry, fall back to the local model, ask for a key) and a message a person can act on. Messages name the
// server by its origin only: never the key, never the audio.
import { CodedError } from '../codedError';

export type RemoteEngineErrorCode =
  | 'BAD_URL' // not an http(s) URL, credentials in it, or plain http to a machine other than this one
  | 'NO_CONSENT' // the person has not agreed (yet) to send audio to the server
  | 'UNAUTHORIZED' // 401/403: the key is missing or wrong
  | 'RATE_LIMITED' // 429
  | 'SERVER_ERROR' // 5xx
  | 'REJECTED' // another 4xx: the server refused the request as sent (model name, format, size)
  | 'TIMEOUT' // no complete answer within the timeout
  | 'CONNECTION' // refused, reset, closed mid-response, DNS, TLS
  | 'BAD_RESPONSE'; // an answer that is not the JSON of a transcription (malformed, or an {"error"} body)

export class RemoteEngineError extends CodedError<RemoteEngineErrorCode> {
  override name = 'RemoteEngineError';

  constructor(
    code: RemoteEngineErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number; retryAfterMs?: number },
  ) {
    super(code, message, options);
    this.status = options?.status;
    this.retryAfterMs = options?.retryAfterMs;
  }

  /** The HTTP status, when the server answered with one. */
  readonly status?: number;
  /** The server's Retry-After, in milliseconds, when it sent one. */
  readonly retryAfterMs?: number;
}

/** Faults that a later attempt may not meet: overload, a restarting server, a dropped connection, a garbled answer. */
const TRANSIENT: ReadonlySet<RemoteEngineErrorCode> = new Set(['RATE_LIMITED', 'SERVER_ERROR', 'CONNECTION', 'BAD_RESPONSE']);

export function isTransient(error: unknown): boolean {
  return error instanceof RemoteEngineError && TRANSIENT.has(error.code);
}

/** The error for an HTTP status that is not a success. */
export function errorForStatus(status: number, origin: string, detail: string, retryAfterMs?: number): RemoteEngineError {
  const said = detail ? `: ${detail.slice(0, 200)}` : '';
  if (status === 401 || status === 403)
    return new RemoteEngineError('UNAUTHORIZED', `The transcription server at ${origin} refused the key (HTTP ${status}). Set it with "Dictation: Set Remote Engine Key…".`, { status });
  if (status === 429) return new RemoteEngineError('RATE_LIMITED', `The transcription server at ${origin} is busy (HTTP 429, too many requests)${said}.`, { status, retryAfterMs });
  if (status >= 500) return new RemoteEngineError('SERVER_ERROR', `The transcription server at ${origin} failed (HTTP ${status})${said}.`, { status, retryAfterMs });
  return new RemoteEngineError('REJECTED', `The transcription server at ${origin} rejected the request (HTTP ${status})${said}.`, { status });
}
