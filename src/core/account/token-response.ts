// The bytes of /oauth2/token responses (account-protocol §4.2, §4.3): `&&&START&&&` immediately
// followed by compact JSON, nothing after the closing brace. HTTP 200 for errors too.
import type { OidcSession } from '../oidc/claims.ts';
import { XM_DESCRIPTIONS, type XmErrorCode } from './errors.ts';

export const TOKEN_PREFIX = '&&&START&&&';

export interface MacTokenFields {
  access_token: string;
  expires_in: number;
  refresh_token: string;
  scope: string;
  token_type: 'mac';
  mac_key: string;
  mac_algorithm: 'HmacSHA1';
  openId: string;
  union_id: string;
}

export interface BearerTokenFields {
  access_token: string;
  expires_in: number;
  refresh_token: string;
  scope: string;
  token_type: 'bearer';
  openId: string;
  union_id: string;
}

export type TokenFields = MacTokenFields | BearerTokenFields;

export interface TokenIssue {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  scope: string;
  tokenType: 'mac' | 'bearer';
  macKey: string | undefined;
  openId: string;
  unionId: string;
  /** OpenID Connect requests only (never written into a Xiaomi body): the id_token's sign-in details. */
  oidc?: OidcSession | undefined;
}

/** The JSON object of a success response, keys in the documented order. */
export function tokenFields(t: TokenIssue): TokenFields {
  if (t.tokenType === 'bearer') {
    return {
      access_token: t.accessToken,
      expires_in: t.expiresIn,
      refresh_token: t.refreshToken,
      scope: t.scope,
      token_type: 'bearer',
      openId: t.openId,
      union_id: t.unionId,
    };
  }
  return {
    access_token: t.accessToken,
    expires_in: t.expiresIn,
    refresh_token: t.refreshToken,
    scope: t.scope,
    token_type: 'mac',
    mac_key: t.macKey ?? '',
    mac_algorithm: 'HmacSHA1',
    openId: t.openId,
    union_id: t.unionId,
  };
}

export function tokenSuccessBody(t: TokenIssue, prefix: boolean): string {
  return (prefix ? TOKEN_PREFIX : '') + JSON.stringify(tokenFields(t));
}

/** An error body: `code` from the §9 table (its description by default), 500 for a server failure, 503 while a store is down. */
export function tokenErrorBody(code: XmErrorCode | 500 | 503, description: string | undefined, prefix: boolean): string {
  const text = description ?? (code === 500 ? 'internal error' : code === 503 ? 'service unavailable' : XM_DESCRIPTIONS[code]);
  return (prefix ? TOKEN_PREFIX : '') + JSON.stringify({ error: code, error_description: text });
}

/** Implicit-flow fragment parameters (§3.6), in the documented order. */
export function implicitParams(
  t: Omit<TokenIssue, 'refreshToken'>,
  state: string | undefined,
): Array<[string, string | number | undefined]> {
  const p: Array<[string, string | number | undefined]> = [
    ['access_token', t.accessToken],
    ['token_type', t.tokenType],
    ['expires_in', t.expiresIn],
  ];
  if (t.tokenType === 'mac') p.push(['mac_algorithm', 'HmacSHA1'], ['mac_key', t.macKey]);
  p.push(['scope', t.scope], ['state', state]);
  return p;
}
