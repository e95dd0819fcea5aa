// Tables of second factors (migration 013).

export interface UserFactorsTable {
  factor_id: string;
  user_id: string;
  /** 'totp' or 'passkey'. */
  kind: string;
  name: string;
  /** TOTP: the base32 secret sealed with the server secret (lib/secret-box.ts). */
  secret_sealed: string | null;
  /** TOTP: the last time step a code was accepted for (later codes only). */
  last_step: number | null;
  /** Passkey: credential id (base64url). */
  credential_id: string | null;
  /** Passkey: COSE public key (base64url). */
  public_key: string | null;
  sign_count: number | null;
  /** Passkey: comma-separated transports the authenticator reported. */
  transports: string | null;
  created_at: number;
  last_used_at: number | null;
}

export interface RecoveryCodesTable {
  user_id: string;
  /** HMAC-SHA-256 (server secret) of the normalized code. */
  code_hash: string;
  created_at: number;
  used_at: number | null;
}

export interface FactorTables {
  user_factors: UserFactorsTable;
  recovery_codes: RecoveryCodesTable;
}
