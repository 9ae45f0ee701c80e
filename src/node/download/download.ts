// Verified, resumable HTTP(S) download to a file: data go to `<dest>.partial` (mode 0o600), are resumed with
// a Range request after an interruption, are checked against an expected size and sha256, fsynced, and only
// then renamed to `dest`. So `dest` either does not exist or is complete and verified.
// Callers must not run two downloads to the same `dest` at the same time (they would share the partial file).
import { createHash, type Hash } from 'node:crypto';
import { mkdir, open, rename, stat, type FileHandle } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { dirname } from 'node:path';
import { DownloadError } from './downloadError';
import { hashFileInto } from './sha256File';
import { removeIfPresent, syncDirectory } from '../files/atomicFile';

export { DownloadError, type DownloadErrorCode } from './downloadError';

export interface DownloadProgress {
  /** Bytes in the partial file so far, including bytes kept from an earlier attempt. */
  readonly receivedBytes: number;
  /** Full size when the server says (or expectedSize), else undefined. */
  readonly totalBytes?: number;
}

export interface DownloadOptions {
  /** Expected hex sha256 of the whole file; strongly recommended. */
  readonly sha256?: string;
  /** Expected hex SHA-1, for files whose publisher lists only SHA-1 (whisper.cpp's model table). */
  readonly sha1?: string;
  readonly expectedSize?: number;
  /** Longest time without progress (DNS + connect, response headers, or between data chunks). Default 30 s. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Continue from an existing `<dest>.partial` with a Range request. Default true. */
  readonly resume?: boolean;
  readonly maxRedirects?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface DownloadResult {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  /** Bytes reused from an earlier partial download (0 if it started from scratch). */
  readonly resumedFrom: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const DEFAULT_TIMEOUT_MS = 30_000;

export function partialPathFor(dest: string): string {
  return `${dest}.partial`;
}

/** The digests of the bytes downloaded so far: always sha256 (reported), SHA-1 only when it is to be checked. */
class Digests {
  private readonly sha256 = createHash('sha256');
  private readonly sha1?: Hash;
  constructor(withSha1: boolean) {
    if (withSha1) this.sha1 = createHash('sha1');
  }
  update(chunk: Buffer): void {
    this.sha256.update(chunk);
    this.sha1?.update(chunk);
  }
  async feedFile(path: string, end: number): Promise<void> {
    await hashFileInto(this, path, end);
  }
  digest(): { sha256: string; sha1?: string } {
    return { sha256: this.sha256.digest('hex'), sha1: this.sha1?.digest('hex') };
  }
}

/** Thrown internally when a resumed transfer cannot continue and must restart from byte 0. */
class RestartFromScratch extends Error {}

/**
 * Watches one transfer: an inactivity timer and the abort signal both destroy whatever is in flight
 * (request, then response) with a DownloadError, which is remembered so it wins over the socket error
 * that the destruction causes.
 */
class TransferGuard {
  private target: { destroy(error?: Error): void } | undefined;
  private timer: NodeJS.Timeout | undefined;
  failure: DownloadError | undefined;
  private readonly onAbort = (): void => this.fail(new DownloadError('ABORTED', this.url, `download of ${this.url} was cancelled`));

  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  watch(target: { destroy(error?: Error): void }): void {
    this.target = target;
    this.kick();
  }

  kick(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(
      () => this.fail(new DownloadError('TIMEOUT', this.url, `no progress for ${this.timeoutMs / 1000} s from ${this.url}`)),
      this.timeoutMs,
    );
  }

  fail(error: DownloadError): void {
    this.failure ??= error;
    this.target?.destroy(error);
  }

  throwIfFailed(): void {
    if (this.signal?.aborted) this.onAbort();
    if (this.failure) throw this.failure;
  }

  /** The error to report for `error` caught while this guard was active. */
  explain(error: unknown, currentUrl: string): Error {
    if (this.failure) return this.failure;
    if (error instanceof DownloadError || error instanceof RestartFromScratch) return error;
    const code = (error as NodeJS.ErrnoException).code;
    return new DownloadError('NETWORK', this.url, `cannot download ${currentUrl}: ${code ? `${code} ` : ''}${(error as Error).message}`, undefined, { cause: error });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}

function sendRequest(url: URL, headers: Record<string, string>, guard: TransferGuard): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    // agent: false — one long transfer per download; no pooled keep-alive socket outlives it.
    const request = (url.protocol === 'https:' ? https : http).request(url, { method: 'GET', headers, agent: false });
    guard.watch(request);
    request.once('response', resolve);
    request.once('error', reject);
    request.end();
  });
}

async function openResponse(
  startUrl: string,
  headers: Record<string, string>,
  maxRedirects: number,
  guard: TransferGuard,
): Promise<{ response: http.IncomingMessage; url: string }> {
  let url: URL;
  try {
    url = new URL(startUrl);
  } catch {
    throw new DownloadError('BAD_URL', startUrl, `not a valid URL: ${startUrl}`);
  }
  for (let redirects = 0; ; redirects++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new DownloadError('BAD_URL', startUrl, `only http and https URLs can be downloaded, not ${url.href}`);
    }
    let response: http.IncomingMessage;
    try {
      response = await sendRequest(url, headers, guard);
    } catch (error) {
      throw guard.explain(error, url.href);
    }
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (!REDIRECT_STATUSES.has(status) || !location) return { response, url: url.href };
    response.resume();
    if (redirects >= maxRedirects) {
      throw new DownloadError('TOO_MANY_REDIRECTS', startUrl, `more than ${maxRedirects} redirects starting at ${startUrl}`);
    }
    const next = new URL(location, url);
    if (url.protocol === 'https:' && next.protocol !== 'https:') {
      throw new DownloadError('INSECURE_REDIRECT', startUrl, `refusing redirect from ${url.href} to insecure ${next.href}`);
    }
    url = next;
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}


/** "bytes 100-199/200" → { start: 100, total: 200 } */
function parseContentRange(value: string | undefined): { start: number; total?: number } | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(value ?? '');
  if (!match) return undefined;
  return { start: Number(match[1]), total: match[2] === '*' ? undefined : Number(match[2]) };
}


async function finish(url: string, partial: string, dest: string, hash: Digests, bytes: number, resumedFrom: number, options: DownloadOptions): Promise<DownloadResult> {
  if (options.expectedSize !== undefined && bytes !== options.expectedSize) {
    await removeIfPresent(partial);
    throw new DownloadError('SIZE_MISMATCH', url, `${url} delivered ${bytes} bytes, expected ${options.expectedSize}`);
  }
  const { sha256, sha1 } = hash.digest();
  if (options.sha256 !== undefined && sha256 !== options.sha256.toLowerCase()) {
    await removeIfPresent(partial);
    throw new DownloadError('CHECKSUM_MISMATCH', url, `sha256 of ${url} is ${sha256}, expected ${options.sha256}; the file was discarded`);
  }
  if (options.sha1 !== undefined && sha1 !== options.sha1.toLowerCase()) {
    await removeIfPresent(partial);
    throw new DownloadError('CHECKSUM_MISMATCH', url, `SHA-1 of ${url} is ${sha1}, expected ${options.sha1}; the file was discarded`);
  }
  await rename(partial, dest);
  await syncDirectory(dirname(dest));
  return { path: dest, sha256, bytes, resumedFrom };
}

async function attempt(url: string, dest: string, options: DownloadOptions, allowResume: boolean): Promise<DownloadResult> {
  const partial = partialPathFor(dest);
  let offset = allowResume ? await sizeOf(partial) : 0;
  if (!allowResume || (options.expectedSize !== undefined && offset > options.expectedSize)) {
    await removeIfPresent(partial);
    offset = 0;
  }
  let hash = new Digests(options.sha1 !== undefined);
  if (offset > 0) await hash.feedFile(partial, offset);
  if (options.expectedSize !== undefined && offset > 0 && offset === options.expectedSize) {
    // A complete partial left by an interrupted rename: just verify it.
    return finish(url, partial, dest, hash, offset, offset, options);
  }

  const guard = new TransferGuard(url, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.signal);
  let file: FileHandle | undefined;
  try {
    guard.throwIfFailed();
    const headers: Record<string, string> = { 'accept-encoding': 'identity', 'user-agent': 'offline-dictation', ...options.headers };
    if (offset > 0) headers.range = `bytes=${offset}-`;
    const { response, url: finalUrl } = await openResponse(url, headers, options.maxRedirects ?? 5, guard);
    guard.watch(response);
    const status = response.statusCode ?? 0;
    let total: number | undefined;
    if (status === 206 && offset > 0) {
      const range = parseContentRange(response.headers['content-range']);
      if (!range || range.start !== offset) {
        response.resume();
        throw new RestartFromScratch();
      }
      total = range.total;
    } else if (status === 416 && offset > 0) {
      // Range not satisfiable: the partial may already be complete, or the resource changed.
      response.resume();
      const complete = /^bytes \*\/(\d+)$/.exec(response.headers['content-range'] ?? '');
      if (complete && Number(complete[1]) === offset) return await finish(url, partial, dest, hash, offset, offset, options);
      throw new RestartFromScratch();
    } else if (status === 200) {
      if (offset > 0) hash = new Digests(options.sha1 !== undefined);
      offset = 0;
      const length = response.headers['content-length'];
      total = length !== undefined ? Number(length) : undefined;
    } else {
      response.resume();
      throw new DownloadError('HTTP_STATUS', url, `HTTP ${status} ${response.statusMessage ?? ''} from ${finalUrl}`.trim(), status);
    }
    if (options.expectedSize !== undefined && total !== undefined && total !== options.expectedSize) {
      response.resume();
      throw new DownloadError('SIZE_MISMATCH', url, `${finalUrl} has ${total} bytes, expected ${options.expectedSize}`);
    }
    total ??= options.expectedSize;

    await mkdir(dirname(dest), { recursive: true, mode: 0o700 });
    file = await open(partial, offset > 0 ? 'a' : 'w', 0o600);
    await file.chmod(0o600);
    let received = offset;
    const resumedFrom = offset;
    options.onProgress?.({ receivedBytes: received, totalBytes: total });
    for await (const chunk of response as AsyncIterable<Buffer>) {
      guard.kick();
      await file.write(chunk);
      hash.update(chunk);
      received += chunk.length;
      options.onProgress?.({ receivedBytes: received, totalBytes: total });
    }
    guard.throwIfFailed();
    if (total !== undefined && received < total) {
      throw new DownloadError('NETWORK', url, `connection to ${finalUrl} closed after ${received} of ${total} bytes`);
    }
    await file.sync();
    await file.close();
    file = undefined;
    return await finish(url, partial, dest, hash, received, resumedFrom, options);
  } catch (error) {
    throw guard.explain(error, url);
  } finally {
    guard.dispose();
    // Bytes already written stay in the partial file so that the next attempt can resume.
    await file?.close().catch(() => {});
  }
}

/**
 * Downloads `url` to `dest`. Resolves only once `dest` holds the complete, verified file; rejects with a
 * DownloadError otherwise. A resumed download whose result fails the checksum is retried once from byte 0
 * (the earlier partial data may have come from a different version of the file).
 */
export async function download(url: string, dest: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const resume = options.resume ?? true;
  try {
    await mkdir(dirname(dest), { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new DownloadError('FILE_SYSTEM', url, `cannot create ${dirname(dest)}: ${(error as Error).message}`, undefined, { cause: error });
  }
  try {
    return await attempt(url, dest, options, resume);
  } catch (error) {
    const resumedBadly = error instanceof RestartFromScratch || (error instanceof DownloadError && error.code === 'CHECKSUM_MISMATCH');
    if (!resume || !resumedBadly) throw error;
    return attempt(url, dest, options, false);
  }
}
