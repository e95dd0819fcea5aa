// Which checkPassword callbacks are acceptable (account-protocol §7.1): an http(s) URL "in the same
// domain as the redirect url" — its host equal to, or a subdomain of, the host of one of the app's
// registered redirect URIs, on that entry's effective port; any path. The same hardening as
// redirect URIs applies (no userinfo, control characters, encoded dots or slashes …).
import { parseForMatch, registeredEntries } from './redirect-uri.ts';

export function callbackAllowed(callback: string, registeredRedirectUris: string): boolean {
  const cb = parseForMatch(callback);
  if (!cb || (cb.scheme !== 'http' && cb.scheme !== 'https')) return false;
  for (const entry of registeredEntries(registeredRedirectUris)) {
    const r = parseForMatch(entry);
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
