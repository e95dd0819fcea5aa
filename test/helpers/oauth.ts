// Shared fixtures for the OAuth site tests: a real server with one app and one user, a cookie-
// keeping HTTP client (redirects not followed), and the login → consent walk done with plain forms.
import { startTestServer, type TestServer } from './env.ts';
import { seedApp, seedUser } from './seed.ts';

export const REDIRECTS = 'https://app.example.com/cb;https://app.example.com/mi/';
export const SCOPES = [1, 2, 3, 4, 6, 16000];
export const PASSWORD = 'correct horse 1';

export interface Fixture {
  t: TestServer;
  base: string;
  clientId: string;
  clientSecret: string;
  userId: string;
  account: string;
}

export async function fixture(opts: Parameters<typeof startTestServer>[0] = {}, flags: Record<string, boolean> = {}): Promise<Fixture> {
  const t = await startTestServer(opts);
  const { clientId, clientSecret } = await seedApp(t.ctx, { name: 'Example App', redirectUris: REDIRECTS, scopes: SCOPES, flags });
  const u = await seedUser(t.ctx, {
    account: 'alice',
    password: PASSWORD,
    email: 'alice@example.com',
    phone: '13800000000',
    nickname: 'Alice',
  });
  return { t, base: t.accountUrl, clientId, clientSecret, userId: u.userId, account: 'alice' };
}

/** A minimal browser: keeps cookies per name, never follows redirects. */
export class Jar {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  async fetch(path: string, init: RequestInit & { form?: Record<string, string> } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    let body = init.body;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers.set('content-type', 'application/x-www-form-urlencoded');
    }
    const r = await fetch(path.startsWith('http') ? path : this.base + path, { ...init, body, headers, redirect: 'manual' });
    for (const c of r.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (value === '' || /max-age=0|expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return r;
  }
}

export function hidden(html: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!m?.[1] && m?.[1] !== '') throw new Error(`no hidden field ${name}`);
  return m[1]
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

/** Logs the jar in through the login form (with `returnTo`); returns the 303 response. */
export async function login(jar: Jar, account: string, password: string, returnTo = '/login'): Promise<Response> {
  const page = await jar.fetch(`/login?return_to=${encodeURIComponent(returnTo)}`);
  const html = await page.text();
  return jar.fetch('/login', { method: 'POST', form: { csrf: hidden(html, 'csrf'), return_to: returnTo, account, password } });
}

/** Walks authorize → (login) → consent → allow; returns the final Location. */
export async function authorize(f: Fixture, jar: Jar, query: string, decision: 'allow' | 'deny' = 'allow'): Promise<string> {
  let r = await jar.fetch(`/oauth2/authorize?${query}`);
  if (r.status === 302 && r.headers.get('location')?.startsWith('/login')) {
    const loc = new URL(r.headers.get('location') ?? '', f.base);
    const returnTo = loc.searchParams.get('return_to') ?? '';
    const l = await login(jar, f.account, PASSWORD, returnTo);
    if (l.status !== 303) throw new Error(`login answered ${l.status}`);
    r = await jar.fetch(l.headers.get('location') ?? '');
  }
  if (r.status === 302) return r.headers.get('location') ?? '';
  if (r.status !== 200) throw new Error(`authorize answered ${r.status}: ${await r.text()}`);
  const html = await r.text();
  const d = await jar.fetch('/oauth2/authorize/decision', {
    method: 'POST',
    form: { csrf: hidden(html, 'csrf'), request: hidden(html, 'request'), uid: hidden(html, 'uid'), decision },
  });
  if (d.status !== 303) throw new Error(`decision answered ${d.status}: ${await d.text()}`);
  return d.headers.get('location') ?? '';
}

/** A fixture whose user is logged in on a fresh cookie jar. */
export async function loggedInFixture(): Promise<{ f: Fixture; jar: Jar }> {
  const f = await fixture();
  const jar = new Jar(f.base);
  await login(jar, f.account, PASSWORD);
  return { f, jar };
}

/** Authorizes (allow) with these query parameters; returns the code from the redirect. */
export async function authorizeCode(f: Fixture, jar: Jar, params: Record<string, string>): Promise<string> {
  return codeOf(await authorize(f, jar, new URLSearchParams(params).toString()));
}

export function codeOf(location: string): string {
  const q = location.slice(location.indexOf('?') + 1);
  const code = new URLSearchParams(q).get('code');
  if (!code) throw new Error(`no code in ${location}`);
  return code;
}

export const PREFIX = '&&&START&&&';

export function parseTokenBody(text: string): Record<string, unknown> {
  if (!text.startsWith(PREFIX)) throw new Error(`no prefix: ${text}`);
  return JSON.parse(text.slice(PREFIX.length)) as Record<string, unknown>;
}

/** The query of a plain code request of `clientId` to its first redirect URI, scope 1. */
export function codeRequestQuery(clientId: string): string {
  return new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: REDIRECTS.split(';')[0] ?? '',
    scope: '1',
  }).toString();
}
