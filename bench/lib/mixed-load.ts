// The mixed SDK-shaped workload of the soak and the store-restart drill: a seeded store (user, app
// with a standing grant, FDS key and bucket), an `opal serve` child process on it, and one
// iteration = authorize (signed-in browser, skip_confirm) → code exchange → refresh → MAC-signed
// /user/profile → FDS PUT → FDS GET of what was put, each checked as a client would.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadConfig } from '../../src/config.ts';
import { createContext } from '../../src/context.ts';
import { authorizationHeader } from '../../src/core/fds/signer.ts';

const BIN = new URL('../../bin/opal.js', import.meta.url).pathname;
export const REDIRECT = 'https://bench.example/cb';
const PASSWORD = 'bench-password-1';

export interface Seed {
  clientId: string;
  clientSecret: string;
  userId: string;
  account: string;
  accessKeyId: string;
  accessSecret: string;
  bucket: string;
}

/** Seeds the store `env` names (the server is not running yet). */
export async function seedStore(env: Record<string, string>): Promise<Seed> {
  const ctx = await createContext(loadConfig({ ...env, OPAL_LOG_LEVEL: 'silent', OPAL_DEMO: 'false' }), { full: false });
  try {
    const s = ctx.services;
    const user = await s.users.create({ account: 'soak', password: PASSWORD, nickname: 'Soak' });
    const { app, clientSecret } = await s.apps.create({ name: 'Soak', redirectUris: REDIRECT, scopes: [1, 3] });
    await s.oauth.approve(user.userId, app.clientId, [1]);
    const key = await s.fdsKeys.ensure(app.clientId);
    return {
      clientId: app.clientId,
      clientSecret,
      userId: user.userId,
      account: 'soak',
      accessKeyId: key.accessKeyId,
      accessSecret: key.accessSecret,
      bucket: 'soak-bucket',
    };
  } finally {
    await ctx.close();
  }
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address();
  await new Promise<void>((r) => srv.close(() => r()));
  return typeof addr === 'object' && addr ? addr.port : 0;
}

export interface Child {
  proc: ChildProcess;
  account: string;
  fds: string;
  rssBytes(): number;
  stop(): Promise<void>;
}

/** Starts `opal serve` on the store `env` names, on free loopback ports; resolves once it listens. */
export async function startOpal(env: Record<string, string>): Promise<Child> {
  const [port, fdsPort] = [await freePort(), await freePort()];
  const proc = spawn(process.execPath, [BIN, 'serve', '--no-demo'], {
    env: {
      ...process.env,
      ...env,
      OPAL_PORT: String(port),
      OPAL_FDS_PORT: String(fdsPort),
      OPAL_HOST: '127.0.0.1',
      OPAL_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const account = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(`${account}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (proc.exitCode !== null) throw new Error(`opal serve exited with ${proc.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    proc,
    account,
    fds: `http://127.0.0.1:${fdsPort}`,
    rssBytes: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024,
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

/** A signed-in browser session (cookies of /login). */
export async function signIn(base: string, account: string): Promise<string> {
  const cookies = new Map<string, string>();
  const keep = (r: Response) => {
    for (const c of r.headers.getSetCookie()) {
      const [kv = ''] = c.split(';');
      const i = kv.indexOf('=');
      cookies.set(kv.slice(0, i), kv.slice(i + 1));
    }
  };
  const header = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const page = await fetch(`${base}/login`);
  keep(page);
  const csrf = /name="csrf" value="([^"]*)"/.exec(await page.text())?.[1] ?? '';
  const r = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: header(), 'content-type': 'application/x-www-form-urlencoded', origin: base },
    body: new URLSearchParams({ csrf, return_to: '/login', account, password: PASSWORD }),
  });
  keep(r);
  if (r.status !== 303) throw new Error(`login answered ${r.status}`);
  return header();
}

/** Which step failed, with its status and the start of its body. */
export class StepError extends Error {
  constructor(
    readonly step: string,
    readonly status: number,
    body: string,
  ) {
    super(`${step}: ${status} ${body.slice(0, 160)}`);
  }
}

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

/** One mixed iteration; throws StepError on the first unexpected answer. Returns the FDS object written. */
export async function iteration(
  base: { account: string; fds: string },
  s: Seed,
  cookie: string,
  n: number,
  /** A new object name per iteration (else 500 names are reused). */
  unique = false,
): Promise<{ name: string; md5: string }> {
  const auth = await fetch(
    `${base.account}/oauth2/authorize?${new URLSearchParams({ client_id: s.clientId, response_type: 'code', redirect_uri: REDIRECT, scope: '1', skip_confirm: 'true', state: String(n) })}`,
    { headers: { cookie }, redirect: 'manual' },
  );
  const code = new URL(auth.headers.get('location') ?? 'x:/', base.account).searchParams.get('code');
  await auth.arrayBuffer();
  if (auth.status !== 302 || !code) throw new StepError('authorize', auth.status, auth.headers.get('location') ?? '');
  const token = async (q: Record<string, string>) => {
    const r = await fetch(
      `${base.account}/oauth2/token?${new URLSearchParams({ client_id: s.clientId, client_secret: s.clientSecret, redirect_uri: REDIRECT, token_type: 'mac', ...q })}`,
    );
    const text = await r.text();
    if (r.status !== 200 || !text.startsWith('&&&START&&&{"access_token"')) throw new StepError(q.grant_type ?? 'token', r.status, text);
    return JSON.parse(text.slice(11)) as { access_token: string; refresh_token: string; mac_key: string };
  };
  const first = await token({ grant_type: 'authorization_code', code });
  const t = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
  const nonce = `${randomBytes(6).readUIntBE(0, 6)}:${Math.floor(Date.now() / 60_000)}`;
  const q = `clientId=${s.clientId}&token=${encodeURIComponent(t.access_token)}`;
  const mac = createHmac('sha1', t.mac_key).update(`${nonce}\nGET\nopen.account.xiaomi.com\n/user/profile\n${q}\n`).digest('base64');
  const profile = await fetch(`${base.account}/user/profile?${q}`, {
    headers: {
      authorization: `MAC access_token="${encodeURIComponent(t.access_token)}", nonce="${nonce}",mac="${encodeURIComponent(mac)}"`,
    },
  });
  const ptext = await profile.text();
  if (profile.status !== 200 || !ptext.includes('"code":0')) throw new StepError('profile', profile.status, ptext);
  const name = unique ? `obj-${n}` : `obj-${n % 500}`;
  const body = randomBytes(4096 + (n % 8) * 1024);
  const fdsReq = (method: string, path: string, init: { body?: Uint8Array } = {}) => {
    const headers: Record<string, string> = { date: new Date().toUTCString() };
    headers.authorization = authorizationHeader(
      { method, path, query: '', headers: Object.entries(headers) },
      s.accessKeyId,
      s.accessSecret,
    );
    return fetch(`${base.fds}${path}`, { method, headers, ...(init.body ? { body: init.body } : {}) });
  };
  const put = await fdsReq('PUT', `/${s.bucket}/${name}`, { body });
  const puttext = await put.text();
  if (put.status !== 200) throw new StepError('fds put', put.status, puttext);
  const get = await fdsReq('GET', `/${s.bucket}/${name}`);
  const got = new Uint8Array(await get.arrayBuffer());
  // Another worker may have overwritten the name since; only the status and a plausible size matter here.
  if (get.status !== 200 || got.length < 4096) throw new StepError('fds get', get.status, '');
  return { name, md5: md5(body) };
}

/** Creates the bucket (developer key). */
export async function createBucket(fds: string, s: Seed): Promise<void> {
  const headers: Record<string, string> = { date: new Date().toUTCString() };
  headers.authorization = authorizationHeader(
    { method: 'PUT', path: `/${s.bucket}`, query: '', headers: Object.entries(headers) },
    s.accessKeyId,
    s.accessSecret,
  );
  const r = await fetch(`${fds}/${s.bucket}`, { method: 'PUT', headers });
  if (r.status !== 200) throw new StepError('bucket', r.status, await r.text());
}
