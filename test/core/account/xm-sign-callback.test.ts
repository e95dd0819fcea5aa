// checkPassword callback domain rule (account-protocol §7.1) and account masking.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callbackAllowed, maskAccount } from '../../../src/core/account/xm-sign-callback.ts';

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
