// The pure OpenID Connect rules: scope parsing, at_hash/c_hash, claims mapping, request checks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acrOf, idTokenClaims, userinfoClaims } from '../../../src/core/oidc/claims.ts';
import { leftHalfHash } from '../../../src/core/oidc/hashes.ts';
import { isRegisteredLogoutUri, logoutRedirect } from '../../../src/core/oidc/logout.ts';
import { checkOidcAuthorize } from '../../../src/core/oidc/request.ts';
import { formatOidcScope, isOidcScope, parseOidcScopes } from '../../../src/core/oidc/scopes.ts';

test('only the exact token openid makes an OIDC request; Xiaomi scope values never do', () => {
  for (const s of ['openid', 'openid profile', 'profile+openid', 'user/profile openid']) assert.equal(isOidcScope(s), true, s);
  for (const s of [undefined, '', '1 3', 'user/openIdV2', 'OpenID', 'profile', '1+6000+16001+20000', 'openidx'])
    assert.equal(isOidcScope(s), false, String(s));
});

test('OIDC scopes: standard names map to Xiaomi ids; unknown or not enabled is refused, never dropped', () => {
  assert.deepEqual(parseOidcScopes('openid profile email phone offline_access', [1, 4, 6]), { ok: true, scopes: [1, 4, 6] });
  assert.deepEqual(parseOidcScopes('openid', [1]), { ok: true, scopes: [] });
  assert.deepEqual(parseOidcScopes('openid 2 user/profile', [1, 2]), { ok: true, scopes: [1, 2] });
  assert.deepEqual(parseOidcScopes('openid address', [1]), { ok: false, description: 'unknown scope "address"' });
  assert.deepEqual(parseOidcScopes('openid constructor', [1]), { ok: false, description: 'unknown scope "constructor"' });
  assert.deepEqual(parseOidcScopes('openid email', [1]), { ok: false, description: 'scope "email" is not enabled for this app' });
  assert.equal(formatOidcScope([1, 4, 6, 16000]), 'openid profile phone email 16000');
});

test('at_hash / c_hash: the OIDC Core example value', () => {
  // OIDC Core A.3: access_token "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y" → at_hash "77QmUPtjPfzWtF2AnpK9RQ".
  assert.equal(leftHalfHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y', 'RS256'), '77QmUPtjPfzWtF2AnpK9RQ');
  // OIDC Core A.4: code "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk" → c_hash "LDktKdoQak3Pk0cnXxCltA".
  assert.equal(leftHalfHash('Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk', 'RS256'), 'LDktKdoQak3Pk0cnXxCltA');
});

test('id_token claims: nonce only when asked, acr from amr', () => {
  const base = { issuer: 'https://id.example', clientId: '288', sub: 'U', now: 1000, lifetimeSec: 3600, alg: 'RS256' as const };
  const c = idTokenClaims({ ...base, session: { authTime: 900, amr: ['pwd'], nonce: 'n-1' }, accessToken: 'AT', withNonce: true });
  assert.deepEqual(
    { iss: c.iss, aud: c.aud, exp: c.exp, auth_time: c.auth_time, nonce: c.nonce, acr: c.acr, amr: c.amr },
    { iss: 'https://id.example', aud: '288', exp: 4600, auth_time: 900, nonce: 'n-1', acr: '1', amr: ['pwd'] },
  );
  assert.equal(c.at_hash, leftHalfHash('AT', 'RS256'));
  assert.equal(idTokenClaims({ ...base, session: { authTime: 900, amr: ['pwd'], nonce: 'n-1' }, withNonce: false }).nonce, undefined);
  assert.equal(acrOf(['pwd', 'otp', 'mfa']), '2');
});

test('userinfo: only the granted scopes, only claims with values', () => {
  const u = { sub: 'U', nickname: 'Alice', picture: 'https://p/a.png', email: 'a@x', phone: '138', locale: 'zh_CN' };
  assert.deepEqual(userinfoClaims({ ...u, scopes: [] }), { sub: 'U' });
  assert.deepEqual(userinfoClaims({ ...u, scopes: [1, 4, 6] }), {
    sub: 'U',
    name: 'Alice',
    nickname: 'Alice',
    picture: 'https://p/a.png',
    locale: 'zh-CN',
    email: 'a@x',
    email_verified: true,
    phone_number: '138',
    phone_number_verified: true,
  });
  assert.deepEqual(userinfoClaims({ ...u, email: '', scopes: [6] }), { sub: 'U' });
});

test('authorize checks: RFC error names, prompt and max_age rules', () => {
  const client = { clientId: '288', redirectUris: 'https://rp.example/cb', scopes: [1], flags: {} };
  const p = { client_id: '288', redirect_uri: 'https://rp.example/cb', response_type: 'code', scope: 'openid', state: 's' };
  const o = { skipConfirmDefault: false };
  const ok = checkOidcAuthorize({ ...p, prompt: 'login consent', max_age: '60', nonce: 'n' }, client, o);
  assert.equal(ok.kind, 'ok');
  if (ok.kind === 'ok') assert.deepEqual([...ok.oidc.prompt, ok.oidc.maxAge, ok.oidc.nonce], ['login', 'consent', 60, 'n']);
  const err = (q: Record<string, string>) => {
    const c = checkOidcAuthorize({ ...p, ...q }, client, o);
    return c.kind === 'redirect' ? c.error : c.kind;
  };
  assert.equal(err({ scope: 'openid foo' }), 'invalid_scope');
  assert.equal(err({ prompt: 'none login' }), 'invalid_request');
  assert.equal(err({ prompt: 'sometimes' }), 'invalid_request');
  assert.equal(err({ max_age: '-1' }), 'invalid_request');
  assert.equal(err({ response_type: 'token' }), 'unsupported_response_type');
  assert.equal(err({ response_type: 'id_token code' }), 'invalid_request'); // hybrid needs a nonce
  assert.equal(err({ response_type: 'id_token code', nonce: 'n' }), 'ok');
  assert.equal(err({ response_type: '' }), 'invalid_request');
  assert.equal(err({ redirect_uri: 'https://evil.example/cb' }), 'page');
});

test('post-logout URIs match exactly; the state is appended', () => {
  assert.equal(isRegisteredLogoutUri('https://rp.example/bye', 'https://rp.example/x;https://rp.example/bye'), true);
  assert.equal(isRegisteredLogoutUri('https://rp.example/bye/more', 'https://rp.example/bye'), false);
  assert.equal(isRegisteredLogoutUri('', ''), false);
  assert.equal(logoutRedirect('https://rp.example/bye?a=1', 's 1'), 'https://rp.example/bye?a=1&state=s+1');
});
