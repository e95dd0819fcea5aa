// Passbook tables: pass plans (what an app offers: a coupon, a card) and the passes it issued to
// users or devices (account-protocol §6.8, docs/passbook.md).

export interface PassPlansTable {
  plan_id: string;
  client_id: string;
  title: string;
  description: string;
  /** '' when the plan has no logo. */
  logo_url: string;
  /** Epoch ms. */
  valid_start: number;
  valid_end: number;
  created_at: number;
}

export interface PassesTable {
  pass_id: string;
  plan_id: string;
  client_id: string;
  /** The holder; null for a pass issued to a device only. */
  user_id: string | null;
  /** Lower-case MD5 hex of the device IMEI; null when not bound to a device. */
  imei_md5: string | null;
  /** '' when the pass has no code. */
  pass_code: string;
  created_at: number;
  revoked_at: number | null;
}

export interface PassbookTables {
  pass_plans: PassPlansTable;
  passes: PassesTable;
}
