// The bucket browser's way to the FDS origin: requests signed with Galaxy-V2 (core/fds/signer.ts)
// under one of the developer's access keys and sent over HTTP to the FDS public URL, so that every
// FDS rule (permissions, versions, trash, ACL merges, configuration ids) runs where it is defined.
// Bodies stream (a Readable goes out chunked); non-2xx answers become FdsCallError with the FDS
// error message, which the pages show.
import { Readable } from 'node:stream';
import { objectPath } from '../../core/fds/presign.ts';
import { authorizationHeader } from '../../core/fds/signer.ts';
import type { FdsKey } from './keys.ts';

export class FdsCallError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'FdsCallError';
  }
}

export interface SignedRequest {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';
  bucket?: string;
  object?: string;
  /** Raw query without `?`, already encoded. */
  query?: string;
  headers?: Record<string, string>;
  body?: string | Readable;
}

const MAX_ERROR_TEXT = 300;

/** Sends `r` to `baseUrl` as `key`; resolves with a 2xx answer, else rejects with FdsCallError. */
export async function signedFetch(baseUrl: string, key: FdsKey, r: SignedRequest): Promise<Response> {
  const path = r.bucket === undefined ? '/' : objectPath(r.bucket, r.object ?? '');
  const query = r.query ?? '';
  const headers: Record<string, string> = { date: new Date().toUTCString(), ...r.headers };
  if (r.body === undefined && (r.method === 'PUT' || r.method === 'POST')) headers['content-length'] = '0';
  // fetch would add a type of its own to a string body after signing: sign the one sent.
  if (r.body !== undefined) headers['content-type'] ??= 'application/octet-stream';
  headers.authorization = authorizationHeader(
    { method: r.method, path, query, headers: Object.entries(headers) },
    key.accessKeyId,
    key.accessSecret,
  );
  const body = r.body instanceof Readable ? (Readable.toWeb(r.body) as ReadableStream<Uint8Array>) : r.body;
  const init: RequestInit & { duplex?: 'half' } = { method: r.method, headers, body, redirect: 'manual' };
  if (body instanceof ReadableStream) init.duplex = 'half';
  const res = await fetch(`${baseUrl.replace(/\/+$/, '')}${path}${query ? `?${query}` : ''}`, init);
  if (res.status >= 200 && res.status < 300) return res;
  const text = (await res.text().catch(() => '')).slice(0, 4096);
  let message = `FDS answered ${res.status}`;
  try {
    const e = JSON.parse(text) as { message?: unknown; error?: unknown };
    if (typeof e.message === 'string' && e.message) message = e.message;
    else if (typeof e.error === 'string') message = e.error;
  } catch {
    if (text) message = text;
  }
  throw new FdsCallError(res.status, message.slice(0, MAX_ERROR_TEXT));
}
