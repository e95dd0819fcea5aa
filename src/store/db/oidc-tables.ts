// OpenID Connect tables: id_token signing keys and per-app OIDC settings.

export interface OidcKeysTable {
  kid: string;
  /** 'RS256' | 'ES256' */
  alg: string;
  /** The public JWK as JSON (served at /jwks.json). */
  public_jwk: string;
  /** The private JWK as JSON, sealed with the server secret (lib/secret-box.ts). */
  private_jwk: string;
  created_at: number;
  /** Set when rotated out: no longer signs; published until its id_tokens have expired. */
  retired_at: number | null;
}

export interface OidcClientsTable {
  client_id: string;
  /** Registered post_logout_redirect_uri values, `;`-separated, matched exactly. */
  post_logout_uris: string;
  /** 'RS256' | 'ES256' */
  id_token_alg: string;
  updated_at: number;
}

export interface OidcTables {
  oidc_keys: OidcKeysTable;
  oidc_clients: OidcClientsTable;
}
