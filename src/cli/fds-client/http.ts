// The signing transport: builds the request target for a bucket/object, adds Date and the
// Galaxy-V2 Authorization header (signer in core/fds), and streams bodies both ways with node:http
// (no whole-object buffering). Non-2xx answers become FdsError.
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { objectPath } from '../../core/fds/presign.ts';
import { authorizationHeader } from '../../core/fds/signer.ts';
import type { ClientConfig } from './config.ts';
import { describeErrorBody, FdsError } from './errors.ts';

export interface FdsRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  /** Omitted for the service root `/`. */
  bucket?: string;
  /** Object name ('' or omitted for bucket-level requests). */
  object?: string;
  /** Raw query string without `?`, already encoded (e.g. `uploadId=u1&partNumber=2`). */
  query?: string;
  headers?: Record<string, string>;
  body?: Buffer | string | Readable;
  /** Content-Length for a stream body; omitted → chunked transfer encoding. */
  contentLength?: number;
}

export interface FdsResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The response body; the caller must consume or destroy it. */
  body: IncomingMessage;
}

const MAX_ERROR_BODY = 64 * 1024;

async function readText(res: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    if (n < limit) chunks.push(c.subarray(0, limit - n));
    n += c.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class FdsHttp {
  private readonly base: URL;
  private readonly agent: http.Agent;

  constructor(readonly config: ClientConfig) {
    this.base = new URL(config.endpoint);
    const Agent = this.base.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 16 });
  }

  /** The encoded path of the service root, a bucket or an object. */
  pathOf(bucket?: string, object?: string): string {
    return bucket === undefined ? '/' : objectPath(bucket, object ?? '');
  }

  /** Sends a signed request; resolves with any 2xx response, rejects with FdsError otherwise. */
  async send(req: FdsRequest): Promise<FdsResponse> {
    const path = this.pathOf(req.bucket, req.object);
    const query = req.query ?? '';
    const headers: Record<string, string> = { date: new Date().toUTCString(), ...req.headers };
    const body = req.body;
    if (typeof body === 'string' || Buffer.isBuffer(body)) headers['content-length'] = String(Buffer.byteLength(body));
    else if (body && req.contentLength !== undefined) headers['content-length'] = String(req.contentLength);
    else if (!body && (req.method === 'PUT' || req.method === 'POST')) headers['content-length'] = '0';
    headers.authorization = authorizationHeader(
      { method: req.method, path, query, headers: Object.entries(headers) },
      this.config.accessKeyId,
      this.config.secret,
    );
    const mod = this.base.protocol === 'https:' ? https : http;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const r = mod.request(
        {
          protocol: this.base.protocol,
          hostname: this.base.hostname,
          port: this.base.port,
          method: req.method,
          path: query ? `${path}?${query}` : path,
          headers,
          agent: this.agent,
        },
        resolve,
      );
      r.on('error', (e) => {
        // A failed request stops its source too (so a file being read is closed).
        if (body && typeof body !== 'string' && !Buffer.isBuffer(body)) body.destroy();
        reject(e);
      });
      if (body === undefined) r.end();
      else if (typeof body === 'string' || Buffer.isBuffer(body)) r.end(body);
      else {
        body.on('error', (e) => r.destroy(e));
        body.pipe(r);
      }
    });
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return { status, headers: res.headers, body: res };
    // Refused (possibly before the whole body was sent): stop reading the source.
    if (body && typeof body !== 'string' && !Buffer.isBuffer(body)) body.destroy();
    // Always consume the error body (even a HEAD's empty one) so the socket returns to the pool.
    const text = await readText(res, MAX_ERROR_BODY);
    const requestId = res.headers['x-xiaomi-request-id'];
    throw new FdsError(status, describeErrorBody(text) || (res.statusMessage ?? ''), typeof requestId === 'string' ? requestId : undefined);
  }

  /** Sends a request and returns its body parsed as JSON ('' → undefined). */
  async json<T>(req: FdsRequest): Promise<T> {
    const res = await this.send(req);
    const text = await readText(res.body, Number.POSITIVE_INFINITY);
    return (text.trim() === '' ? undefined : JSON.parse(text)) as T;
  }

  /** Sends a request and discards the body; resolves with the response headers. */
  async empty(req: FdsRequest): Promise<FdsResponse> {
    const res = await this.send(req);
    res.body.resume();
    await new Promise<void>((resolve, reject) => {
      res.body.on('end', resolve);
      res.body.on('error', reject);
      if (res.body.readableEnded) resolve();
    });
    return res;
  }

  close(): void {
    this.agent.destroy();
  }
}
