// id_token claims (OIDC Core §2, §3.3.2.11 c_hash, FAPI s_hash) and userinfo claims per scope (§5.4).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acrOf, idTokenClaims, userinfoClaims } from '../../../src/core/oidc/claims.ts';

test('acr: "2" for a second factor or a passkey, "1" for a password alone', () => {
  assert.equal(acrOf(['pwd']), '1');
  assert.equal(acrOf([]), '1');
  assert.equal(acrOf(['pwd', 'otp']), '2');
  assert.equal(acrOf(['pwd', 'hwk']), '2');
  assert.equal(acrOf(['hwk']), '2');
  assert.equal(acrOf(['otp']), '2');
  assert.equal(acrOf(['mfa']), '2');
  assert.equal(acrOf(['']), '1');
});

const base = {
  issuer: 'https://id.example',
  clientId: '2882303761517000001',
  sub: 'union-1',
  now: 1_700_000_000,
  lifetimeSec: 3600,
  alg: 'ES256' as const,
};

test('the id_token of a hybrid response: every claim, with c_hash and s_hash of the code and state', () => {
  const c = idTokenClaims({
    ...base,
    session: { authTime: 1_699_999_000, amr: ['pwd', 'otp'], nonce: 'n-0S6_WzA2Mj' },
    code: 'Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk',
    state: 'state-1',
    withNonce: true,
  });
  assert.deepEqual(c, {
    iss: 'https://id.example',
    sub: 'union-1',
    aud: '2882303761517000001',
    exp: 1_700_003_600,
    iat: 1_700_000_000,
    auth_time: 1_699_999_000,
    nonce: 'n-0S6_WzA2Mj',
    acr: '2',
    amr: ['pwd', 'otp'],
    azp: '2882303761517000001',
    // OIDC Core A.4's code and c_hash.
    c_hash: 'LDktKdoQak3Pk0cnXxCltA',
    // base64url(left half of SHA-256("state-1")).
    s_hash: '82tFroGICe4kriSJ7av-PA',
  });
});

test('the id_token of a token response: at_hash of the access token (OIDC Core A.3), no c_hash or s_hash', () => {
  const c = idTokenClaims({
    ...base,
    session: { authTime: 5, amr: ['hwk'] },
    accessToken: 'jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y',
    withNonce: true,
  });
  assert.equal(c.at_hash, '77QmUPtjPfzWtF2AnpK9RQ');
  assert.equal(c.acr, '2');
  for (const k of ['c_hash', 's_hash', 'nonce']) assert.ok(!(k in c), k);
});

test('nonce: only in the first id_token of a code, and only when one was sent', () => {
  const withNonce = idTokenClaims({ ...base, session: { authTime: 5, amr: ['pwd'], nonce: 'n' }, withNonce: true });
  assert.equal(withNonce.nonce, 'n');
  const refreshed = idTokenClaims({ ...base, session: { authTime: 5, amr: ['pwd'], nonce: 'n' }, withNonce: false });
  assert.ok(!('nonce' in refreshed));
  const none = idTokenClaims({ ...base, session: { authTime: 5, amr: ['pwd'] }, withNonce: true });
  assert.ok(!('nonce' in none));
});

test('amr is a copy: changing the claims leaves the session alone', () => {
  const session = { authTime: 5, amr: ['pwd'] };
  const c = idTokenClaims({ ...base, session, withNonce: false });
  (c.amr as string[]).push('otp');
  assert.deepEqual(session.amr, ['pwd']);
});

const user = { sub: 'U', nickname: 'Alice', picture: 'https://id.example/avatar/default.png', email: 'a@x', phone: '138', locale: 'zh_CN' };

test('userinfo profile: no name without a nickname, no locale without one; picture always', () => {
  assert.deepEqual(userinfoClaims({ ...user, nickname: '', locale: '', scopes: [1] }), {
    sub: 'U',
    picture: 'https://id.example/avatar/default.png',
  });
  assert.deepEqual(userinfoClaims({ ...user, scopes: [1] }), {
    sub: 'U',
    name: 'Alice',
    nickname: 'Alice',
    picture: 'https://id.example/avatar/default.png',
    locale: 'zh-CN',
  });
  assert.equal(userinfoClaims({ ...user, locale: 'en', scopes: [1] }).locale, 'en');
});

test('userinfo: email (6) and phone (4) only with their scope and a value; verified', () => {
  assert.deepEqual(userinfoClaims({ ...user, scopes: [6] }), { sub: 'U', email: 'a@x', email_verified: true });
  assert.deepEqual(userinfoClaims({ ...user, scopes: [4] }), { sub: 'U', phone_number: '138', phone_number_verified: true });
  assert.deepEqual(userinfoClaims({ ...user, phone: '', scopes: [4] }), { sub: 'U' });
  assert.deepEqual(userinfoClaims({ ...user, scopes: [2, 3] }), { sub: 'U' });
});
