// The OpenID Provider metadata (OpenID Connect Discovery 1.0 §3): every field the account origin
// serves at /.well-known/openid-configuration, and that it advertises exactly what the rules implement.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idTokenClaims, userinfoClaims } from '../../../src/core/oidc/claims.ts';
import { CLAIMS_SUPPORTED, CLIENT_AUTH_METHODS, providerMetadata } from '../../../src/core/oidc/discovery.ts';
import { ID_TOKEN_ALGS } from '../../../src/core/oidc/hashes.ts';
import { SUPPORTED_SCOPES } from '../../../src/core/oidc/scopes.ts';

const ISSUER = 'https://id.example';

test('the metadata document of an issuer, field by field', () => {
  assert.deepEqual(providerMetadata(ISSUER, `${ISSUER}/docs`), {
    issuer: 'https://id.example',
    authorization_endpoint: 'https://id.example/oauth2/authorize',
    token_endpoint: 'https://id.example/oauth2/token',
    userinfo_endpoint: 'https://id.example/userinfo',
    jwks_uri: 'https://id.example/jwks.json',
    end_session_endpoint: 'https://id.example/oauth2/end_session',
    revocation_endpoint: 'https://id.example/oauth2/revoke',
    introspection_endpoint: 'https://id.example/oauth2/introspect',
    scopes_supported: ['openid', 'profile', 'email', 'phone', 'offline_access'],
    response_types_supported: ['code', 'code id_token'],
    response_modes_supported: ['query', 'fragment'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256', 'ES256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'nonce',
      'acr',
      'amr',
      'azp',
      'at_hash',
      'c_hash',
      's_hash',
      'name',
      'nickname',
      'picture',
      'locale',
      'email',
      'email_verified',
      'phone_number',
      'phone_number_verified',
    ],
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
    acr_values_supported: ['1', '2'],
    ui_locales_supported: ['en', 'zh-CN'],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    service_documentation: 'https://id.example/docs',
  });
});

test('Discovery §3 REQUIRED fields are present; the issuer is the given one, unchanged', () => {
  const m = providerMetadata('https://login.example.org:8443/opal', 'https://docs.example/x');
  for (const k of [
    'issuer',
    'authorization_endpoint',
    'token_endpoint',
    'jwks_uri',
    'response_types_supported',
    'subject_types_supported',
    'id_token_signing_alg_values_supported',
  ])
    assert.ok(m[k] !== undefined, k);
  assert.equal(m.issuer, 'https://login.example.org:8443/opal');
  assert.equal(m.jwks_uri, 'https://login.example.org:8443/opal/jwks.json');
  assert.equal(m.service_documentation, 'https://docs.example/x');
  // RS256 MUST be included (Discovery §3, id_token_signing_alg_values_supported).
  assert.ok((m.id_token_signing_alg_values_supported as string[]).includes('RS256'));
  // `openid` MUST be in scopes_supported when the list is given.
  assert.ok((m.scopes_supported as string[]).includes('openid'));
});

test('the advertised lists are the ones the rules use, copied so a caller cannot change them', () => {
  const m = providerMetadata(ISSUER, 'd');
  assert.deepEqual(m.scopes_supported, [...SUPPORTED_SCOPES]);
  assert.deepEqual(m.id_token_signing_alg_values_supported, [...ID_TOKEN_ALGS]);
  assert.deepEqual(CLIENT_AUTH_METHODS, ['client_secret_basic', 'client_secret_post', 'none']);
  (m.scopes_supported as string[]).push('x');
  (m.id_token_signing_alg_values_supported as string[]).push('x');
  assert.deepEqual(providerMetadata(ISSUER, 'd').scopes_supported, ['openid', 'profile', 'email', 'phone', 'offline_access']);
  assert.deepEqual(providerMetadata(ISSUER, 'd').id_token_signing_alg_values_supported, ['RS256', 'ES256']);
});

test('claims_supported lists every claim the id_token and userinfo can carry, and nothing else', () => {
  const id = idTokenClaims({
    issuer: ISSUER,
    clientId: '288',
    sub: 'U',
    session: { authTime: 1, amr: ['pwd'], nonce: 'n' },
    now: 2,
    lifetimeSec: 3600,
    alg: 'RS256',
    accessToken: 'AT',
    code: 'C',
    state: 'S',
    withNonce: true,
  });
  const info = userinfoClaims({ sub: 'U', scopes: [1, 4, 6], nickname: 'A', picture: 'p', email: 'e', phone: '1', locale: 'en' });
  const produced = new Set([...Object.keys(id), ...Object.keys(info)]);
  assert.deepEqual([...produced].sort(), [...CLAIMS_SUPPORTED].sort());
});
