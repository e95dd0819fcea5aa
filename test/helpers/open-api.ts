// Calling the open APIs as the official SDK clients do: the signing styles of §5.3 (Java nonces,
// the canonical string, HMAC-SHA1, each client's percent-encoding), plain and raw HTTP calls, and
// a tiny cookie-keeping browser. Apps, users and tokens to call with come from seed.ts.
import { createHmac, randomInt } from 'node:crypto';
import { request as httpRequest } from 'node:http';

export const nowMinutes = (offsetMinutes = 0) => Math.floor(Date.now() / 60_000) + offsetMinutes;

/** A Java-style nonce: signed 64-bit random, colon, epoch minutes. */
export function javaNonce(offsetMinutes = 0): string {
  const r = BigInt.asIntN(64, BigInt(randomInt(2 ** 47)) * 131071n + BigInt(randomInt(2 ** 47)));
  return `${r}:${nowMinutes(offsetMinutes)}`;
}

export function hmacB64(key: string, s: string): string {
  return createHmac('sha1', Buffer.from(key, 'utf8')).update(s, 'utf8').digest('base64');
}

export const canon = (nonce: string, method: string, host: string, path: string, q: string, withQ = true) =>
  `${nonce}\n${method}\n${host}\n${path}\n${withQ ? `${q}\n` : ''}`;

export { javaFormEncode as javaEnc, phpUrlencode, pythonQuote as pyQuote, rfc3986Encode as rfc3986 } from '../../src/core/encoding.ts';

export interface OpenResponse {
  status: number;
  text: string;
  json: { result: string; code: number; description: string; data?: Record<string, unknown> };
  headers: Headers;
}

export async function call(url: string, init: RequestInit = {}): Promise<OpenResponse> {
  const r = await fetch(url, init);
  const text = await r.text();
  return { status: r.status, text, json: JSON.parse(text), headers: r.headers };
}

/** A request through node:http (full control over Host and the raw request target). */
export function rawCall(
  baseUrl: string,
  target: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<OpenResponse> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: u.hostname, port: u.port, method: opts.method ?? 'GET', path: target, headers: opts.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
          try {
            resolve({ status: res.statusCode ?? 0, text, json: JSON.parse(text), headers });
          } catch (e) {
            reject(new Error(`not JSON (${res.statusCode}): ${text.slice(0, 200)}`, { cause: e }));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A tiny browser: keeps cookies, never follows redirects. */
export class Agent {
  private cookies = new Map<string, string>();
  constructor(private readonly base: string) {}
  async req(path: string, init: RequestInit = {}): Promise<{ status: number; location: string; text: string }> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const r = await fetch(path.startsWith('http') ? path : `${this.base}${path}`, { ...init, headers, redirect: 'manual' });
    for (const c of r.headers.getSetCookie()) {
      const [kv = ''] = c.split(';');
      const i = kv.indexOf('=');
      this.cookies.set(kv.slice(0, i), kv.slice(i + 1));
    }
    return { status: r.status, location: r.headers.get('location') ?? '', text: await r.text() };
  }
  post(path: string, form: Record<string, string>) {
    return this.req(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }
}
