// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2, §3).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRegisteredLogoutUri, logoutRedirect } from '../../../src/core/oidc/logout.ts';

test('post_logout_redirect_uri: an exact match of one registered URI, no prefix rule', () => {
  const reg = 'https://rp.example/a;https://rp.example/bye';
  assert.equal(isRegisteredLogoutUri('https://rp.example/a', reg), true);
  assert.equal(isRegisteredLogoutUri('https://rp.example/bye', reg), true);
  assert.equal(isRegisteredLogoutUri('https://rp.example/by', reg), false);
  assert.equal(isRegisteredLogoutUri('https://rp.example/a;https://rp.example/bye', reg), false);
  assert.equal(isRegisteredLogoutUri('', 'https://rp.example/a;'), false);
  assert.equal(isRegisteredLogoutUri('', ';'), false);
  assert.equal(isRegisteredLogoutUri('', ''), false);
});

test('without a state the URI is returned as registered, byte for byte', () => {
  // new URL() would normalise these (host case, empty path); the registered form must be kept.
  for (const uri of ['https://RP.example', 'https://rp.example/bye?x=%7e']) {
    assert.equal(logoutRedirect(uri, undefined), uri);
    assert.equal(logoutRedirect(uri, ''), uri);
  }
});

test('the state is appended as a query parameter, form-encoded, after existing ones', () => {
  assert.equal(logoutRedirect('https://rp.example/bye', 'abc'), 'https://rp.example/bye?state=abc');
  assert.equal(logoutRedirect('https://rp.example/bye?a=1', 's 1'), 'https://rp.example/bye?a=1&state=s+1');
  assert.equal(logoutRedirect('https://rp.example/bye?a=1', 'x&y=z'), 'https://rp.example/bye?a=1&state=x%26y%3Dz');
});
