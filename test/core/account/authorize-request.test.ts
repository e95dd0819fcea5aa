import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AuthorizeClient, checkAuthorize, paramsFromQuery } from '../../../src/core/account/authorize-request.ts';

const C: AuthorizeClient = { clientId: '2882303761517000000', redirectUris: 'https://app.example.com/cb', scopes: [1, 3], flags: {} };
const base = { client_id: C.clientId, redirect_uri: 'https://app.example.com/cb', response_type: 'code' };
const check = (p: Record<string, string>, c: AuthorizeClient | null = C) =>
  checkAuthorize(p, c ?? undefined, { skipConfirmDefault: false });

test('validation order: client_id, client, redirect_uri → pages', () => {
  assert.deepEqual(check({}), { kind: 'page', code: 96002, description: 'invalid request: missing client_id' });
  assert.equal((check({ client_id: '12abc' }) as { code: number }).code, 96002);
  assert.equal((check({ ...base }, null) as { code: number }).code, 96001);
  assert.equal(check({ ...base, redirect_uri: '' }).kind, 'page');
  assert.deepEqual(check({ ...base, redirect_uri: 'https://evil.com/cb' }).kind, 'page');
});

test('after the redirect_uri: redirects with integer codes and the state', () => {
  const r = check({ ...base, response_type: '', state: 'x y' });
  assert.deepEqual(r, {
    kind: 'redirect',
    redirectUri: base.redirect_uri,
    state: 'x y',
    code: 96002,
    description: 'invalid request: missing response_type',
  });
  assert.equal((check({ ...base, response_type: 'id_token' }) as { code: number }).code, 96011);
  assert.equal((check({ ...base, response_type: 'token' }, { ...C, flags: { allowImplicit: false } }) as { code: number }).code, 96005);
  assert.equal((check({ ...base, scope: '1 9' }, { ...C, flags: { strictScope: true } }) as { code: number }).code, 96007);
  assert.equal((check({ ...base }, { ...C, flags: { public: true } }) as { code: number }).code, 96002);
});

test('ok request', () => {
  const r = check({ ...base, scope: 'user/profile', skip_confirm: 'True', state: '' });
  assert.equal(r.kind, 'ok');
  if (r.kind === 'ok') {
    assert.deepEqual(r.request.scopes, [1]);
    assert.equal(r.request.skipConfirm, true);
    assert.equal(r.request.state, '');
  }
  const pk = check(
    { ...base, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' },
    { ...C, flags: { public: true } },
  );
  assert.equal(pk.kind === 'ok' && pk.request.codeChallenge, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
});

test('paramsFromQuery form-decodes and keeps the first value', () => {
  assert.deepEqual(paramsFromQuery('a=1+2&a=3&s=s%2B1'), { a: '1 2', s: 's+1' });
});
