// MAC canonical ("standardized") request strings (account-protocol §5.1, §5.3, §5.4 step 4):
//   nonce "\n" METHOD "\n" HOST "\n" PATH "\n" QUERY "\n"
// and every candidate a real client may have signed: the request's host without and with port and
// the configured public host names (sites/account/open/mac-check.ts macHosts); the query
// canonicalized four ways (Java form-encoding, raw decoded values, RFC 3986, the raw query as
// received); with the query line and, when the query is empty, without it (Android).
// mac = base64(HMAC-SHA1(utf8(mac_key), utf8(canonical))).
import { createHmac } from 'node:crypto';
import { safeEqualPublicLength } from '../../lib/hash.ts';
import { javaFormEncode, rfc3986Encode } from '../encoding.ts';

export type Param = readonly [name: string, value: string];

/** Stable sort by name, comparing UTF-16 code units like Java's String.compareTo. */
export function sortByName(params: readonly Param[]): Param[] {
  return params
    .map((p, i) => [p, i] as const)
    .sort(([a, ia], [b, ib]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : ia - ib))
    .map(([p]) => p);
}

export function joinQuery(params: readonly Param[], enc: (s: string) => string): string {
  return params.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
}

/** A query value as it is: PHP (`ksort`) and Python (`keys.sort()`) sign the decoded values. */
const asIs = (s: string) => s;

/**
 * The encodings of the sorted query lines clients sign, in the order they are tried (§5.3, §5.4
 * step 4 (a)–(c)): Java/Android's form-encoding, the raw decoded values, RFC 3986.
 */
const SORTED_QUERY_ENCODINGS = [javaFormEncode, asIs, rfc3986Encode] as const;

/** Java/Android SDK: parsed, stable-sorted, form-encoded (§5.3 row 1; V3 first value). */
export function javaQuery(params: readonly Param[]): string {
  return joinQuery(sortByName(params), javaFormEncode);
}

/** PHP (`ksort`) and Python (`keys.sort()`): decoded values, sorted, joined raw. */
export function rawQuery(params: readonly Param[]): string {
  return joinQuery(sortByName(params), asIs);
}

/** RFC 3986-encoded and sorted (C#'s encoding when its insertion order happens to be sorted). */
export function rfc3986Query(params: readonly Param[]): string {
  return joinQuery(sortByName(params), rfc3986Encode);
}

export function canonicalString(nonce: string, method: string, host: string, path: string, query: string, withQueryLine = true): string {
  return `${nonce}\n${method.toUpperCase()}\n${host}\n${path}\n${withQueryLine ? `${query}\n` : ''}`;
}

export function macOf(macKey: string, canonical: string): string {
  return createHmac('sha1', macKey).update(canonical, 'utf8').digest('base64');
}

/** Host names a client may have signed: the configured public hosts, then Host without and with port. */
export function hostCandidates(configured: readonly string[], hostHeader: string | undefined): string[] {
  const out: string[] = [];
  const add = (h: string) => {
    if (h && !out.includes(h)) out.push(h);
  };
  for (const h of configured) add(h);
  if (hostHeader) {
    const withPort = hostHeader.trim();
    const noPort = withPort.startsWith('[') ? withPort.slice(0, withPort.indexOf(']') + 1) : withPort.replace(/:\d*$/, '');
    add(noPort);
    add(noPort.toLowerCase());
    add(withPort);
  }
  return out;
}

export interface MacRequest {
  method: string;
  /** Path as received, percent-encoding preserved, without the query. */
  path: string;
  /** Query parameters (form-decoded) followed, for POST, by the form-body parameters. */
  params: readonly Param[];
  /** The query string exactly as received (after `?`), C# insertion order; '' if none. */
  rawQueryString: string;
  hosts: readonly string[];
}

/**
 * The distinct query lines a client may have signed (§5.4 step 4 (a)–(d)), in the order they are
 * tried, each made only when the one before did not match (most clients sign the first): the
 * sorted lines of SORTED_QUERY_ENCODINGS, then the query as received (C#'s insertion order).
 */
export function* queryCandidates(params: readonly Param[], rawQueryString: string): Generator<string> {
  const sorted = sortByName(params);
  const made: string[] = [];
  for (const encode of SORTED_QUERY_ENCODINGS) {
    const q = joinQuery(sorted, encode);
    if (made.includes(q)) continue;
    made.push(q);
    yield q;
  }
  if (!made.includes(rawQueryString)) yield rawQueryString;
}

/** Every canonical string the request may have been signed as, in the order they are tried. */
export function* canonicalCandidates(nonce: string, r: MacRequest): Generator<string> {
  // The query lines are made once, as the first host needs them, and reused for the others.
  const queries = queryCandidates(r.params, r.rawQueryString);
  const made: string[] = [];
  for (const host of r.hosts) {
    for (let i = 0; ; i++) {
      if (i === made.length) {
        const next = queries.next();
        if (next.done) break;
        made.push(next.value);
      }
      const q = made[i] as string;
      yield canonicalString(nonce, r.method, host, r.path, q);
      if (q === '') yield canonicalString(nonce, r.method, host, r.path, q, false);
    }
  }
}

/**
 * True when `mac` matches a candidate canonical string. The first match ends the search: a request
 * that fails computes every candidate, so its time says nothing about a forged MAC; only one that
 * verifies ends early, and which of the forms a client signed is no secret. Each comparison is
 * constant-time; the length of a MAC (28 characters of base64) is public.
 */
export function verifyMac(macKey: string, nonce: string, mac: string, r: MacRequest): boolean {
  const given = Buffer.from(mac, 'utf8');
  for (const c of canonicalCandidates(nonce, r)) if (safeEqualPublicLength(macOf(macKey, c), given)) return true;
  return false;
}
