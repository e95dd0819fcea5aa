// Tables of sign-up and recovery (migration 008).

export interface SignupInvitesTable {
  code_hash: string;
  note: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  used_by: string | null;
}

export interface SignupPendingTable {
  flow_hash: string;
  account: string;
  password_hash: string;
  email: string | null;
  phone: string | null;
  locale: string;
  invite_hash: string | null;
  code_hash: string | null;
  attempts: number;
  verified_at: number | null;
  created_at: number;
  expires_at: number;
}

export interface PasswordResetsTable {
  flow_hash: string;
  user_id: string | null;
  code_hash: string | null;
  attempts: number;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface SelfServiceTables {
  signup_invites: SignupInvitesTable;
  signup_pending: SignupPendingTable;
  password_resets: PasswordResetsTable;
}
