// Fuzzing redirect-URI matching and redirect building (account-protocol §3.3, §3.6). Oracle: the
// WHATWG URL parser (what a browser navigates to). A URI that matches is one `new URL` parses,
// without userinfo, whose scheme and port equal a registered entry's and whose host equals that
// entry's host or is a subdomain of it (never of an IP literal), and whose path starts with the
// entry's path. Exact mode matches byte-identical (valid) entries only; every valid entry matches itself;
// a built redirect keeps the origin and carries the parameters as given.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildRedirect, matchRedirectUri, parseForMatch } from '../../../src/core/account/redirect-uri.ts';
import { registeredEntries } from '../../../src/core/account/uri-authority.ts';
import { attackString, fuzz } from './fuzz-kit.ts';
import { PAIRS } from './urls.ts';

const DEFAULT_PORT: Record<string, string> = { 'http:': '80', 'https:': '443' };
const port = (u: URL) => u.port || DEFAULT_PORT[u.protocol] || '';
const isIp = (host: string) => /^[\d.]+$/.test(host) || host.startsWith('[');

function parse(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}

/** Why a matched URI is wrong per the URL-parser oracle, or undefined when it is fine. */
function oracleComplaint(requested: string, registered: string): string | undefined {
  const u = parse(requested);
  if (!u) return 'new URL cannot parse it';
  if (u.username !== '' || u.password !== '') return 'it carries userinfo';
  if (u.hostname === '') return 'it has no host';
  for (const entry of registeredEntries(registered)) {
    const e = parse(entry);
    if (!e || e.protocol !== u.protocol || port(e) !== port(u)) continue;
    // Host names compare case-insensitively (custom schemes keep their case in `new URL`).
    const [uh, eh] = [u.hostname.toLowerCase(), e.hostname.toLowerCase()];
    const hostOk = uh === eh || (!isIp(eh) && uh.endsWith(`.${eh}`));
    // An empty path is the root path (custom schemes keep it empty in `new URL`; http(s) make it `/`).
    const path = (x: URL) => x.pathname || '/';
    if (hostOk && path(u).startsWith(path(e))) return undefined;
  }
  return 'no registered entry has its scheme, port, host (or parent) and path prefix';
}

describe('fuzz: redirect-URI matching', () => {
  it('never throws; a match is always one the URL parser agrees with', (t) => {
    fuzz(
      t,
      fc.property(PAIRS, ({ requested, registered }) => {
        if (!matchRedirectUri(requested, registered)) return;
        const why = oracleComplaint(requested, registered);
        assert.equal(why, undefined, `${JSON.stringify(requested)} matched ${JSON.stringify(registered)} but ${why}`);
      }),
    );
  });

  it('exact mode matches byte-identical entries only; every valid entry matches itself', (t) => {
    fuzz(
      t,
      fc.property(PAIRS, ({ requested, registered }) => {
        const entries = registeredEntries(registered);
        // Exact mode still refuses what the hardened parser refuses (userinfo, `\\`, `_` hosts…).
        const exact = entries.includes(requested) && parseForMatch(requested) !== undefined;
        assert.equal(matchRedirectUri(requested, registered, { exact: true }), exact);
        for (const e of entries) if (parseForMatch(e)) assert.ok(matchRedirectUri(e, registered), e);
      }),
    );
  });

  it('a built redirect keeps the origin and path and carries the parameters as given', (t) => {
    const value = fc.oneof(fc.constant(undefined), attackString(20), fc.integer());
    const params = fc.array(fc.tuple(fc.constantFrom('code', 'state', 'error', 'error_description', 'expires_in'), value), {
      maxLength: 4,
    });
    fuzz(
      t,
      fc.property(PAIRS, params, fc.constantFrom('query' as const, 'fragment' as const), ({ requested: base, registered }, ps, mode) => {
        fc.pre(matchRedirectUri(base, registered)); // every counted case builds a redirect
        const built = buildRedirect(base, ps, mode);
        const u = new URL(built);
        const b = new URL(base);
        assert.equal(u.origin, b.origin);
        assert.equal(u.pathname, b.pathname);
        const given = ps.filter((p) => p[1] !== undefined).map(([k, v]) => [k, String(v).replace(/\p{Cs}/gu, '\ufffd')]);
        const got = [...new URLSearchParams(mode === 'fragment' ? u.hash.slice(1) : u.search)];
        assert.deepEqual(got.slice(got.length - given.length), given);
      }),
    );
  });
});
