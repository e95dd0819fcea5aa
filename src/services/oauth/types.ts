// Public shapes of the OAuth service, for the sites and other services that depend on it
// (open APIs, checkPassword, FDS storage tokens). Keep stable.
import type { OidcSession } from '../../core/oidc/claims.ts';
import type { CodeRow } from '../../store/db/oauth-codes-repo.ts';
import type { TokenRow } from '../../store/db/oauth-tokens-repo.ts';

/** What an access token stands for; `undefined` from resolveAccessToken when unknown/expired/revoked. */
export interface AccessTokenInfo {
  clientId: string;
  userId: string;
  scopes: number[];
  openId: string;
  unionId: string;
  tokenType: 'mac' | 'bearer';
  /** The MAC key (derived from the token, never stored); undefined for bearer tokens. */
  macKey: string | undefined;
  /** Epoch ms. */
  expiresAt: number;
  grantId: string;
  /** Issued for an OpenID Connect request (scope `openid`): may call /userinfo. */
  oidc: boolean;
}

export interface IssueCodeInput {
  clientId: string;
  userId: string;
  scopes: number[];
  /** The redirect_uri (or callback) the code was issued for, as sent. */
  redirectUri: string;
  /** PKCE (RFC 7636): only S256 is stored. */
  codeChallenge?: string | undefined;
  /**
   * Codes of an authorize request (not checkPassword's): the exchange may send another path or no
   * redirect_uri (lenient apps), but not a redirect_uri on another host (96004).
   */
  bindRedirectHost?: boolean | undefined;
  /** The user's IP, recorded in the audit when the code approves a new or wider grant. */
  ip?: string | undefined;
  /** OpenID Connect requests: how the user signed in (and the nonce), for the id_token. */
  oidc?: OidcSession | undefined;
}

/** Details of any token (access or refresh) for introspection and the CLI; never the secret. */
export interface TokenDetails {
  kind: 'access' | 'refresh';
  active: boolean;
  clientId: string;
  userId: string;
  scopes: number[];
  tokenType: 'mac' | 'bearer';
  grantId: string;
  familyId: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  revokedAt: number | null;
  openId: string;
  unionId: string;
}

export interface RedeemInput {
  clientId: string;
  code: string;
  codeVerifier?: string | undefined;
  /** Public clients: the code must carry a PKCE challenge. */
  requirePkce?: boolean | undefined;
  /**
   * Strict mode (apps with `exactRedirect`): the token request's redirect_uri, which must be
   * byte-identical to the one the code was issued for (RFC 6749 §4.1.3; account-protocol §4.1
   * "strict"). Undefined: not checked (the lenient default).
   */
  expectRedirectUri?: string | undefined;
  /** The token request's redirect_uri as sent ('' or undefined when none), for the host binding. */
  redirectUri?: string | undefined;
  ip?: string | undefined;
}

/**
 * A code or refresh token as presented at the token endpoint, read once: whether it belongs to an
 * OpenID Connect request (the answer's shape) and the stored row its redemption goes on from.
 */
export type PresentedCredential =
  | { kind: 'code'; secret: string; hash: string; row: CodeRow | undefined; oidc: boolean }
  | { kind: 'refresh'; secret: string; hash: string; row: TokenRow | undefined; oidc: boolean }
  | { kind: 'none'; oidc: false };

/** A user's approval of an app (what the user approved). */
export interface Grant {
  grantId: string;
  clientId: string;
  userId: string;
  scopes: number[];
  createdAt: number;
  updatedAt: number;
}

export interface GrantRevokedEvent {
  grantId: string;
  clientId: string;
  userId: string;
}

/** The OAuth facade other modules code against (`ctx.services.oauth`). */
export interface OAuthApi {
  resolveAccessToken(token: string): Promise<AccessTokenInfo | undefined>;
  /** Issues a single-use authorization code redeemable at /oauth2/token (and records the grant). */
  issueCode(input: IssueCodeInput): Promise<string>;
  isGrantActive(clientId: string, userId: string): Promise<boolean>;
  /** Called on every node whenever a grant is revoked anywhere. Returns an unsubscribe function. */
  onGrantRevoked(listener: (e: GrantRevokedEvent) => void): () => void;
  /** The user's current grant to the app (a grant revoked and given again has a new grantId). */
  getGrant(userId: string, clientId: string): Promise<Grant | undefined>;
  listGrants(userId: string): Promise<Grant[]>;
  /** Revokes the user's grant to the app and every token issued under it; false if none. */
  revokeGrant(userId: string, clientId: string, actor?: string): Promise<boolean>;
}
