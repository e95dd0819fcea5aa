// Query-string and path decoding rules of FDS (fds-protocol §1.1): selectors are present-or-absent
// flags, values are form-decoded (`+` is a space), except `Signature` (raw base64: `%XX` only) and
// the signature canonicalization (`%XX` only, §2.2.4).

import { percentDecode } from '../encoding.ts';

/** `%XX` escapes as UTF-8 bytes; malformed escapes stay literal; `+` is kept (core/encoding.ts). */
export { percentDecode };

/** Form decoding: `+` becomes a space, then `%XX` (fds-protocol §1.1). */
export function formDecode(s: string): string {
  return percentDecode(s.replace(/\+/g, ' '));
}

export interface QueryItem {
  /** Raw key as sent. */
  rawKey: string;
  /** Raw value as sent, or undefined when the item had no `=`. */
  rawValue: string | undefined;
}

/** Splits a raw query string (without `?`) into its items in order; empty items are dropped. */
export function splitQuery(rawQuery: string): QueryItem[] {
  const out: QueryItem[] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    out.push(eq < 0 ? { rawKey: part, rawValue: undefined } : { rawKey: part.slice(0, eq), rawValue: part.slice(eq + 1) });
  }
  return out;
}

/**
 * Galaxy-V2 quirk, odd and repeated query keys (§1.1, §14): the decoded view of a query. Keys and
 * values are form-decoded (`+` is a space); a valueless flag (`?acl`, Java) and an empty value
 * (`?lifecycle=`, Python) both map to '' and `?acl=true` to 'true' — selectors test presence only;
 * on a repeated key the last value wins (CORE's TreeMap); `Signature` keeps `+` (raw base64, §2.3).
 * Credential parameters given twice are refused by the authenticators, not here.
 */
export function parseQuery(rawQuery: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const item of splitQuery(rawQuery)) {
    const key = formDecode(item.rawKey);
    const raw = item.rawValue ?? '';
    m.set(key, key === 'Signature' ? percentDecode(raw) : formDecode(raw));
  }
  return m;
}

/**
 * Galaxy-V2 quirk, absolute-form targets (§1.1, §11.3): an SDK pointed at Opal through an HTTP
 * proxy setting sends `PUT http://cnbj0-fds.api.xiaomi.net/b1/o HTTP/1.1`. The scheme and
 * authority go (the Host is ignored anyway); path and query stay as sent. Origin-form targets
 * come back unchanged. The FDS origin routes and signs the result (fastify-options.ts, call.ts).
 */
export function originForm(target: string): string {
  if (target.startsWith('/')) return target;
  const abs = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(target);
  const rest = abs ? target.slice(abs[0].length) : target;
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/** Splits a request target (origin-form or absolute-form) into raw path and raw query (§1.1). */
export function splitTarget(target: string): { path: string; query: string } {
  let t = originForm(target);
  const hash = t.indexOf('#');
  if (hash >= 0) t = t.slice(0, hash);
  const q = t.indexOf('?');
  return q < 0 ? { path: t, query: '' } : { path: t.slice(0, q), query: t.slice(q + 1) };
}
