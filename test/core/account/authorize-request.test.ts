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

test('client_id: missing when absent or empty, malformed when not numeric; the client must be the one asked for', () => {
  const missingId = { kind: 'page', code: 96002, description: 'invalid request: missing client_id' };
  assert.deepEqual(check({ ...base, client_id: '' }), missingId);
  assert.deepEqual(check({ redirect_uri: base.redirect_uri }), missingId);
  assert.deepEqual(check({ ...base, client_id: '12abc' }), {
    kind: 'page',
    code: 96002,
    description: 'invalid request: malformed client_id',
  });
  assert.deepEqual(check({ ...base, client_id: '2882303761517000001' }), { kind: 'page', code: 96001, description: 'client not exists' });
});

test('redirect_uri: missing (absent or empty) or unregistered end on a 96010 page', () => {
  const missingUri = { kind: 'page', code: 96010, description: 'invalid request: missing redirect_uri' };
  assert.deepEqual(check({ ...base, redirect_uri: '' }), missingUri);
  assert.deepEqual(check({ client_id: C.clientId, response_type: 'code' }), missingUri);
  assert.deepEqual(check({ ...base, redirect_uri: 'https://evil.com/cb' }), {
    kind: 'page',
    code: 96010,
    description: 'invalid redirect uri',
  });
});

test('exactRedirect: only a byte-identical registered URI; otherwise the §3.3 prefix rules', () => {
  const longer = { ...base, redirect_uri: 'https://app.example.com/cb/next' };
  assert.equal(check(longer).kind, 'ok');
  assert.equal(check(longer, { ...C, flags: { exactRedirect: false } }).kind, 'ok');
  assert.deepEqual(check(longer, { ...C, flags: { exactRedirect: true } }), {
    kind: 'page',
    code: 96010,
    description: 'invalid redirect uri',
  });
  assert.equal(check(base, { ...C, flags: { exactRedirect: true } }).kind, 'ok');
});

test('response_type: missing when absent; token refused to public apps and when implicit is off', () => {
  const noRt = { client_id: C.clientId, redirect_uri: base.redirect_uri, state: 's' };
  assert.deepEqual(check(noRt), {
    kind: 'redirect',
    redirectUri: base.redirect_uri,
    state: 's',
    code: 96002,
    description: 'invalid request: missing response_type',
  });
  const token = { ...base, response_type: 'token' };
  assert.equal(check(token).kind, 'ok');
  assert.equal(check(token, { ...C, flags: { allowImplicit: true } }).kind, 'ok');
  assert.equal(check(token, { ...C, flags: { public: false } }).kind, 'ok');
  assert.deepEqual(check(token, { ...C, flags: { public: true, allowImplicit: true } }), {
    kind: 'redirect',
    redirectUri: base.redirect_uri,
    state: undefined,
    code: 96005,
    description: 'client not authorized for this api',
  });
});

test('scope: lenient apps drop unknown scopes, strictScope refuses them', () => {
  const r = check({ ...base, scope: '1 9' });
  assert.equal(r.kind === 'ok' && JSON.stringify(r.request.scopes), '[1]');
  const f = check({ ...base, scope: '1 9' }, { ...C, flags: { strictScope: false } });
  assert.equal(f.kind === 'ok' && JSON.stringify(f.request.scopes), '[1]');
});

test('PKCE: a bad challenge is a 96002 redirect; plain only with allowPlainPkce, stored as its S256', () => {
  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
  const plain = { ...base, code_challenge: verifier, code_challenge_method: 'plain' };
  const refused = (description: string) => ({
    kind: 'redirect',
    redirectUri: base.redirect_uri,
    state: undefined,
    code: 96002,
    description,
  });
  assert.deepEqual(check(plain), refused('invalid request: code_challenge_method must be S256'));
  assert.deepEqual(
    check(plain, { ...C, flags: { allowPlainPkce: false } }),
    refused('invalid request: code_challenge_method must be S256'),
  );
  const ok = check(plain, { ...C, flags: { allowPlainPkce: true } });
  assert.equal(ok.kind === 'ok' && ok.request.codeChallenge, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  assert.deepEqual(
    check({ ...base, code_challenge: 'short', code_challenge_method: 'S256' }),
    refused('invalid request: malformed code_challenge'),
  );
  assert.deepEqual(
    check(base, { ...C, flags: { public: true } }),
    refused('invalid request: PKCE code_challenge with code_challenge_method=S256 is required'),
  );
});
