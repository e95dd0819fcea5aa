// Test-side FDS client that sends requests the way the SDKs do (fds-protocol §12.5): Galaxy-V2
// signatures from the core signer, `date` headers, Python-style flag values (`acl=true`) or
// Java-style valueless flags, bodies as bytes or chunked streams, presigned URLs.
import { request as httpRequest } from 'node:http';
import type { Context } from '../../../src/context.ts';
import { type PresignInput, presignUrl } from '../../../src/core/fds/presign.ts';
import { splitTarget } from '../../../src/core/fds/query.ts';
import { authorizationHeader } from '../../../src/core/fds/signer.ts';

export interface Credentials {
  accessKeyId: string;
  accessSecret: string;
  developerId: string;
  clientId: string;
}

/** Creates an app under `developer` and returns its FDS key. */
export async function newDeveloperKey(ctx: Context, developer: string): Promise<Credentials> {
  const { app } = await ctx.services.apps.create({ name: `fds ${developer}`, redirectUris: 'https://example.com/cb', developer });
  const k = await ctx.services.fdsKeys.ensure(app.clientId);
  return { accessKeyId: k.accessKeyId, accessSecret: k.accessSecret, developerId: k.developerId, clientId: app.clientId };
}

export interface SendOptions {
  headers?: Record<string, string>;
  body?: Uint8Array | string | AsyncIterable<Uint8Array>;
  /** Sign (default true when the client has credentials). */
  sign?: boolean;
  /** Date header value (default now, RFC 1123 GMT as Python sends it). */
  date?: string | null;
}

export class SdkClient {
  constructor(
    readonly base: string,
    readonly creds?: Credentials,
  ) {}

  async send(method: string, target: string, o: SendOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { ...o.headers };
    if (o.date !== null) headers.date = o.date ?? new Date().toUTCString();
    if (this.creds && o.sign !== false) {
      const { path, query } = splitTarget(target);
      headers.authorization = authorizationHeader(
        { method, path, query, headers: Object.entries(headers) },
        this.creds.accessKeyId,
        this.creds.accessSecret,
      );
    }
    let body: Uint8Array | ReadableStream<Uint8Array> | undefined;
    if (typeof o.body === 'string') body = Buffer.from(o.body);
    else if (o.body instanceof Uint8Array) body = o.body;
    else if (o.body) {
      const it = o.body;
      body = new ReadableStream<Uint8Array>({
        async start(ctrl) {
          for await (const chunk of it) ctrl.enqueue(chunk);
          ctrl.close();
        },
      });
    }
    return fetch(this.base + target, { method, headers, ...(body !== undefined ? { body, duplex: 'half' } : {}) } as RequestInit);
  }

  async json<T = unknown>(method: string, target: string, o: SendOptions = {}): Promise<T> {
    const r = await this.send(method, target, o);
    const text = await r.text();
    if (r.status !== 200) throw new Error(`${method} ${target} → ${r.status} ${text}`);
    return JSON.parse(text) as T;
  }

  async ok(method: string, target: string, o: SendOptions = {}): Promise<Response> {
    const r = await this.send(method, target, o);
    if (r.status !== 200) throw new Error(`${method} ${target} → ${r.status} ${await r.text()}`);
    return r;
  }

  presign(p: Omit<PresignInput, 'accessKeyId' | 'secret'>): string {
    if (!this.creds) throw new Error('no credentials');
    return presignUrl(this.base, { ...p, accessKeyId: this.creds.accessKeyId, secret: this.creds.accessSecret });
  }
}

/** Sends a raw HTTP/1.1 request with an arbitrary request target (absolute-form, proxies). */
export function rawRequest(
  base: string,
  method: string,
  target: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method, path: target, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
