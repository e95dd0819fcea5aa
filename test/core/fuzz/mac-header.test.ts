// Fuzzing the MAC Authorization header parser (account-protocol §5.4 step 1, §5.3 spellings):
// never an exception, each SDK's spelling parses back to what it encoded, parse → format → parse
// is stable, agreement with the grammar written as one regex (short input), and linear time on the
// longest header Node accepts (16 KB).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isMacScheme, parseMacHeader } from '../../../src/core/account/mac-header.ts';
import { javaFormEncode, phpUrlencode, pythonQuote, rfc3986Encode } from '../../../src/core/encoding.ts';
import { attackString, fastOnLongHeaders, fuzz, headerString } from './fuzz-kit.ts';

const _PUBLIC_HOST = 'open.account.xiaomi.com';
const TOKEN = fc.stringMatching(/^[A-Za-z0-9_-]{1,60}$/);
const NONCE = fc
  .tuple(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.integer({ min: 0, max: 99_999_999 }))
  .map(([r, m]) => `${r}:${m}`);
const MAC = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Buffer.from(b).toString('base64'));

/** The header grammar's pieces, for headers that almost parse. */
const HEADER_PIECE = fc.oneof(
  fc.constantFrom('MAC', 'mac', 'Bearer', 'access_token', 'nonce', 'mac', 'ACCESS_TOKEN', '__proto__', 'constructor'),
  fc.constantFrom('=', '"', ',', ' ', '\t', '  ', '%', '%2', '%ZZ', '%E4%B8', '+', '%2B', '\\"', ':'),
  headerString(12),
);
const ALMOST_HEADER = fc.array(HEADER_PIECE, { maxLength: 16 }).map((p) => p.join(''));

/** How each SDK writes the header (§5.3). */
const STYLES: Array<[string, (t: string, n: string, m: string) => string]> = [
  ['Java', (t, n, m) => `MAC access_token="${javaFormEncode(t)}", nonce="${javaFormEncode(n)}",mac="${javaFormEncode(m)}"`],
  ['PHP', (t, n, m) => `MAC access_token="${t}", nonce="${n}",mac="${phpUrlencode(m)}" `],
  ['Python', (t, n, m) => `MAC access_token="${pythonQuote(t)}", nonce="${n}",mac="${pythonQuote(m)}"`],
  ['C#', (t, n, m) => `MAC access_token="${rfc3986Encode(t)}",nonce="${rfc3986Encode(n)}",mac="${rfc3986Encode(m)}"`],
  ['doc', (t, n, m) => `MAC access_token="${t}",nonce="${n}" ,mac="${m}"`],
  ['unquoted', (t, n, m) => `mac access_token=${t}, nonce=${n}, mac=${encodeURIComponent(m)}`],
];

describe('fuzz: MAC header parser', () => {
  it('never throws; a result always has three non-empty values and the MAC scheme', (t) => {
    fuzz(
      t,
      fc.property(fc.oneof(ALMOST_HEADER, headerString(200), attackString(200)), (h) => {
        const p = parseMacHeader(h);
        if (p === null) return;
        assert.ok(isMacScheme(h));
        assert.ok(p.accessToken !== '' && p.nonce !== '' && p.mac !== '');
      }),
    );
  });

  it("every SDK's spelling parses back to the token, nonce and mac it encoded", (t) => {
    fuzz(
      t,
      fc.property(TOKEN, NONCE, MAC, fc.nat(STYLES.length - 1), (tok, n, m, s) => {
        const [, style] = STYLES[s] ?? STYLES[0]!;
        assert.deepEqual(parseMacHeader(style(tok, n, m)), { accessToken: tok, nonce: n, mac: m });
      }),
    );
  });

  it('parse → format → parse is stable', (t) => {
    fuzz(
      t,
      fc.property(fc.oneof(ALMOST_HEADER, headerString(80)), (h) => {
        const p = parseMacHeader(h);
        if (!p) return;
        const again = `MAC access_token="${encodeURIComponent(p.accessToken)}", nonce="${encodeURIComponent(p.nonce)}",mac="${encodeURIComponent(p.mac)}"`;
        assert.deepEqual(parseMacHeader(again), p);
      }),
    );
  });

  it('agrees with the grammar as one regex (the pre-fix parser) on short headers', (t) => {
    const PAIR_RE = /^\s*([A-Za-z_]+)\s*=\s*(?:"([^"]*)"|([^"]*?))\s*$/;
    const byRegex = (h: string) => {
      const m = /^\s*MAC\s+(.*)$/is.exec(h);
      if (!m) return null;
      const out: Record<string, string> = {};
      for (const part of (m[1] ?? '').split(',')) {
        const kv = PAIR_RE.exec(part);
        if (!kv) continue;
        const v = kv[2] ?? kv[3] ?? '';
        let d = v;
        try {
          d = decodeURIComponent(v);
        } catch {}
        out[(kv[1] ?? '').toLowerCase()] = d;
      }
      const { access_token: accessToken, nonce, mac } = out;
      return accessToken && nonce && mac ? { accessToken, nonce, mac } : null;
    };
    fuzz(
      t,
      fc.property(ALMOST_HEADER, (h) => assert.deepEqual(parseMacHeader(h), byRegex(h))),
    );
  });

  it('stays linear on 16 KB headers built from repeated grammar pieces', (t) => {
    fastOnLongHeaders(
      t,
      parseMacHeader,
      ['', 'MAC ', 'MAC a=', 'MAC a="', 'MAC access_token=x,', 'MAC a=x'],
      [' ', '\t', '"', '=', ',', 'a', ' "', '= ', 'a=', ', ', '%', 'a '],
      ['', '"', 'x', '",', '=', ' x', '\u0000'],
    );
  });
});
