// The OpenID Provider metadata (OpenID Connect Discovery 1.0 §3) of an issuer: what the account
// origin implements, nothing more.
import { ID_TOKEN_ALGS } from './hashes.ts';
import { SUPPORTED_SCOPES } from './scopes.ts';

export const CLAIMS_SUPPORTED = [
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
];

export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'];

export function providerMetadata(issuer: string, docs: string): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth2/authorize`,
    token_endpoint: `${issuer}/oauth2/token`,
    userinfo_endpoint: `${issuer}/userinfo`,
    jwks_uri: `${issuer}/jwks.json`,
    end_session_endpoint: `${issuer}/oauth2/end_session`,
    revocation_endpoint: `${issuer}/oauth2/revoke`,
    introspection_endpoint: `${issuer}/oauth2/introspect`,
    scopes_supported: [...SUPPORTED_SCOPES],
    response_types_supported: ['code', 'code id_token'],
    response_modes_supported: ['query', 'fragment'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: [...ID_TOKEN_ALGS],
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
    claims_supported: CLAIMS_SUPPORTED,
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
    acr_values_supported: ['1', '2'],
    ui_locales_supported: ['en', 'zh-CN'],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    service_documentation: docs,
  };
}
