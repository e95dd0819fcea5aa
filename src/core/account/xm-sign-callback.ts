// Which checkPassword callbacks are acceptable (account-protocol §7.1): an http(s) URL "in the same
// domain as the redirect url" — its host equal to, or a subdomain of, the host of one of the app's
// registered redirect URIs, on that entry's effective port; any path. Host names may hold `_` (the
// doc's own example is http://third_url.com/xm); userinfo, backslashes, whitespace, control and
// non-ASCII characters are refused outright, and so is a callback already carrying a parameter
// Opal appends (xmResult, xmUserId, code, _xmNonce, _xmSign, in any spelling an app's parser
// reads as one: xm-callback-params.ts).
import { registeredEntries } from './redirect-uri.ts';
import { carriesXmCallbackParam } from './xm-callback-params.ts';

const BAD_CHARS_RE = /[^\x21-\x7e]|\\/;
const RAW_RE = /^(https?):\/\/([^/?#]*)/i;
const AUTHORITY_RE = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?$/;
const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443' };

function hostPort(url: string): { host: string; port: string } | undefined {
  if (url.length === 0 || url.length > 2048 || BAD_CHARS_RE.test(url)) return undefined;
  const m = RAW_RE.exec(url);
  if (!m || !AUTHORITY_RE.test(m[2] ?? '')) return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const scheme = (m[1] ?? '').toLowerCase();
  const host = u.hostname.toLowerCase();
  if (!host || host.startsWith('.') || host.endsWith('.')) return undefined;
  return { host, port: u.port || (DEFAULT_PORTS[scheme] ?? '') };
}

export function callbackAllowed(callback: string, registeredRedirectUris: string): boolean {
  const cb = hostPort(callback);
  if (!cb || carriesXmCallbackParam(callback)) return false;
  for (const entry of registeredEntries(registeredRedirectUris)) {
    const r = hostPort(entry);
    if (!r || r.port !== cb.port) continue;
    if (cb.host === r.host) return true;
    const ipLiteral = /^[\d.]+$/.test(r.host) || r.host.startsWith('[');
    if (!ipLiteral && cb.host.endsWith(`.${r.host}`)) return true;
  }
  return false;
}

/** The account shown on the page, masked: first and last characters kept (`a***e@example.com`). */
export function maskAccount(account: string): string {
  const at = account.indexOf('@');
  const mask = (s: string) => (s.length <= 2 ? `${s[0] ?? ''}*` : `${s[0]}${'*'.repeat(Math.min(6, s.length - 2))}${s[s.length - 1]}`);
  return at > 0 ? `${mask(account.slice(0, at))}${account.slice(at)}` : mask(account);
}
