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
  /** 1: issued by /oauth2/authorize, so an exchange's redirect_uri must be on the same host (migration 016). */
  redirect_host_bound: number;
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
  /** The browser's User-Agent at sign-in (first 256 characters); null for sessions from before 012. */
  user_agent: string | null;
  /** The client address at sign-in. */
  ip: string | null;
  /** Last request seen with this session (updated at most once a minute). */
  last_used_at: number | null;
  /** How the session was signed in: comma-separated RFC 8176 methods; NULL: a password alone. */
  amr: string | null;
}

/** Uploaded avatars, one row per size variant ('' _75 _90 _120 _320 _orig) of one upload. */
export interface UserAvatarsTable {
  avatar_key: string;
  variant: string;
  user_id: string;
  content_type: string;
  /** The image, base64. */
  content: string;
  created_at: number;
}

export interface OAuthTables {
  oauth_grants: OAuthGrantsTable;
  oauth_codes: OAuthCodesTable;
  oauth_tokens: OAuthTokensTable;
  web_sessions: WebSessionsTable;
  user_avatars: UserAvatarsTable;
}
