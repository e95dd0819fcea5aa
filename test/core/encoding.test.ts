// Percent-encoding flavours (core/encoding.ts): what each client escapes, and that no encoder
// throws — a lone UTF-16 surrogate is encoded as U+FFFD (%EF%BF%BD), as URLSearchParams and Buffer
// do, instead of encodeURIComponent's URIError (found by the fast-check drill,
// test/core/fuzz/mac.test.ts: canonicalCandidates threw on such a parameter).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalCandidates } from '../../src/core/account/mac-canonical.ts';
import { encodePath, javaFormEncode, lenientFormDecode, phpUrlencode, pythonQuote, rfc3986Encode } from '../../src/core/encoding.ts';
import { fuzz } from './fuzz/fuzz-kit.ts';

describe('encoders', () => {
  it('escape what their client escapes', () => {
    const s = "a b+c~d*e/f='()!中";
    assert.equal(rfc3986Encode(s), 'a%20b%2Bc~d%2Ae%2Ff%3D%27%28%29%21%E4%B8%AD');
    assert.equal(javaFormEncode(s), 'a+b%2Bc%7Ed*e%2Ff%3D%27%28%29%21%E4%B8%AD');
    assert.equal(phpUrlencode(s), 'a+b%2Bc%7Ed%2Ae%2Ff%3D%27%28%29%21%E4%B8%AD');
    assert.equal(pythonQuote(s), 'a%20b%2Bc%7Ed%2Ae/f%3D%27%28%29%21%E4%B8%AD');
    assert.equal(encodePath('a b/c'), 'a%20b/c');
  });
  it('never throw: a lone surrogate is encoded as U+FFFD, a pair as its code point', () => {
    for (const enc of [rfc3986Encode, javaFormEncode, phpUrlencode, pythonQuote, encodePath]) {
      assert.equal(enc('x\ud800y'), 'x%EF%BF%BDy', enc.name);
      assert.equal(enc('\udfff'), '%EF%BF%BD', enc.name);
      assert.equal(enc('😀'), '%F0%9F%98%80', enc.name);
    }
    assert.equal(new URLSearchParams({ a: '\ud800' }).toString(), 'a=%EF%BF%BD');
    const req = { method: 'GET', path: '/', params: [['a', '\ud800']] as const, rawQueryString: '', hosts: ['h'] };
    assert.ok([...canonicalCandidates('1:2', req)].some((c) => c.endsWith('\na=%EF%BF%BD\n')));
  });
});

/**
 * An encoder written from its definition alone: every character outside `kept` as its UTF-8 bytes
 * in `%XX` (a lone surrogate as U+FFFD), a space as `space`.
 */
function byDefinition(kept: RegExp, space: string): (s: string) => string {
  return (s) =>
    [...s.replace(/\p{Cs}/gu, '\uFFFD')]
      .map((ch) => {
        if (kept.test(ch)) return ch;
        if (ch === ' ') return space;
        return [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
      })
      .join('');
}

describe('encoders against their definitions', () => {
  // Strings of the characters each encoder keeps take a shortcut (returned as they are): drawn
  // mostly from those, with the characters next to them in ASCII and a few that are always escaped.
  const unit = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...'azAZ09-_.~*/') },
    { weight: 2, arbitrary: fc.constantFrom(...' !\'()+%&=?#@:;,[]{}^`|"<>\\$\t', '中', '😀', '\ud800', '\u007f', '\u0080') },
  );
  const text = fc.string({ unit, maxLength: 12 });
  const cases: Array<[string, (s: string) => string, (s: string) => string]> = [
    ['rfc3986Encode', rfc3986Encode, byDefinition(/^[A-Za-z0-9\-_.~]$/, '%20')],
    ['javaFormEncode', javaFormEncode, byDefinition(/^[A-Za-z0-9\-_.*]$/, '+')],
    ['phpUrlencode', phpUrlencode, byDefinition(/^[A-Za-z0-9\-_.]$/, '+')],
    ['pythonQuote', pythonQuote, byDefinition(/^[A-Za-z0-9\-_./]$/, '%20')],
  ];
  for (const [name, encode, reference] of cases) {
    it(`${name} escapes exactly the characters outside its set`, (t) => {
      fuzz(
        t,
        fc.property(text, (s) => encode(s) === reference(s)),
        2000,
      );
      assert.equal(encode('2882303761517520000'), '2882303761517520000');
      assert.equal(encode(''), '');
    });
  }
});

describe('lenientFormDecode', () => {
  it('decodes +, %XX runs as UTF-8 and %uXXXX; keeps malformed escapes; never throws', () => {
    assert.equal(lenientFormDecode('a+b%20c%E4%B8%AD%u0041'), 'a b c中A');
    assert.equal(lenientFormDecode('%zz%4%u12%'), '%zz%4%u12%');
    assert.equal(lenientFormDecode('%ff%C3'), '\ufffd\ufffd');
    assert.equal(lenientFormDecode('%2578'), '%78');
  });
});
