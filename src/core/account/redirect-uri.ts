// Redirect-URI validation (account-protocol §3.3) and success/error redirect construction (§3.6).
//
// Matching: a requested URI is valid iff some registered entry (`;`-separated) has the same scheme
// (case-insensitive), the host and port rule of uri-authority.ts (same effective port, a host equal
// to it or a subdomain of it), and a path that starts with the entry's path; query and fragment
// are ignored. Hardened: the requested URI is rejected outright when it holds userinfo (`@` in the
// authority), backslashes, whitespace, control or non-ASCII characters, percent-encoded
// dots/slashes/backslashes/NUL/percent in the path, dot segments, or a host that is not plain
// ASCII — so what we compare is what a browser would navigate to. With `exact`, only a
// byte-identical registered entry matches.

import { LRUCache } from 'lru-cache';
import { encodeComponent } from '../encoding.ts';
import { type Authority, hostAndPortMatch, MAX_URI_LENGTH, parseAuthority, registeredEntries } from './uri-authority.ts';

const BAD_ESCAPES_RE = /%(2e|2f|5c|00|25)/i;
const DOT_SEGMENT_RE = /(^|\/)\.{1,2}(\/|$)/;
const FORBIDDEN_SCHEMES = new Set(['javascript', 'data', 'file', 'vbscript']);

/** Parses a URI for matching, or undefined when it is malformed or suspicious. */
export function parseForMatch(uri: string): (Authority & { path: string }) | undefined {
  const a = parseAuthority(uri);
  if (!a || FORBIDDEN_SCHEMES.has(a.scheme)) return undefined;
  if (BAD_ESCAPES_RE.test(a.rawPath) || DOT_SEGMENT_RE.test(a.rawPath)) return undefined;
  return { ...a, path: a.rawPath === '' ? '/' : a.rawPath };
}

export interface MatchOptions {
  /** Byte-identical match against a registered entry (AppFlags.exactRedirect). */
  exact?: boolean;
}

/** Plain string prefix, as documented (no `/` boundary). */
function pathMatches(requested: string, registered: string): boolean {
  return requested.startsWith(registered);
}

/** Answers kept at most, and the characters of their keys at most (a registered list may be long). */
export const REMEMBERED_ANSWERS = 1000;
const REMEMBERED_KEY_CHARS = 4_000_000;

/**
 * Answers already given, by (exact, requested, registered) for matchRedirectUri and by the two URIs
 * for sameRedirectHost: a client sends the same redirect URI with every token request, and parsing
 * it and the registered list (WHATWG URL parser included) was 4 % of a code exchange's CPU, the two
 * URIs of sameRedirectHost 2 % more. An answer depends on nothing else. Bounded in entries and in
 * characters, least recently used first out; a requested URI too long to ever match is not kept.
 */
const answers = new LRUCache<string, boolean>({
  max: REMEMBERED_ANSWERS,
  maxSize: REMEMBERED_KEY_CHARS,
  sizeCalculation: (_answer, key) => key.length,
});

/** How many answers are kept now (tests). */
export function rememberedAnswers(): number {
  return answers.size;
}

/** The characters of the keys kept now (tests). */
export function rememberedKeyChars(): number {
  return answers.calculatedSize;
}

/** True when `requested` is a valid redirect target for the registered `;`-separated list. */
export function matchRedirectUri(requested: string, registered: string, opts: MatchOptions = {}): boolean {
  const exact = opts.exact === true;
  if (requested.length > MAX_URI_LENGTH) return false;
  // The length prefix keeps the key unambiguous whatever the two strings hold.
  const key = `${exact ? 'e' : 'p'}${requested.length}:${requested}${registered}`;
  const known = answers.get(key);
  if (known !== undefined) return known;
  const answer = matchUncached(requested, registered, exact);
  answers.set(key, answer);
  return answer;
}

function matchUncached(requested: string, registered: string, exact: boolean): boolean {
  const req = parseForMatch(requested);
  if (!req) return false;
  for (const entry of registeredEntries(registered)) {
    if (exact) {
      if (entry === requested) return true;
      continue;
    }
    const r = parseForMatch(entry);
    if (!r || r.scheme !== req.scheme) continue;
    if (!hostAndPortMatch(req, r)) continue;
    if (!pathMatches(req.path, r.path)) continue;
    return true;
  }
  return false;
}

/**
 * Appends parameters to the redirect URI exactly as received (§3.6): its fragment is dropped, the
 * parameters go after `?` (or `&` when it already has a query), or after `#` in fragment mode.
 * Values are encoded like encodeURIComponent (a lone surrogate as U+FFFD); undefined values are left out.
 */
export function buildRedirect(
  base: string,
  params: Array<[string, string | number | undefined]>,
  mode: 'query' | 'fragment' = 'query',
): string {
  const hash = base.indexOf('#');
  const b = hash >= 0 ? base.slice(0, hash) : base;
  const q = params
    .filter((p): p is [string, string | number] => p[1] !== undefined)
    .map(([k, v]) => `${encodeComponent(k)}=${encodeComponent(String(v))}`)
    .join('&');
  if (mode === 'fragment') return `${b}#${q}`;
  return `${b}${b.includes('?') ? '&' : '?'}${q}`;
}

/**
 * Whether two redirect URIs name the same host (case-insensitive; paths, parameters and ports
 * aside): the binding of a lenient app's code to its authorize request (RFC 6749 §4.1.3, relaxed).
 */
export function sameRedirectHost(a: string, b: string): boolean {
  if (a.length > MAX_URI_LENGTH || b.length > MAX_URI_LENGTH) return sameHostUncached(a, b);
  // Asked at every exchange of a code from /oauth2/authorize, nearly always with the same two URIs.
  const key = `h${a.length}:${a}${b}`;
  const known = answers.get(key);
  if (known !== undefined) return known;
  const answer = sameHostUncached(a, b);
  answers.set(key, answer);
  return answer;
}

function sameHostUncached(a: string, b: string): boolean {
  const [ha, hb] = [parseForMatch(a)?.host, parseForMatch(b)?.host];
  return ha !== undefined && ha === hb;
}
