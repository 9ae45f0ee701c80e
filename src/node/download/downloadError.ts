export type DownloadErrorCode =
  | 'BAD_URL' // not an http(s) URL
  | 'HTTP_STATUS' // the server answered with an error status (see `status`)
  | 'TOO_MANY_REDIRECTS'
  | 'INSECURE_REDIRECT' // https → http downgrade refused
  | 'SIZE_MISMATCH' // the server announces or delivers a size other than expectedSize
  | 'CHECKSUM_MISMATCH' // the bytes do not hash to the expected sha256 (the partial file is deleted)
  | 'TIMEOUT' // no progress (connect, response or data) for timeoutMs
  | 'ABORTED' // the caller's AbortSignal fired (the partial file is kept for resuming)
  | 'NETWORK' // DNS, connection reset, body cut short… (the partial file is kept for resuming)
  | 'FILE_SYSTEM';

export class DownloadError extends Error {
  override name = 'DownloadError';
  constructor(
    readonly code: DownloadErrorCode,
    readonly url: string,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
