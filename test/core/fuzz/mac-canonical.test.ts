// Fuzzing MAC canonical strings, verification candidates and nonces (account-protocol §5.1,
// §5.3, §5.4 steps 3-4): candidate building never throws (lone surrogates, controls, long input),
// a request signed exactly as each SDK signs it verifies while a changed mac, key, method, path or
// parameter value does not, and nonces round-trip and stay within the accepted window.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  canonicalCandidates,
  canonicalString,
  hostCandidates,
  javaQuery,
  type MacRequest,
  macOf,
  type Param,
  rawQuery,
  verifyMac,
} from '../../../src/core/account/mac-canonical.ts';
import { DEFAULT_NONCE_WINDOW, newNonce, nonceOffsetSteps, parseNonce } from '../../../src/core/account/mac-nonce.ts';
import { javaFormEncode, rfc3986Encode } from '../../../src/core/encoding.ts';
import { attackString, fuzz } from './fuzz-kit.ts';

const PUBLIC_HOST = 'open.account.xiaomi.com';
const NONCE = fc
  .tuple(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.integer({ min: 0, max: 99_999_999 }))
  .map(([r, m]) => `${r}:${m}`);

/** A request: path segments, query parameters (names and values well-formed Unicode with specials). */
const PARAM: fc.Arbitrary<Param> = fc.tuple(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const SEGMENT = fc.string({ unit: 'grapheme-ascii', maxLength: 8 }).map(rfc3986Encode);
const HOST_HEADER = fc.constantFrom('127.0.0.1:8080', 'localhost', 'Open.Account.Xiaomi.com', '[::1]:8080', 'api.example.com:443');

interface Signed {
  key: string;
  nonce: string;
  mac: string;
  req: MacRequest;
}

/** Signs a request exactly as one SDK would, and builds what the server sees. */
const SIGNED: fc.Arbitrary<Signed> = fc
  .record({
    key: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
    nonce: NONCE,
    method: fc.constantFrom('GET', 'POST'),
    segments: fc.array(SEGMENT, { minLength: 1, maxLength: 4 }),
    params: fc.array(PARAM, { maxLength: 5 }),
    hostHeader: HOST_HEADER,
    style: fc.constantFrom('java', 'android', 'php', 'python', 'csharp'),
  })
  .map(({ key, nonce, method, segments, params, hostHeader, style }) => {
    const path = `/${segments.join('/')}`;
    const sent =
      style === 'csharp'
        ? params.map(([k, v]) => `${rfc3986Encode(k)}=${rfc3986Encode(v)}`)
        : params.map(([k, v]) => `${javaFormEncode(k)}=${javaFormEncode(v)}`);
    const rawQueryString = sent.join('&');
    const serverParams: Param[] = [...new URLSearchParams(rawQueryString)];
    const requestHost = hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.replace(/:\d+$/, '');
    let canonical: string;
    if (style === 'java') canonical = canonicalString(nonce, method, PUBLIC_HOST, path, javaQuery(params));
    else if (style === 'android') canonical = canonicalString(nonce, method, PUBLIC_HOST, path, javaQuery(params), params.length > 0);
    else if (style === 'php') canonical = canonicalString(nonce, method, requestHost, path, rawQuery(params));
    else if (style === 'python') canonical = canonicalString(nonce, method, requestHost.toLowerCase(), path, rawQuery(params));
    else canonical = canonicalString(nonce, method, PUBLIC_HOST, path, rawQueryString);
    const hosts = [PUBLIC_HOST, ...hostCandidates([], hostHeader)];
    return { key, nonce, mac: macOf(key, canonical), req: { method, path, params: serverParams, rawQueryString, hosts } };
  });

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** `s` with the character at `i` replaced by another one of `alphabet`. */
function changeOne(s: string, i: number, alphabet: string, pick: number): string {
  const at = i % s.length;
  const options = alphabet.replace(s[at] ?? '', '');
  return s.slice(0, at) + (options[pick % options.length] ?? 'x') + s.slice(at + 1);
}

describe('fuzz: MAC canonical strings and verification', () => {
  it('candidate building never throws on any strings (lone surrogates, controls, long input)', (t) => {
    const str = attackString(20, 1000);
    fuzz(
      t,
      fc.property(str, str, str, fc.array(fc.tuple(str, str), { maxLength: 4 }), str, str, (nonce, method, path, params, raw, host) => {
        const req = { method, path, params, rawQueryString: raw, hosts: hostCandidates([PUBLIC_HOST], host) };
        const all = [...canonicalCandidates(nonce, req)];
        assert.ok(all.length >= 1);
        for (const c of all) assert.ok(c.startsWith(`${nonce}\n${method.toUpperCase()}\n`));
        assert.equal(typeof verifyMac('k', nonce, 'bWFj', req), 'boolean');
      }),
    );
  });

  it('a request signed as each SDK signs it verifies; a changed mac, key, method, path or value does not', (t) => {
    fuzz(
      t,
      fc.property(SIGNED, fc.nat(), fc.nat(), fc.nat(4), ({ key, nonce, mac, req }, i, pick, what) => {
        assert.ok(verifyMac(key, nonce, mac, req), 'the genuine signature must verify');
        const valued = req.params.findIndex(([, v]) => /[A-Za-z0-9]/.test(v));
        if (what === 0)
          assert.ok(
            !verifyMac(key, nonce, changeOne(mac.replace(/=+$/, ''), i, B64, pick) + mac.slice(mac.replace(/=+$/, '').length), req),
          );
        else if (what === 1) assert.ok(!verifyMac(`${key}x`, nonce, mac, req));
        else if (what === 2) assert.ok(!verifyMac(key, nonce, mac, { ...req, method: req.method === 'GET' ? 'POST' : 'GET' }));
        else if (what === 3) assert.ok(!verifyMac(key, nonce, mac, { ...req, path: `${req.path}a` }));
        else if (valued >= 0) {
          const [k, v] = req.params[valued] ?? ['', ''];
          const chars = [...v];
          const j = chars.findIndex((c) => /[A-Za-z0-9]/.test(c));
          chars[j] = changeOne(chars[j] ?? 'a', 0, ALNUM, pick);
          const changed = chars.join('');
          const params = req.params.map((p, n): Param => (n === valued ? [k, changed] : p));
          const rawQueryString = params.map(([a, b]) => `${javaFormEncode(a)}=${javaFormEncode(b)}`).join('&');
          assert.ok(!verifyMac(key, nonce, mac, { ...req, params, rawQueryString }));
        }
      }),
    );
  });
});

describe('fuzz: MAC nonces', () => {
  it('parseNonce never throws; what the strict rule accepts the lenient one does too, with the same parts', (t) => {
    const nonceish = fc.oneof(
      NONCE,
      attackString(40),
      fc.tuple(attackString(10), fc.constantFrom(':', '::', ':-'), attackString(10)).map((p) => p.join('')),
    );
    fuzz(
      t,
      fc.property(nonceish, (n) => {
        const strict = parseNonce(n, true);
        const lenient = parseNonce(n);
        if (strict) assert.deepEqual(lenient, strict);
        if (lenient) {
          assert.ok(Number.isSafeInteger(lenient.minutes));
          assert.equal(`${lenient.random}:${n.slice(n.lastIndexOf(':') + 1)}`, n);
        }
      }),
    );
  });

  it('newNonce → parseNonce round-trips; an accepted offset is within the window', (t) => {
    fuzz(
      t,
      fc.property(fc.bigInt(), fc.integer({ min: 0, max: 4_000_000_000_000 }), fc.integer({ min: -2000, max: 2000 }), (r, now, skew) => {
        const n = newNonce(now, r);
        const p = parseNonce(n, true);
        assert.ok(p);
        assert.equal(BigInt(p.random), BigInt.asIntN(64, r));
        assert.equal(p.minutes, Math.floor(now / 60_000));
        const steps = nonceOffsetSteps(p.minutes + skew, now);
        if (steps !== null) {
          assert.ok(Math.abs(steps) <= 56);
          assert.ok(Math.abs(skew - steps * 15) <= DEFAULT_NONCE_WINDOW.windowMinutes);
        } else assert.ok(Math.abs(skew) > DEFAULT_NONCE_WINDOW.windowMinutes);
      }),
    );
  });
});
