// Fuzzing checkPassword callbacks (account-protocol §7): the callback rule and the `_xmSign`
// callback builder. Properties: never an exception; an allowed callback is one the URL parser
// sees as http(s) on a registered host (or subdomain) and port, without userinfo, whose query and
// fragment hold none of the names Opal appends in any spelling; every spelling of those names
// (case, %XX, double encoding, %uXXXX, PHP/Rack decorations, `;`, fragment) is refused; the built
// callback gives an app reading first or last values exactly Opal's result, verifies with the
// secret, and stops verifying when one signed byte changes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { registeredEntries } from '../../../src/core/account/uri-authority.ts';
import { carriesXmCallbackParam, XM_CALLBACK_PARAMS } from '../../../src/core/account/xm-callback-params.ts';
import { buildXmCallback, javaUriHost, javaUriPath, urlParams, xmSign, xmSignCanonical } from '../../../src/core/account/xm-sign.ts';
import { callbackAllowed } from '../../../src/core/account/xm-sign-callback.ts';
import { attackString, fuzz } from './fuzz-kit.ts';
import { PAIRS } from './urls.ts';

const RESERVED = XM_CALLBACK_PARAMS.map((n) => n.toLowerCase());
const DEFAULT_PORT: Record<string, string> = { 'http:': '80', 'https:': '443' };

function parse(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}

/** Names an app's parser reads (WHATWG form-decoding; pairs split on `&` and `;`, in a fragment also `?`). */
function appNames(part: string, fragment = false): string[] {
  return part
    .split(fragment ? /[&;?]/ : /[&;]/)
    .filter(Boolean)
    .flatMap((pair) => [...new URLSearchParams(pair)].map(([k]) => k.toLowerCase()));
}

/** One way some app's parser could read `name`: case, escapes, decorations. */
const SPELLING = fc
  .record({
    name: fc.constantFrom(...XM_CALLBACK_PARAMS),
    chars: fc.array(fc.constantFrom('keep', 'upper', 'lower', 'pct', 'pctlower', 'double', 'iis'), { minLength: 16, maxLength: 16 }),
    prefix: fc.constantFrom('', '', '', '+', '%20', ' '),
    suffix: fc.constantFrom('', '', '', '[]', '[0]', '%5B%5D', '%00x', '.x', '+'),
  })
  .map(({ name, chars, prefix, suffix }) => {
    const spelled = [...name]
      .map((c, i) => {
        const hex = c.charCodeAt(0).toString(16).padStart(2, '0');
        switch (chars[i]) {
          case 'upper':
            return c.toUpperCase();
          case 'lower':
            return c.toLowerCase();
          case 'pct':
            return `%${hex.toUpperCase()}`;
          case 'pctlower':
            return `%${hex}`;
          case 'double':
            return `%25${hex}`;
          case 'iis':
            return `%u00${hex}`;
          default:
            return c;
        }
      })
      .join('');
    return prefix.replace(' ', '') + spelled + suffix;
  });

describe('fuzz: checkPassword callback rule', () => {
  it('never throws; an allowed callback is http(s) on a registered host and port, without userinfo or reserved names', (t) => {
    fuzz(
      t,
      fc.property(PAIRS, ({ requested: cb, registered }) => {
        if (!callbackAllowed(cb, registered)) return;
        const u = parse(cb);
        assert.ok(u, `${cb} was allowed but does not parse`);
        assert.ok(u.protocol === 'http:' || u.protocol === 'https:', cb);
        assert.equal(u.username + u.password, '', cb);
        const port = u.port || DEFAULT_PORT[u.protocol];
        const onHost = registeredEntries(registered).some((entry) => {
          const e = parse(entry);
          if (!e || (e.port || DEFAULT_PORT[e.protocol]) !== port) return false;
          const ip = /^[\d.]+$/.test(e.hostname) || e.hostname.startsWith('[');
          return u.hostname === e.hostname || (!ip && u.hostname.endsWith(`.${e.hostname}`));
        });
        assert.ok(onHost, `${cb} allowed for ${registered}`);
        const names = [...appNames(u.search.slice(1)), ...appNames(u.hash.slice(1), true)];
        assert.ok(!names.some((n) => RESERVED.includes(n)), `${cb} carries ${names}`);
      }),
    );
  });

  it('every spelling of an appended name is refused, wherever it is put', (t) => {
    const base = fc.constantFrom(
      'https://app.example.com/xm',
      'https://app.example.com/xm?keep=1',
      'https://a.app.example.com/?a=b&c',
      'https://app.example.com/x?',
    );
    fuzz(
      t,
      fc.property(
        base,
        SPELLING,
        fc.constantFrom('&', ';', '&amp;', '#', '#/r?', '#a=1&'),
        fc.constantFrom('=v', '', '=', '=true'),
        (b, name, sep, value) => {
          const sepHere = sep.startsWith('#') || b.includes('?') ? sep : `?${sep}`;
          const cb = `${b}${sepHere}${name}${value}`;
          assert.equal(carriesXmCallbackParam(cb), true, cb);
          assert.equal(callbackAllowed(cb, 'https://app.example.com/cb'), false, cb);
        },
      ),
    );
  });

  it('names and values that merely resemble the appended ones are kept', (t) => {
    const name = fc.oneof(
      fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/).filter((n) => !RESERVED.includes(n)),
      fc.constantFrom('codes', 'code_challenge', 'country_code', 'xmResultPage', 'my_xmSign', 'xm_result', 'state'),
    );
    const value = fc.oneof(fc.constantFrom('code', 'xmResult', '%2Fx%3Fcode%3D1', '/x?code=1'), fc.stringMatching(/^[A-Za-z0-9]{0,8}$/));
    fuzz(
      t,
      fc.property(fc.array(fc.tuple(name, value), { maxLength: 4 }), (pairs) => {
        const q = pairs.map(([k, v]) => `${k}=${v}`).join('&');
        const cb = `https://app.example.com/xm${q ? `?${q}` : ''}`;
        assert.equal(carriesXmCallbackParam(cb), false, cb);
        assert.equal(callbackAllowed(cb, 'https://app.example.com/cb'), true, cb);
      }),
    );
  });

  it('the rule and the java.net.URI emulation never throw on any string, long or hostile', (t) => {
    fuzz(
      t,
      fc.property(attackString(80, 3000), (s) => {
        assert.equal(typeof carriesXmCallbackParam(s), 'boolean');
        assert.equal(typeof callbackAllowed(s, 'https://app.example.com/cb;http://[::1]:8080/'), 'boolean');
        const host = javaUriHost(s);
        assert.ok(host === null || typeof host === 'string');
        assert.ok(javaUriPath(s).length >= 1);
        assert.ok(Array.isArray(urlParams(s)));
        assert.ok(xmSignCanonical('1:2', s).startsWith('1:2\nGET\n'));
      }),
    );
  });
});

const RESULT = fc.record({
  xmResult: fc.boolean(),
  xmUserId: fc.stringMatching(/^[1-9]\d{0,19}$/),
  code: fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{27,43}$/), { nil: undefined }),
});
const NONCE = fc.tuple(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.nat(99_999_999)).map(([r, m]) => `${r}:${m}`);
const SECRET = fc.stringMatching(/^[A-Za-z0-9_-]{20,40}$/);

describe('fuzz: _xmSign callback building', () => {
  it("an app reading the first or the last value sees Opal's result; the signature verifies; one changed byte does not", (t) => {
    fuzz(
      t,
      fc.property(
        PAIRS,
        RESULT,
        NONCE,
        SECRET,
        fc.constantFrom('uri' as const, 'empty' as const),
        fc.nat(),
        ({ requested: cb, registered }, r, nonce, secret, mode, pick) => {
          fc.pre(callbackAllowed(cb, registered)); // every counted case builds a callback
          const url = buildXmCallback(cb, r, nonce, secret, mode);
          const q = new URL(url).searchParams;
          const code = r.xmResult && r.code ? r.code : undefined;
          const want: Record<string, string | undefined> = { xmResult: String(r.xmResult), xmUserId: r.xmUserId, code, _xmNonce: nonce };
          for (const [name, value] of Object.entries(want)) {
            const all = q.getAll(name);
            assert.deepEqual(all, value === undefined ? [] : [value], `${name} in ${url}`);
          }
          const sign = q.get('_xmSign') ?? '';
          assert.equal(xmSign(secret, nonce, url, mode), sign);
          assert.notEqual(xmSign(`${secret}x`, nonce, url, mode), sign);
          // One signed byte changed: a digit of xmUserId, the result, or a character of the code.
          const [, flipped] = [
            [
              'xmUserId',
              url.replace(
                `xmUserId=${r.xmUserId}`,
                `xmUserId=${r.xmUserId.slice(0, -1)}${(Number(r.xmUserId.slice(-1)) + 1 + (pick % 9)) % 10}`,
              ),
            ],
            ['xmResult', url.replace(`xmResult=${r.xmResult}`, `xmResult=${!r.xmResult}`)],
            [
              'code',
              code
                ? url.replace(`code=${code}`, `code=${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}`)
                : url.replace('xmResult=', 'xmResulu='),
            ],
          ][pick % 3] ?? ['', url];
          assert.notEqual(flipped, url);
          assert.notEqual(xmSign(secret, nonce, flipped ?? url, mode), sign, flipped);
        },
      ),
    );
  });
});
