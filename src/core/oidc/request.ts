// The OpenID Connect parameters of an authorization request (OIDC Core §3.1.2.1) on top of the
// Xiaomi checks (core/account/authorize-request.ts), and the RFC error names OIDC clients read
// instead of the Xiaomi integers.
import type { AuthorizeCheck, AuthorizeClient, Params } from '../account/authorize-request.ts';
import { checkAuthorize } from '../account/authorize-request.ts';
import type { XmErrorCode } from '../account/errors.ts';
import { parseOidcScopes } from './scopes.ts';

/** RFC 6749 / OIDC error names for the Xiaomi codes. */
export const RFC_ERROR: Record<XmErrorCode, string> = {
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
};

export type Prompt = 'none' | 'login' | 'consent' | 'select_account';

export interface OidcParams {
  /** `code`, or the hybrid `code id_token` (answered in the fragment). */
  responseType: 'code' | 'code id_token';
  nonce: string | undefined;
  prompt: ReadonlySet<Prompt>;
  /** Seconds; undefined when absent. */
  maxAge: number | undefined;
  loginHint: string | undefined;
}

export type OidcCheck =
  | { kind: 'ok'; base: Extract<AuthorizeCheck, { kind: 'ok' }>['request']; oidc: OidcParams }
  | { kind: 'page'; code: XmErrorCode; description: string }
  | { kind: 'redirect'; redirectUri: string; state: string | undefined; error: string; description: string; fragment: boolean };

const PROMPTS: readonly Prompt[] = ['none', 'login', 'consent', 'select_account'];

/** Checks an authorization request whose scope holds `openid`. */
export function checkOidcAuthorize(p: Params, client: AuthorizeClient | undefined, opts: { skipConfirmDefault: boolean }): OidcCheck {
  const rt = (p.response_type ?? '').split(' ').filter(Boolean).sort().join(' ');
  const hybrid = rt === 'code id_token';
  // The Xiaomi checks (client, redirect URI, PKCE) with the response type they know and every
  // enabled scope; the OIDC scope rule replaces theirs below.
  const base = checkAuthorize({ ...p, response_type: hybrid ? 'code' : p.response_type, scope: undefined }, client, opts);
  if (base.kind === 'page') return base;
  const fragment = hybrid;
  if (base.kind === 'redirect') {
    return {
      kind: 'redirect',
      redirectUri: base.redirectUri,
      state: base.state,
      error: RFC_ERROR[base.code],
      description: base.description,
      fragment,
    };
  }
  const fail = (error: string, description: string): OidcCheck => ({
    kind: 'redirect',
    redirectUri: base.request.redirectUri,
    state: base.request.state,
    error,
    description,
    fragment,
  });
  if (rt !== 'code' && !hybrid)
    return fail('unsupported_response_type', 'OpenID Connect requests use response_type code or "code id_token"');
  if (!client) return fail('invalid_request', 'unknown client');
  const scopes = parseOidcScopes(p.scope, client.scopes);
  if (!scopes.ok) return fail('invalid_scope', scopes.description);
  const nonce = p.nonce === '' ? undefined : p.nonce;
  if (hybrid && nonce === undefined) return fail('invalid_request', 'nonce is required with response_type "code id_token"');
  if (nonce !== undefined && nonce.length > 512) return fail('invalid_request', 'nonce is too long');
  const prompt = new Set<Prompt>();
  for (const v of (p.prompt ?? '').split(' ').filter(Boolean)) {
    if (!(PROMPTS as readonly string[]).includes(v)) return fail('invalid_request', `unknown prompt "${v}"`);
    prompt.add(v as Prompt);
  }
  if (prompt.has('none') && prompt.size > 1) return fail('invalid_request', 'prompt=none cannot be combined with other values');
  let maxAge: number | undefined;
  if (p.max_age !== undefined && p.max_age !== '') {
    if (!/^\d{1,10}$/.test(p.max_age)) return fail('invalid_request', 'max_age must be a non-negative integer');
    maxAge = Number(p.max_age);
  }
  const loginHint = p.login_hint ? p.login_hint.slice(0, 256) : undefined;
  return {
    kind: 'ok',
    base: { ...base.request, scopes: scopes.scopes },
    oidc: { responseType: hybrid ? 'code id_token' : 'code', nonce, prompt, maxAge, loginHint },
  };
}

/** True when the sign-in at `authTime` (epoch s) is too old for `max_age` at `now` (epoch s). */
export function tooOld(authTime: number, maxAge: number | undefined, now: number): boolean {
  return maxAge !== undefined && now - authTime > maxAge;
}
