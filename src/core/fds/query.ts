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
 * The decoded view of a query: keys and values form-decoded; a valueless flag maps to ''.
 * On duplicate keys the last value wins. `Signature` keeps `+` (raw base64, §2.3).
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

/** Splits a request target (origin-form or absolute-form) into raw path and raw query (§1.1). */
export function splitTarget(target: string): { path: string; query: string } {
  let t = target;
  const abs = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(t);
  if (abs) t = t.slice(abs[0].length);
  const hash = t.indexOf('#');
  if (hash >= 0) t = t.slice(0, hash);
  if (!t.startsWith('/')) t = `/${t}`;
  const q = t.indexOf('?');
  return q < 0 ? { path: t, query: '' } : { path: t.slice(0, q), query: t.slice(q + 1) };
}
