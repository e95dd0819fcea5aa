// checkPassword callbacks (account-protocol §7.3, §7.4). `_xmSign` is the MAC canonical string of
// the final callback GET request keyed with the client secret:
//   HMAC-SHA1(utf8(secret), nonce \n GET \n host \n path \n sorted-form-encoded-query \n)
// where host is what java.net.URI.getHost() returns for the callback (empty when Java says null,
// e.g. for `third_url.com`), path is URI.getPath(), and the query holds every callback parameter
// except `_xmNonce` and `_xmSign`, stable-sorted by name and Java form-encoded.
import { canonicalString, javaQuery, macOf, type Param } from './mac-canonical.ts';

export type XmSignHostMode = 'uri' | 'empty';

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const TOP = /^[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

/** The host as java.net.URI.getHost() returns it; null when Java finds no server-based host. */
export function javaUriHost(url: string): string | null {
  const a = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(url)?.[1];
  if (a == null) return null;
  const hp = a.slice(a.lastIndexOf('@') + 1);
  if (hp.startsWith('[')) return hp.slice(0, hp.indexOf(']') + 1);
  const host = hp.replace(/:\d*$/, '');
  if (!host) return null;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return host;
  const labels = host.replace(/\.$/, '').split('.');
  const last = labels[labels.length - 1] ?? '';
  return labels.slice(0, -1).every((l) => LABEL.test(l)) && TOP.test(last) ? host : null;
}

/** java.net.URI.getPath(): the decoded path; '/' when empty (§7.4 [I]). */
export function javaUriPath(url: string): string {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/.exec(url);
  const raw = m?.[1] ?? '';
  if (!raw) return '/';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Query parameters of a URL, form-decoded, in order. */
export function urlParams(url: string): Param[] {
  const noFrag = url.split('#')[0] ?? '';
  const q = noFrag.indexOf('?');
  if (q < 0) return [];
  return [...new URLSearchParams(noFrag.slice(q + 1))];
}

export function xmSignCanonical(nonce: string, callbackUrl: string, mode: XmSignHostMode = 'uri'): string {
  const host = mode === 'empty' ? '' : (javaUriHost(callbackUrl) ?? '');
  const params = urlParams(callbackUrl).filter(([k]) => k !== '_xmNonce' && k !== '_xmSign');
  return canonicalString(nonce, 'GET', host, javaUriPath(callbackUrl), javaQuery(params));
}

/** `_xmSign` of a callback URL (its `_xmNonce`/`_xmSign`, if any, are not signed). */
export function xmSign(secret: string, nonce: string, callbackUrl: string, mode: XmSignHostMode = 'uri'): string {
  return macOf(secret, xmSignCanonical(nonce, callbackUrl, mode));
}

export interface CheckPasswordResult {
  xmResult: boolean;
  xmUserId: string;
  /** Authorization code, on success only. */
  code?: string | undefined;
}

/**
 * The redirect target: the callback (fragment dropped, its own query kept) plus
 * `xmResult, xmUserId[, code], _xmNonce, _xmSign` in the doc's order (§7.3).
 */
export function buildXmCallback(
  callback: string,
  r: CheckPasswordResult,
  nonce: string,
  secret: string,
  mode: XmSignHostMode = 'uri',
): string {
  const base = callback.split('#')[0] ?? '';
  const add = [`xmResult=${r.xmResult}`, `xmUserId=${encodeURIComponent(r.xmUserId)}`];
  if (r.xmResult && r.code) add.push(`code=${encodeURIComponent(r.code)}`);
  // After the callback's own query, unless it is empty or already ends with '&' (a query ending in
  // '?', as in `cb?a=1?`, still needs one: else `a` would read `1?xmResult=…`).
  const q = base.indexOf('?');
  const query = q < 0 ? undefined : base.slice(q + 1);
  const sep = query === undefined ? '?' : query === '' || query.endsWith('&') ? '' : '&';
  const unsigned = `${base}${sep}${add.join('&')}`;
  const sign = xmSign(secret, nonce, unsigned, mode);
  return `${unsigned}&_xmNonce=${encodeURIComponent(nonce)}&_xmSign=${encodeURIComponent(sign)}`;
}
