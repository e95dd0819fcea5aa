import assert from 'node:assert/strict';
import { test } from 'node:test';
import { secretCandidates } from '../../../src/core/account/client-secret.ts';
import { missing, XM, XM_DESCRIPTIONS, XmOAuthError } from '../../../src/core/account/errors.ts';
import { deriveMacKey, deriveOpenId, deriveUnionId } from '../../../src/core/account/ids.ts';
import { LIFETIMES } from '../../../src/core/account/lifetimes.ts';
import { mergeParams } from '../../../src/core/account/params.ts';
import { isValidChallenge, s256, verifyPkce } from '../../../src/core/account/pkce.ts';
import { safeReturnTo } from '../../../src/core/account/return-to.ts';
import { parseSkipConfirm } from '../../../src/core/account/skip-confirm.ts';

test('skip_confirm spellings', () => {
  for (const v of ['true', 'True', 'TRUE', '1', 'yes']) assert.equal(parseSkipConfirm(v, false), true, v);
  for (const v of ['false', 'False', '0', '', 'no']) assert.equal(parseSkipConfirm(v, true), false, v);
  assert.equal(parseSkipConfirm(' True ', false), true);
  assert.equal(parseSkipConfirm(' no\t', true), false);
  assert.equal(parseSkipConfirm(undefined, false), false);
  assert.equal(parseSkipConfirm(undefined, true), true);
  assert.equal(parseSkipConfirm('maybe', true), true);
});

test('error table: codes 96001-96013 with the descriptions of account-protocol §9', () => {
  assert.deepEqual(XM_DESCRIPTIONS, {
    96001: 'client not exists',
    96002: 'invalid request',
    96003: 'invalid client secret',
    96004: 'invalid grant',
    96005: 'client not authorized for this api',
    96006: 'unsupported grant type',
    96007: 'invalid scope',
    96008: 'token invalid or expired',
    96009: 'invalid refresh token',
    96010: 'invalid redirect uri',
    96011: 'unsupported response type',
    96012: 'access denied',
    96013: 'invalid authorization code',
  });
  assert.equal(XM.INVALID_CODE, 96013);
  const e = new XmOAuthError(XM.INVALID_CLIENT);
  assert.equal(e.code, 96003);
  assert.equal(e.description, 'invalid client secret');
  assert.equal(e.name, 'XmOAuthError');
  assert.equal(e.message, '96003 invalid client secret');
  const d = new XmOAuthError(XM.ACCESS_DENIED, 'server rejected auth request');
  assert.equal(d.description, 'server rejected auth request');
  assert.equal(d.message, '96012 server rejected auth request');
  const m = missing('grant_type');
  assert.ok(m instanceof XmOAuthError);
  assert.equal(m.code, 96002);
  assert.equal(m.description, 'invalid request: missing grant_type');
});

test('derived ids: stable, distinct, base64url, shapes of real ones', () => {
  const a = deriveOpenId('s'.repeat(32), '2882303761517000000', '1909031');
  assert.equal(a, deriveOpenId('s'.repeat(32), '2882303761517000000', '1909031'));
  assert.notEqual(a, deriveOpenId('s'.repeat(32), '2882303761517000001', '1909031'));
  assert.notEqual(a, deriveOpenId('t'.repeat(32), '2882303761517000000', '1909031'));
  assert.match(a, /^[A-Za-z0-9_-]{40}$/);
  const u = deriveUnionId('s'.repeat(32), 'dev1', '1909031');
  assert.match(u, /^[A-Za-z0-9_-]{40}$/);
  assert.notEqual(u, deriveUnionId('s'.repeat(32), 'dev2', '1909031'));
  const k = deriveMacKey('s'.repeat(32), 'token');
  assert.match(k, /^[A-Za-z0-9_-]{27}$/);
  assert.equal(k, deriveMacKey('s'.repeat(32), 'token'));
  assert.notEqual(k, deriveMacKey('s'.repeat(32), 'token2'));
  assert.notEqual(k, deriveMacKey('t'.repeat(32), 'token'));
});

test('lifetime profiles', () => {
  assert.equal(LIFETIMES.legacy.accessTokenSec, 7776000);
  assert.equal(LIFETIMES.hyperos.accessTokenSec, 259200);
  assert.equal(LIFETIMES.legacy.codeMs, 600_000);
  assert.equal(LIFETIMES.hyperos.refreshTokenSec, 90 * 86400);
  assert.equal(LIFETIMES.legacy.refreshTokenSec, 3650 * 86400);
  assert.equal(LIFETIMES.hyperos.codeMs, 600_000);
});

test('client secret candidates (§4.4)', () => {
  assert.deepEqual(secretCandidates('ab cd=='), ['ab cd==', 'ab+cd==']);
  assert.deepEqual(secretCandidates('ab%2Bcd%3D%3D'), ['ab%2Bcd%3D%3D', 'ab+cd==']);
  assert.deepEqual(secretCandidates('%zz'), ['%zz']);
});

test('merged parameters: body wins, first of repeated names, non-strings ignored', () => {
  assert.deepEqual(mergeParams({ a: '1', b: ['2', '3'], c: '4' }, { c: '5', d: 6 }), { a: '1', b: '2', c: '5' });
  assert.deepEqual(mergeParams({ a: [1, '2'], b: [], c: null, d: { 0: 'x' }, e: ['5'] }, undefined), { e: '5' });
  assert.deepEqual(mergeParams(undefined, null), {});
  assert.deepEqual(mergeParams('a=1', { b: '2' }), { b: '2' });
});

test('PKCE S256 (RFC 7636 appendix B vector)', () => {
  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
  assert.equal(s256(verifier), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  assert.equal(verifyPkce('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', verifier), true);
  assert.equal(verifyPkce('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', `${verifier}x`), false);
  assert.equal(verifyPkce('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', undefined), false);
});

test('PKCE: a verifier outside the RFC 7636 alphabet or length is refused even when its hash matches', () => {
  const ok = 'a'.repeat(43);
  for (const bad of [`${ok}!`, `!${ok}`, `${ok}\n`, 'a'.repeat(42), 'a'.repeat(129), `${ok} `]) {
    assert.equal(verifyPkce(s256(bad), bad), false, JSON.stringify(bad));
  }
  assert.equal(verifyPkce(s256(ok), ok), true);
  assert.equal(verifyPkce(s256('a'.repeat(128)), 'a'.repeat(128)), true);
});

test('PKCE: a challenge is exactly 43 base64url characters', () => {
  const c = s256('a'.repeat(43));
  assert.equal(isValidChallenge(c), true);
  for (const bad of [`${c}A`, `=${c}`, `${c}=`, c.slice(1), `${c.slice(1)}+`, `A${c}`]) assert.equal(isValidChallenge(bad), false, bad);
});

test('return_to stays on this origin', () => {
  assert.equal(safeReturnTo('/oauth2/authorize?client_id=1&x=%20'), '/oauth2/authorize?client_id=1&x=%20');
  for (const bad of ['//evil.com', '/\\evil.com', 'https://evil.com', 'evil', '/a b', '/a\\b', undefined])
    assert.equal(safeReturnTo(bad), '/login', String(bad));
  assert.equal(safeReturnTo('', '/home'), '/home');
  assert.equal(safeReturnTo(undefined, '/home'), '/home');
  const long = `/${'a'.repeat(8191)}`;
  assert.equal(safeReturnTo(long), long);
  assert.equal(safeReturnTo(`${long}a`), '/login');
});
