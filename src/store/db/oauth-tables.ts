// OAuth tables: grants (what a user approved for an app), authorization codes, access and refresh
// tokens (only SHA-256 hashes of credentials), and web sessions of the account pages.

export interface OAuthGrantsTable {
  grant_id: string;
  user_id: string;
  client_id: string;
  /** Approved scopes, comma-separated ids. */
  scopes: string;
  created_at: number;
  updated_at: number;
}

export interface OAuthCodesTable {
  code_hash: string;
  client_id: string;
  user_id: string;
  grant_id: string;
  scopes: string;
  redirect_uri: string;
  /** PKCE S256 challenge, or null. */
  code_challenge: string | null;
  expires_at: number;
  /** Set on first redemption; a second redemption revokes the family. */
  used_at: number | null;
  created_at: number;
  /** OpenID Connect requests: the sign-in details as JSON (OidcSession); null otherwise. */
  oidc: string | null;
}

export interface OAuthTokensTable {
  token_hash: string;
  /** 'access' | 'refresh' */
  kind: string;
  grant_id: string;
  client_id: string;
  user_id: string;
  scopes: string;
  /** 'mac' | 'bearer' */
  token_type: string;
  /** Tokens descending from one code share a family; reuse revokes it. */
  family_id: string;
  expires_at: number;
  /** Refresh tokens: set when rotated out. */
  used_at: number | null;
  revoked_at: number | null;
  created_at: number;
  /** Tokens of OpenID Connect requests: the sign-in details as JSON (OidcSession); null otherwise. */
  oidc: string | null;
}

export interface WebSessionsTable {
  /** SHA-256 of the serviceToken cookie. */
  session_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  /** How the session was signed in: comma-separated RFC 8176 methods; NULL: a password alone. */
  amr: string | null;
}

export interface OAuthTables {
  oauth_grants: OAuthGrantsTable;
  oauth_codes: OAuthCodesTable;
  oauth_tokens: OAuthTokensTable;
  web_sessions: WebSessionsTable;
}
