// FDS storage tokens (fds-protocol §2.4) and SSO service tokens (§2.5): only the SHA-256 of each
// token is stored; `id` is a public handle for listing and revoking.

export interface FdsStorageTokensTable {
  /** Public handle (not a credential): shown by `opal fds token list`, used to revoke. */
  id: string;
  /** SHA-256 hex of the token. */
  token_hash: string;
  /** 'oauth' (exchanged third-party token) or 'sso' (serviceToken from the account origin). */
  kind: string;
  /** FDS app (clientId) the token acts for; null for SSO tokens (the request names the app). */
  app_id: string | null;
  /** Developer owning app_id; null for SSO tokens. */
  developer_id: string | null;
  /** 'XiaoMi' | 'QQ' | 'Sina' | 'RenRen' for oauth; 'SSO' for sso. */
  provider: string;
  /** The app at the provider (`oauthAppId`); the sid for SSO tokens. */
  provider_app_id: string;
  /** The user at the provider (openid, uid, id, userId). */
  provider_user_id: string;
  /** The Opal user behind the token when the provider is this Opal (grant revocation follows it). */
  opal_user_id: string | null;
  /** The OAuth grant of this Opal behind the token (XiaoMi provider served by this Opal). */
  grant_id: string | null;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

/** Which app at which provider may exchange tokens for an FDS app (set by its developer). */
export interface FdsOauthBindingsTable {
  app_id: string;
  provider: string;
  oauth_app_id: string;
  created_at: number;
}

export interface StorageTokenTables {
  fds_storage_tokens: FdsStorageTokensTable;
  fds_oauth_bindings: FdsOauthBindingsTable;
}
