// A small HTTP proxy in front of the real whisper.cpp server that injects the faults a team's server and network
// produce: a connection closed mid-response, 401 / 429 / 500, an answer slower than the client's timeout, malformed
// JSON, and an upstream that dies mid-request. Faults are queued (one per request) or made permanent; every request
// is recorded (headers, size, fault) so tests can count retries and see the Authorization header.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'pass' }
  | { kind: 'status'; status: number; body?: string; retryAfter?: string }
  | { kind: 'close-mid-response' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'malformed-json' }
  /** Forwarded, and `onForwarded` runs once the upstream has the request (kill the server there). */
  | { kind: 'forward-then'; onForwarded: () => void };

export interface ProxiedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly bytes: number;
  readonly fault: Fault['kind'];
  readonly body: Buffer;
}

export class FaultProxy {
  readonly requests: ProxiedRequest[] = [];
  private readonly queue: Fault[] = [];
  private standing: Fault = { kind: 'pass' };
  private active = 0;
  /** The most requests seen in flight at once. */
  maxInFlight = 0;
  private readonly server: Server;
  private readonly sockets = new Set<import('node:net').Socket>();

  private constructor(private readonly upstreamPort: number) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  static async start(upstreamPort: number): Promise<FaultProxy> {
    const proxy = new FaultProxy(upstreamPort);
    await new Promise<void>((done) => proxy.server.listen(0, '127.0.0.1', done));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /** The next requests meet these faults, one each, then the standing fault. */
  next(...faults: Fault[]): this {
    this.queue.push(...faults);
    return this;
  }

  /** Every request without a queued fault meets this one (default: pass). */
  always(fault: Fault): this {
    this.standing = fault;
    return this;
  }

  /** Resolves when no request is being handled (a request the client withdrew still runs upstream to its end). */
  async idle(): Promise<void> {
    while (this.active > 0) await new Promise((r) => setTimeout(r, 20));
  }

  reset(): void {
    this.queue.length = 0;
    this.standing = { kind: 'pass' };
    this.requests.length = 0;
    this.maxInFlight = 0;
  }

  /** The multipart form fields of a recorded request other than the file (name → value). */
  static fields(request: ProxiedRequest): Record<string, string> {
    const text = request.body.toString('latin1');
    const out: Record<string, string> = {};
    for (const match of text.matchAll(/Content-Disposition: form-data; name="([^"]+)"(?!; filename)\r\n(?:[^\r\n]+\r\n)*\r\n([\s\S]*?)\r\n--/g)) out[match[1]] = match[2];
    return out;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  private async handle(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    this.active++;
    this.maxInFlight = Math.max(this.maxInFlight, this.active);
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const fault = this.queue.shift() ?? this.standing;
      this.requests.push({ headers: req.headers, bytes: body.length, fault: fault.kind, body });
      switch (fault.kind) {
        case 'status':
          res.writeHead(fault.status, { 'content-type': 'application/json', ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}) });
          res.end(fault.body ?? JSON.stringify({ error: { message: `injected ${fault.status}` } }));
          return;
        case 'malformed-json':
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"text": " And so my fellow Amer');
          return;
        case 'slow': {
          let clientGone = false;
          res.once('close', () => (clientGone = true));
          await new Promise((r) => setTimeout(r, fault.delayMs));
          // A client that timed out is not answered late: forwarding its request anyway set the real server
          // transcribing on the same 2 cores as the local model the test falls back to, and whisper.cpp's spinning
          // threads on both sides slowed the local phrase past the worker's 20-s hang bound on a busy CI machine.
          if (clientGone) return;
          break;
        }
        default:
          break;
      }
      const upstream = await this.forward(req, body, fault);
      if (!upstream) {
        res.socket?.destroy();
        return;
      }
      if (fault.kind === 'close-mid-response') {
        res.writeHead(upstream.status, { 'content-type': 'application/json', 'content-length': String(upstream.body.length) });
        res.write(upstream.body.subarray(0, Math.floor(upstream.body.length / 2)));
        await new Promise((r) => setTimeout(r, 20));
        res.socket?.destroy();
        return;
      }
      res.writeHead(upstream.status, { 'content-type': upstream.contentType ?? 'application/json' });
      res.end(upstream.body);
    } catch (error) {
      if (process.env.FAULT_PROXY_DEBUG) console.error('fault proxy:', error);
      res.socket?.destroy();
    } finally {
      this.active--;
    }
  }

  /** The upstream's answer, or undefined when its connection failed (the client's connection is then dropped). */
  private forward(req: IncomingMessage, body: Buffer, fault: Fault): Promise<{ status: number; body: Buffer; contentType?: string } | undefined> {
    return new Promise((done) => {
      const upstream = httpRequest(
        { host: '127.0.0.1', port: this.upstreamPort, method: req.method, path: req.url, headers: forwardHeaders(req.headers, this.upstreamPort, body.length) },
        (response) => {
          const parts: Buffer[] = [];
          response.on('data', (chunk: Buffer) => parts.push(chunk));
          response.on('end', () => done({ status: response.statusCode ?? 502, body: Buffer.concat(parts), contentType: response.headers['content-type'] }));
          response.on('error', () => done(undefined));
        },
      );
      upstream.on('error', (error) => {
        if (process.env.FAULT_PROXY_DEBUG) console.error('fault proxy upstream:', error);
        done(undefined);
      });
      upstream.end(body, () => {
        if (fault.kind === 'forward-then') setTimeout(fault.onForwarded, 100);
      });
    });
  }
}

/** The client's headers for the upstream, with the body re-sent whole (no chunked encoding). */
function forwardHeaders(headers: IncomingHttpHeaders, port: number, length: number): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = { ...headers, host: `127.0.0.1:${port}`, 'content-length': String(length) };
  delete out['transfer-encoding'];
  delete out.connection;
  return out;
}
