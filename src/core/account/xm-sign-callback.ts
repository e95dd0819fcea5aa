// Which checkPassword callbacks are acceptable (account-protocol §7.1): an http(s) URL "in the same
// domain as the redirect url" — its host equal to, or a subdomain of, the host of one of the app's
// registered redirect URIs, on that entry's effective port; any path (the host and port rule of
// uri-authority.ts, shared with redirect URIs). Host names may hold `_` (the doc's own example is
// http://third_url.com/xm); userinfo, backslashes, whitespace, control and non-ASCII characters
// are refused outright, and so is a callback already carrying a parameter Opal appends (xmResult,
// xmUserId, code, _xmNonce, _xmSign, in any spelling an app's parser reads as one:
// xm-callback-params.ts).
import { hostAndPortMatch, parseAuthority, registeredEntries } from './uri-authority.ts';
import { carriesXmCallbackParam } from './xm-callback-params.ts';

/** An http(s) URL's authority (host names may hold `_`), or undefined. */
function httpAuthority(url: string) {
  const a = parseAuthority(url, { underscore: true });
  return a && (a.scheme === 'http' || a.scheme === 'https') ? a : undefined;
}

export function callbackAllowed(callback: string, registeredRedirectUris: string): boolean {
  const cb = httpAuthority(callback);
  if (!cb || carriesXmCallbackParam(callback)) return false;
  return registeredEntries(registeredRedirectUris).some((entry) => {
    const r = httpAuthority(entry);
    return r !== undefined && hostAndPortMatch(cb, r);
  });
}

/** The account shown on the page, masked: first and last characters kept (`a***e@example.com`). */
export function maskAccount(account: string): string {
  const at = account.indexOf('@');
  const mask = (s: string) => (s.length <= 2 ? `${s[0] ?? ''}*` : `${s[0]}${'*'.repeat(Math.min(6, s.length - 2))}${s[s.length - 1]}`);
  return at > 0 ? `${mask(account.slice(0, at))}${account.slice(at)}` : mask(account);
}

const DECOY_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * What the page shows for a user id that names no account: a masked account of the same form,
 * made from `digest` (a keyed hash of the id, so that the same id always shows the same decoy and
 * no answer tells whether the account exists). Needs at least 3 bytes.
 */
export function decoyAccountMask(digest: Uint8Array): string {
  const [a = 0, b = 0, c = 0] = digest;
  const length = 3 + (a % 10); // 3–12 characters, like account names
  return maskAccount(`${DECOY_CHARS[b % DECOY_CHARS.length]}${'x'.repeat(length - 2)}${DECOY_CHARS[c % DECOY_CHARS.length]}`);
}
