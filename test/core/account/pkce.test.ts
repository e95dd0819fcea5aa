// PKCE at authorize (RFC 7636; docs/oauth.md): S256 only unless the app allows `plain`; a missing
// method means `plain` (§4.3); an unknown method is refused (RFC 9700 §4.8.2). A plain challenge
// is stored as its S256, so the token endpoint has one check for both.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkChallenge, s256 } from '../../../src/core/account/pkce.ts';

const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'; // RFC 7636 appendix B
const MALFORMED = { ok: false, description: 'invalid request: malformed code_challenge' };
const UNSUPPORTED = { ok: false, description: 'invalid request: unsupported code_challenge_method' };
const S256_ONLY = { ok: false, description: 'invalid request: code_challenge_method must be S256' };

test('no challenge (absent or empty): nothing to store, whatever the method', () => {
  for (const allowPlain of [false, true]) {
    for (const method of [undefined, 'S256', 'plain', 'bogus']) {
      assert.deepEqual(checkChallenge(undefined, method, allowPlain), { ok: true, challenge: undefined });
      assert.deepEqual(checkChallenge('', method, allowPlain), { ok: true, challenge: undefined });
    }
  }
});

test('S256: a 43-character base64url challenge is stored as sent', () => {
  for (const allowPlain of [false, true]) {
    assert.deepEqual(checkChallenge(CHALLENGE, 'S256', allowPlain), { ok: true, challenge: CHALLENGE });
    assert.deepEqual(checkChallenge(`${CHALLENGE}=`, 'S256', allowPlain), MALFORMED);
    assert.deepEqual(checkChallenge(VERIFIER.slice(1), 'S256', allowPlain), MALFORMED);
  }
});

test('an unknown method is refused, never dropped (RFC 9700 §4.8.2)', () => {
  for (const allowPlain of [false, true]) {
    for (const method of ['s256', 'S512', 'PLAIN', '']) assert.deepEqual(checkChallenge(VERIFIER, method, allowPlain), UNSUPPORTED, method);
  }
});

test('plain (named or by a missing method) only with allowPlainPkce, stored as its S256', () => {
  assert.deepEqual(checkChallenge(VERIFIER, 'plain', false), S256_ONLY);
  assert.deepEqual(checkChallenge(VERIFIER, undefined, false), S256_ONLY);
  assert.deepEqual(checkChallenge(VERIFIER, 'plain', true), { ok: true, challenge: CHALLENGE });
  assert.deepEqual(checkChallenge(VERIFIER, undefined, true), { ok: true, challenge: CHALLENGE });
  const long = `${'a'.repeat(100)}._~-${'Z'.repeat(24)}`;
  assert.deepEqual(checkChallenge(long, 'plain', true), { ok: true, challenge: s256(long) });
});

test('a plain challenge is a verifier: 43 to 128 characters of the RFC 7636 alphabet', () => {
  for (const bad of ['a'.repeat(42), 'a'.repeat(129), `${'a'.repeat(43)}+`, `${'a'.repeat(43)}=`, `${'a'.repeat(42)} `]) {
    assert.deepEqual(checkChallenge(bad, 'plain', true), MALFORMED, bad);
  }
  assert.deepEqual(checkChallenge('a'.repeat(128), undefined, true), { ok: true, challenge: s256('a'.repeat(128)) });
});
