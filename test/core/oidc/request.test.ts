// OIDC parameters of an authorization request (OIDC Core §3.1.2.1, §3.3.2.2 hybrid) and RFC error names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkOidcAuthorize, type OidcCheck, RFC_ERROR, tooOld } from '../../../src/core/oidc/request.ts';

test('RFC 6749 / RFC 6750 error names for every Xiaomi code', () => {
  assert.deepEqual(RFC_ERROR, {
    96001: 'invalid_client',
    96002: 'invalid_request',
    96003: 'invalid_client',
    96004: 'invalid_grant',
    96005: 'unauthorized_client',
    96006: 'unsupported_grant_type',
    96007: 'invalid_scope',
    96008: 'invalid_token',
    96009: 'invalid_grant',
    96010: 'invalid_request',
    96011: 'unsupported_response_type',
    96012: 'access_denied',
    96013: 'invalid_grant',
  });
});

const client = { clientId: '288', redirectUris: 'https://rp.example/cb', scopes: [1, 4, 6], flags: {} };
const p = { client_id: '288', redirect_uri: 'https://rp.example/cb', response_type: 'code', scope: 'openid profile', state: 's' };
const o = { skipConfirmDefault: false };
const check = (q: Record<string, string | undefined>): OidcCheck => checkOidcAuthorize({ ...p, ...q }, client, o);
const fail = (error: string, description: string, fragment = false): OidcCheck => ({
  kind: 'redirect',
  redirectUri: 'https://rp.example/cb',
  state: 's',
  error,
  description,
  fragment,
});

test('a code request: the Xiaomi request with the OIDC scopes, and the OIDC parameters', () => {
  assert.deepEqual(check({ login_hint: 'alice@example.com' }), {
    kind: 'ok',
    base: {
      clientId: '288',
      redirectUri: 'https://rp.example/cb',
      responseType: 'code',
      scopes: [1],
      state: 's',
      skipConfirm: false,
      codeChallenge: undefined,
    },
    oidc: { responseType: 'code', nonce: undefined, prompt: new Set(), maxAge: undefined, loginHint: 'alice@example.com' },
  });
});

test('a hybrid request: response_type "code id_token" in any order and spacing, answered in the fragment', () => {
  for (const rt of ['code id_token', 'id_token code', ' code  id_token ']) {
    const c = check({ response_type: rt, nonce: 'n' });
    assert.equal(c.kind, 'ok', rt);
    if (c.kind === 'ok') {
      assert.equal(c.oidc.responseType, 'code id_token');
      assert.equal(c.base.responseType, 'code');
    }
  }
  assert.deepEqual(
    check({ response_type: 'code id_token', scope: 'openid address', nonce: 'n' }),
    fail('invalid_scope', 'unknown scope "address"', true),
  );
  // A Xiaomi check failing (PKCE here) keeps the fragment too, with the RFC error name.
  const pkce = check({ response_type: 'code id_token', nonce: 'n', code_challenge: 'x', code_challenge_method: 'S256' });
  assert.ok(pkce.kind === 'redirect' && pkce.fragment && pkce.error === 'invalid_request', JSON.stringify(pkce));
  const plain = check({ nonce: 'n', code_challenge: 'x', code_challenge_method: 'S256' });
  assert.ok(plain.kind === 'redirect' && !plain.fragment && plain.error === 'invalid_request', JSON.stringify(plain));
});

test('other response types are refused with unsupported_response_type', () => {
  assert.deepEqual(
    check({ response_type: 'token' }),
    fail('unsupported_response_type', 'OpenID Connect requests use response_type code or "code id_token"'),
  );
  assert.equal((check({ response_type: 'code token' }) as { error: string }).error, 'unsupported_response_type');
  assert.equal((check({ response_type: 'id_token' }) as { error: string }).error, 'unsupported_response_type');
});

test('nonce: an empty one is none; required with the hybrid response; at most 512 characters', () => {
  const ok = check({ nonce: '' });
  assert.ok(ok.kind === 'ok' && ok.oidc.nonce === undefined);
  assert.deepEqual(
    check({ response_type: 'code id_token', nonce: '' }),
    fail('invalid_request', 'nonce is required with response_type "code id_token"', true),
  );
  assert.deepEqual(
    check({ response_type: 'code id_token' }),
    fail('invalid_request', 'nonce is required with response_type "code id_token"', true),
  );
  const max = check({ nonce: 'n'.repeat(512) });
  assert.ok(max.kind === 'ok' && max.oidc.nonce === 'n'.repeat(512));
  assert.deepEqual(check({ nonce: 'n'.repeat(513) }), fail('invalid_request', 'nonce is too long'));
});

test('prompt: known values, space-separated; none stands alone', () => {
  const prompts = (v: string) => {
    const c = check({ prompt: v });
    return c.kind === 'ok' ? [...c.oidc.prompt] : c;
  };
  assert.deepEqual(prompts('none'), ['none']);
  assert.deepEqual(prompts('select_account'), ['select_account']);
  assert.deepEqual(prompts(' login  consent login '), ['login', 'consent']);
  assert.deepEqual(prompts(''), []);
  assert.deepEqual(check({ prompt: 'none consent' }), fail('invalid_request', 'prompt=none cannot be combined with other values'));
  assert.deepEqual(check({ prompt: 'login Consent' }), fail('invalid_request', 'unknown prompt "Consent"'));
});

test('max_age: a non-negative integer of up to ten digits; empty is absent', () => {
  const maxAge = (v: string | undefined) => {
    const c = check({ max_age: v });
    return c.kind === 'ok' ? c.oidc.maxAge : c;
  };
  assert.equal(maxAge('0'), 0);
  assert.equal(maxAge('3600'), 3600);
  assert.equal(maxAge('9999999999'), 9999999999);
  assert.equal(maxAge(''), undefined);
  assert.equal(maxAge(undefined), undefined);
  const bad = fail('invalid_request', 'max_age must be a non-negative integer');
  for (const v of ['-1', '60x', 'x60', '1.5', '12345678901', ' 60']) assert.deepEqual(maxAge(v), bad, v);
});

test('login_hint: kept up to 256 characters; an empty one is none', () => {
  const hint = (v: string | undefined) => {
    const c = check({ login_hint: v });
    return c.kind === 'ok' ? c.oidc.loginHint : c;
  };
  assert.equal(hint(`${'a'.repeat(256)}bcd`), 'a'.repeat(256));
  assert.equal(hint(''), undefined);
  assert.equal(hint(undefined), undefined);
});

test('client and redirect URI problems end on the Xiaomi error page', () => {
  const page = checkOidcAuthorize(p, undefined, o);
  assert.ok(page.kind === 'page' && page.code === 96001, JSON.stringify(page));
  // A missing response_type is the Xiaomi check's invalid_request, by redirect.
  for (const rt of [undefined, '']) {
    const c = check({ response_type: rt });
    assert.ok(c.kind === 'redirect' && c.error === 'invalid_request' && !c.fragment, JSON.stringify(c));
  }
  assert.equal(check({ redirect_uri: 'https://evil.example/cb' }).kind, 'page');
});

test('max_age: a sign-in exactly max_age seconds old is still fresh', () => {
  assert.equal(tooOld(1000, 60, 1060), false);
  assert.equal(tooOld(1000, 60, 1061), true);
  assert.equal(tooOld(1000, 0, 1000), false);
  assert.equal(tooOld(1000, 0, 1001), true);
  assert.equal(tooOld(1000, undefined, 99_999), false);
  assert.equal(tooOld(2000, 60, 1000), false);
});
