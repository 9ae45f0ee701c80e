// The verified, resumable downloader against a local HTTP server on 127.0.0.1.
import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { DownloadError, download, partialPathFor, type DownloadErrorCode } from '../../src/node/download/download';

const payload = randomBytes(256 * 1024 + 17);
const payloadSha = createHash('sha256').update(payload).digest('hex');

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
let handler: Handler;
let requests: http.IncomingHttpHeaders[];
let server: http.Server;
let base: string;
let dir: string;
let dest: string;

/** Serves `body` honouring "Range: bytes=N-" (206 + Content-Range), like a CDN. */
function serveWithRanges(body: Buffer): Handler {
  return (req, res) => {
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
      res.end(body.subarray(start));
      return;
    }
    res.writeHead(200, { 'content-length': body.length });
    res.end(body);
  };
}

async function expectDownloadError(promise: Promise<unknown>, code: DownloadErrorCode): Promise<DownloadError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return error instanceof DownloadError && error.code === code;
  });
  return caught as DownloadError;
}

before(async () => {
  server = http.createServer((req, res) => {
    requests.push(req.headers);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(async () => {
  requests = [];
  dir = await mkdtemp(join(tmpdir(), 'download-test-'));
  dest = join(dir, 'sub', 'model.bin');
});
afterEach(async () => {
  server.closeAllConnections();
  await rm(dir, { recursive: true, force: true });
});

describe('download', () => {
  it('downloads, verifies size and sha256, and renames into place with mode 0600', async () => {
    handler = serveWithRanges(payload);
    const progress: number[] = [];
    const result = await download(`${base}/model.bin`, dest, { sha256: payloadSha, expectedSize: payload.length, timeoutMs: 5000, onProgress: (p) => progress.push(p.receivedBytes) });
    assert.deepEqual(await readFile(dest), payload);
    assert.deepEqual(result, { path: dest, sha256: payloadSha, bytes: payload.length, resumedFrom: 0 });
    assert.equal((await stat(dest)).mode & 0o777, 0o600);
    assert.ok(!existsSync(partialPathFor(dest)));
    assert.equal(progress.at(-1), payload.length);
    assert.equal(requests[0].range, undefined);
  });

  it('follows redirects (bounded) and refuses an endless loop', async () => {
    handler = (req, res) => {
      if (req.url === '/file') serveWithRanges(payload)(req, res);
      else if (req.url === '/loop') res.writeHead(302, { location: '/loop' }).end();
      else res.writeHead(301, { location: '/file' }).end();
    };
    await download(`${base}/old`, dest, { sha256: payloadSha });
    assert.deepEqual(await readFile(dest), payload);
    await expectDownloadError(download(`${base}/loop`, join(dir, 'loop.bin'), { maxRedirects: 3 }), 'TOO_MANY_REDIRECTS');
    assert.equal(requests.length, 2 + 4);
  });

  it('resumes an interrupted download with a Range request', async () => {
    const cut = 100_000;
    handler = (_req, res) => {
      // Announce the full size, send part of it, then drop the connection.
      res.writeHead(200, { 'content-length': payload.length });
      res.write(payload.subarray(0, cut), () => setTimeout(() => res.destroy(), 50));
    };
    const first = await expectDownloadError(download(`${base}/model.bin`, dest, { sha256: payloadSha, timeoutMs: 5000 }), 'NETWORK');
    assert.match(first.message, /127\.0\.0\.1/);
    assert.ok(!existsSync(dest));
    const kept = (await stat(partialPathFor(dest))).size;
    assert.ok(kept > 0 && kept <= cut, `partial has ${kept} bytes`);

    handler = serveWithRanges(payload);
    const result = await download(`${base}/model.bin`, dest, { sha256: payloadSha, timeoutMs: 5000 });
    assert.equal(requests.at(-1)!.range, `bytes=${kept}-`);
    assert.equal(result.resumedFrom, kept);
    assert.deepEqual(await readFile(dest), payload);
    assert.ok(!existsSync(partialPathFor(dest)));
  });

  it('restarts from scratch when resumed bytes belong to another file, and when the server ignores Range', async () => {
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'sub'), { recursive: true }));
    await writeFile(partialPathFor(dest), Buffer.alloc(5000, 7)); // not the start of payload
    handler = serveWithRanges(payload);
    const result = await download(`${base}/model.bin`, dest, { sha256: payloadSha });
    assert.deepEqual(await readFile(dest), payload);
    assert.equal(result.resumedFrom, 0);
    assert.deepEqual(requests.map((r) => r.range), ['bytes=5000-', undefined]);

    const other = join(dir, 'other.bin');
    await writeFile(partialPathFor(other), payload.subarray(0, 1000));
    handler = (_req, res) => res.writeHead(200, { 'content-length': payload.length }).end(payload); // no Range support
    await download(`${base}/model.bin`, other, { sha256: payloadSha });
    assert.deepEqual(await readFile(other), payload);
  });

  it('verifies a complete partial file without downloading again (HTTP 416)', async () => {
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'sub'), { recursive: true }));
    await writeFile(partialPathFor(dest), payload);
    handler = serveWithRanges(payload);
    const result = await download(`${base}/model.bin`, dest, { sha256: payloadSha });
    assert.equal(result.resumedFrom, payload.length);
    assert.deepEqual(await readFile(dest), payload);
  });

  it('deletes everything on a checksum mismatch', async () => {
    handler = serveWithRanges(payload);
    const error = await expectDownloadError(download(`${base}/model.bin`, dest, { sha256: '0'.repeat(64) }), 'CHECKSUM_MISMATCH');
    assert.match(error.message, new RegExp(payloadSha));
    assert.deepEqual(await readdir(join(dir, 'sub')), []);
  });

  it('rejects a size that differs from expectedSize before writing anything', async () => {
    handler = serveWithRanges(payload);
    await expectDownloadError(download(`${base}/model.bin`, dest, { expectedSize: payload.length + 1 }), 'SIZE_MISMATCH');
    assert.deepEqual(await readdir(join(dir, 'sub')), []);
  });

  it('reports HTTP errors with their status and leaves no file', async () => {
    handler = (_req, res) => res.writeHead(404, 'Not Found').end('no such model');
    const error = await expectDownloadError(download(`${base}/missing.bin`, dest, { sha256: payloadSha }), 'HTTP_STATUS');
    assert.equal(error.status, 404);
    assert.match(error.message, /HTTP 404 Not Found from http:\/\/127\.0\.0\.1:\d+\/missing\.bin/);
    assert.deepEqual(await readdir(join(dir, 'sub')), []);
  });

  it('times out when the server stops sending, keeping the partial file for a resume', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': payload.length });
      res.write(payload.subarray(0, 1000)); // then nothing
    };
    const started = Date.now();
    const error = await expectDownloadError(download(`${base}/slow.bin`, dest, { timeoutMs: 300 }), 'TIMEOUT');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 250 && elapsed < 3000, `timed out after ${elapsed} ms`);
    assert.match(error.message, /no progress for 0\.3 s/);
    assert.ok(!existsSync(dest));
    assert.equal((await stat(partialPathFor(dest))).size, 1000);
  });

  it('times out when the response headers never come', async () => {
    handler = () => {}; // accept the request, never answer
    await expectDownloadError(download(`${base}/silent.bin`, dest, { timeoutMs: 200 }), 'TIMEOUT');
  });

  it('stops on AbortSignal, mid-transfer or before starting', async () => {
    const controller = new AbortController();
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': payload.length });
      res.write(payload.subarray(0, 4096)); // trickle, then stall until aborted
    };
    const promise = download(`${base}/model.bin`, dest, {
      timeoutMs: 10_000,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.receivedBytes > 0) controller.abort();
      },
    });
    await expectDownloadError(promise, 'ABORTED');
    assert.ok(!existsSync(dest));
    const aborted = new AbortController();
    aborted.abort();
    const before = requests.length;
    await expectDownloadError(download(`${base}/model.bin`, join(dir, 'never.bin'), { signal: aborted.signal }), 'ABORTED');
    assert.equal(requests.length, before, 'no request is sent after an abort');
  });

  it('fails fast with NETWORK when nothing listens, and BAD_URL for other schemes', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const started = Date.now();
    await expectDownloadError(download(`http://127.0.0.1:${port}/x`, dest, { timeoutMs: 5000 }), 'NETWORK');
    assert.ok(Date.now() - started < 2000);
    await expectDownloadError(download('ftp://127.0.0.1/x', dest), 'BAD_URL');
    await expectDownloadError(download('not a url', dest), 'BAD_URL');
  });
});
