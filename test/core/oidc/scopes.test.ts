// OIDC scope rules (OIDC Core §3.1.2.1, §5.4): which tokens are known, which Xiaomi ids they stand for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatOidcScope, isOidcScope, OIDC_SCOPES, parseOidcScopes, SUPPORTED_SCOPES } from '../../../src/core/oidc/scopes.ts';

test('only the exact token openid makes an OIDC request; Xiaomi scope values never do', () => {
  for (const s of ['openid', 'openid profile', 'profile+openid', 'user/profile openid']) assert.equal(isOidcScope(s), true, s);
  for (const s of [undefined, '', '1 3', 'user/openIdV2', 'OpenID', 'profile', '1+6000+16001+20000', 'openidx'])
    assert.equal(isOidcScope(s), false, String(s));
});

test('the standard scopes and the Xiaomi ids holding their data (profile 1, email 6, phone 4)', () => {
  assert.deepEqual(
    [...OIDC_SCOPES],
    [
      ['openid', []],
      ['profile', [1]],
      ['email', [6]],
      ['phone', [4]],
      ['offline_access', []],
    ],
  );
  assert.deepEqual(SUPPORTED_SCOPES, ['openid', 'profile', 'email', 'phone', 'offline_access']);
});

test('standard names map to Xiaomi ids; unknown or not enabled is refused, never dropped', () => {
  assert.deepEqual(parseOidcScopes('openid profile email phone offline_access', [1, 4, 6]), { ok: true, scopes: [1, 4, 6] });
  assert.deepEqual(parseOidcScopes('openid', [1]), { ok: true, scopes: [] });
  assert.deepEqual(parseOidcScopes('openid 2 user/profile', [1, 2]), { ok: true, scopes: [1, 2] });
  assert.deepEqual(parseOidcScopes('openid address', [1]), { ok: false, description: 'unknown scope "address"' });
  assert.deepEqual(parseOidcScopes('openid constructor', [1]), { ok: false, description: 'unknown scope "constructor"' });
  assert.deepEqual(parseOidcScopes('openid email', [1]), { ok: false, description: 'scope "email" is not enabled for this app' });
});

test('separators: runs of spaces, tabs and "+", leading and trailing ones too; no scope at all', () => {
  assert.deepEqual(parseOidcScopes(' openid \t profile++email ', [1, 6]), { ok: true, scopes: [1, 6] });
  assert.deepEqual(parseOidcScopes(undefined, [1]), { ok: true, scopes: [] });
  assert.deepEqual(parseOidcScopes('', [1]), { ok: true, scopes: [] });
});

test('numeric Xiaomi ids: one to nine digits, the whole token', () => {
  assert.deepEqual(parseOidcScopes('openid 16000 3', [3, 16000]), { ok: true, scopes: [3, 16000] });
  assert.deepEqual(parseOidcScopes('openid 123456789', [123456789]), { ok: true, scopes: [123456789] });
  assert.deepEqual(parseOidcScopes('openid 1234567890', [1]), { ok: false, description: 'unknown scope "1234567890"' });
  assert.deepEqual(parseOidcScopes('openid 1abc', [1]), { ok: false, description: 'unknown scope "1abc"' });
  assert.deepEqual(parseOidcScopes('openid x1', [1]), { ok: false, description: 'unknown scope "x1"' });
  assert.deepEqual(parseOidcScopes('openid 7', [1]), { ok: false, description: 'scope "7" is not enabled for this app' });
});

test('Xiaomi path names count (case-insensitive), their short names do not', () => {
  assert.deepEqual(parseOidcScopes('openid User/PhoneAndEmail', [4, 6]), { ok: true, scopes: [4, 6] });
  assert.deepEqual(parseOidcScopes('openid user/relation', [2]), { ok: true, scopes: [2] });
  assert.deepEqual(parseOidcScopes('openid relation', [2]), { ok: false, description: 'unknown scope "relation"' });
  assert.deepEqual(parseOidcScopes('openid Profile', [1]), { ok: false, description: 'unknown scope "Profile"' });
  assert.deepEqual(parseOidcScopes('openid user/nothing', [1]), { ok: false, description: 'unknown scope "user/nothing"' });
});

test('each id once, sorted, however often it is asked for', () => {
  assert.deepEqual(parseOidcScopes('openid 6 profile email 1 user/profile', [1, 6]), { ok: true, scopes: [1, 6] });
  assert.deepEqual(parseOidcScopes('openid 16 2', [2, 16]), { ok: true, scopes: [2, 16] });
});

test('the token response scope: openid, then names, then other ids', () => {
  assert.equal(formatOidcScope([]), 'openid');
  assert.equal(formatOidcScope([1, 2, 3]), 'openid profile 2 3');
  assert.equal(formatOidcScope([1, 4, 6, 16000]), 'openid profile phone email 16000');
});
