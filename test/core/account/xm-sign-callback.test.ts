// checkPassword callback domain rule (account-protocol §7.1) and account masking.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callbackAllowed, decoyAccountMask, maskAccount } from '../../../src/core/account/xm-sign-callback.ts';

describe('checkPassword callback rule', () => {
  const reg = 'https://app.example.com/cb;http://127.0.0.1:3000/callback;myapp://auth/cb';
  const cases: Array<[string, boolean]> = [
    ['https://app.example.com/xm', true],
    ['https://app.example.com/', true],
    ['https://a.b.app.example.com/any/path?x=1', true],
    ['https://APP.example.com/x', true],
    ['http://127.0.0.1:3000/other', true],
    ['http://127.0.0.1:3001/other', false],
    ['http://sub.127.0.0.1:3000/', false],
    ['https://app.example.com:8443/xm', false],
    ['http://app.example.com/xm', false],
    ['https://evilapp.example.com/xm', false],
    ['https://app.example.com.evil.test/xm', false],
    ['https://app.example.com@evil.test/xm', false],
    ['myapp://auth/cb', false],
    ['javascript:alert(1)//app.example.com', false],
    ['https://app.example.com/%2e%2e/x', true], // any path on the host
    ['', false],
    ['https://app.example.com/a b', false],
    ['https://app.example.com\\@evil.test/', false],
  ];
  it('underscore hosts (the doc example) are allowed', () => {
    assert.equal(callbackAllowed('http://third_url.com/xm', 'http://third_url.com/'), true);
    assert.equal(callbackAllowed('http://a.third_url.com/xm', 'http://third_url.com/'), true);
  });
  for (const [cb, ok] of cases) it(`${cb || '(empty)'} → ${ok}`, () => assert.equal(callbackAllowed(cb, reg), ok));
});

describe('maskAccount', () => {
  it('keeps first and last characters and the email domain', () => {
    assert.equal(maskAccount('alice'), 'a***e');
    assert.equal(maskAccount('browser.user@example.com'), 'b******r@example.com');
    assert.equal(maskAccount('13800000000'), '1******0');
    assert.equal(maskAccount('ab'), 'a*');
    assert.equal(maskAccount('a'), 'a*');
  });
});

// Issue 11, finding 2: a callback that already carries one of the names Opal appends
// (xmResult, xmUserId, code, _xmNonce, _xmSign) would get Opal's values appended after the
// attacker's and the whole query signed; an app reading the first value believes the forgery.
// Refused in every spelling some app's parser reads as one of those names.
describe('checkPassword callbacks carrying the result parameters are refused', () => {
  const reg = 'https://app.example.com/cb';
  const base = 'https://app.example.com/xm';
  const refused: Array<[string, string]> = [
    ['xmResult', `${base}?xmResult=true`],
    ['xmUserId', `${base}?keep=1&xmUserId=1909031`],
    ['code', `${base}?code=ATTACKER`],
    ['_xmNonce', `${base}?_xmNonce=1%3A2`],
    ['_xmSign', `${base}?_xmSign=abc%3D`],
    ['name without a value', `${base}?xmResult`],
    ['empty value', `${base}?a=1&code=`],
    ['lower case (ASP.NET compares names case-insensitively)', `${base}?xmresult=true`],
    ['upper case', `${base}?CODE=x`],
    ['percent-encoded name', `${base}?%78mResult=true`],
    ['percent-encoded underscore', `${base}?%5FxmSign=x`],
    ['percent-encoded lower-case hex', `${base}?%5fxm%53ign=x`],
    ['double-encoded name', `${base}?%2578mResult=true`],
    ['IIS %u escape', `${base}?%u0078mResult=true`],
    ['PHP: leading space stripped', `${base}?+_xmSign=x`],
    ['PHP: leading encoded space stripped', `${base}?%20code=x`],
    ['PHP: dot becomes underscore', `${base}?.xmNonce=1`],
    ['PHP: NUL ends the name', `${base}?xmResult%00junk=true`],
    ['array syntax (PHP, Rack, qs)', `${base}?xmResult[]=true`],
    ['encoded array syntax', `${base}?code%5B0%5D=x`],
    ['qs allowDots nesting', `${base}?code.x=1`],
    ['semicolon separator (Apache URLEncodedUtils, Rack)', `${base}?a=1;xmResult=true`],
    ['HTML-escaped ampersand', `${base}?a=1&amp;xmResult=true`],
    ['Unicode long s folds to s', `${base}?_xm%C5%BFign=x`],
    ['dotless i folds to I', `${base}?xmUser%C4%B1d=1`],
    ['fullwidth letters (NFKC)', `${base}?%EF%BD%83ode=x`],
    ['in the fragment', `${base}#_xmSign=x`],
    ['in a hash-router fragment query', `${base}#/done?xmResult=true`],
    ['on a subdomain callback', 'https://a.app.example.com/xm?code=1'],
    // Found by the fuzzer: new URLSearchParams(location.search.substring(1)) drops one more `?`.
    ['after a second ? (URLSearchParams strips a leading ?)', `${base}??code=1`],
    ['after ?? in a later pair', `${base}?a=1&?xmResult=true`],
    ['after leading spaces and ?s', `${base}?a=1&+%3F%3Fcode=1`],
    ['PHP: dot as underscore, then array syntax', `${base}?.xmNonce[]=1`],
    ['encoded eight times (read after eight decodings)', `${base}?%2525252525252563ode=x`],
    ['a name still changing after eight decodings (unreadable)', `${base}?%252525252525252561=x`],
  ];
  for (const [what, cb] of refused) it(`refuses ${what}: ${cb}`, () => assert.equal(callbackAllowed(cb, reg), false));

  const allowed: Array<[string, string]> = [
    ['plain query', `${base}?keep=1`],
    ['names that only contain a reserved name', `${base}?codes=1&code_challenge=x&country_code=86&xmResultPage=2&my_xmSign=1`],
    ['reserved names as values', `${base}?state=code&a=xmResult`],
    ['an encoded nested URL carrying code', `${base}?return=%2Forders%3Fcode%3DABC`],
    ['a raw nested query in a value', `${base}?return=/orders?code=ABC`],
    ['reserved words in the path', 'https://app.example.com/code/xmResult'],
    ['a fragment without parameters', `${base}?keep=1#top`],
    ['a trailing ? and &', `${base}?&`],
    ['a space inside a name', `${base}?co%20de=1&xm+Result=1`],
    ['an encoded name that is no reserved one', `${base}?a%62c=1`],
    ['an unreserved name encoded eight times', `${base}?%2525252525252561=x`],
    ['reserved names in path parameters, without a query', 'https://app.example.com/xm;code=1'],
  ];
  for (const [what, cb] of allowed) it(`still allows ${what}: ${cb}`, () => assert.equal(callbackAllowed(cb, reg), true));
});

describe('decoyAccountMask', () => {
  it('looks like a masked account name and depends only on the digest', () => {
    assert.equal(decoyAccountMask(Uint8Array.of(0, 0, 35)), 'a*9');
    assert.equal(decoyAccountMask(Uint8Array.of(9, 1, 2)), 'b******c');
    assert.equal(decoyAccountMask(Uint8Array.of(1, 1, 2)), 'b**c'); // 3 + 1 % 10 = 4 characters
    assert.equal(decoyAccountMask(Uint8Array.of(12, 1, 2)), 'b***c');
    for (let a = 0; a < 256; a += 7) assert.match(decoyAccountMask(Uint8Array.of(a, a * 3, a * 5)), /^[a-z0-9]\*{1,6}[a-z0-9]$/);
  });
});
