// Whole tables out and in, for `opal export` / `opal import` (services/transfer.ts): the durable
// records only (no codes, tokens, sessions, uploads or audit events), parents before children, each
// table in primary-key order and each row's keys sorted, so that the same records give the same
// dump on SQLite and PostgreSQL.
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export type DumpRow = Record<string, string | number | null>;

/** Table → primary-key columns, in an order that satisfies every foreign key. */
export const DUMP_TABLES = {
  settings: ['key'],
  oidc_keys: ['kid'],
  users: ['user_id'],
  user_avatars: ['avatar_key', 'variant'],
  user_factors: ['factor_id'],
  recovery_codes: ['user_id', 'code_hash'],
  signup_invites: ['code_hash'],
  developers: ['id'],
  apps: ['client_id'],
  oidc_clients: ['client_id'],
  friends: ['user_id', 'friend_id'],
  friend_requests: ['from_id', 'to_account'],
  oauth_grants: ['grant_id'],
  admin_tokens: ['token_id'],
  app_usage: ['client_id', 'day', 'metric'],
  pass_plans: ['plan_id'],
  passes: ['pass_id'],
  fds_access_keys: ['access_key_id'],
  fds_oauth_bindings: ['app_id', 'provider', 'oauth_app_id'],
  fds_buckets: ['name'],
} as const satisfies Partial<Record<keyof Database, readonly string[]>>;

/** Object versions and trash entries: dumped only together with their blobs. */
export const OBJECT_TABLES = {
  fds_objects: ['version_id'],
  fds_trash: ['owner_id', 'trash_name'],
} as const satisfies Partial<Record<keyof Database, readonly string[]>>;

export type DumpTable = keyof typeof DUMP_TABLES | keyof typeof OBJECT_TABLES;

const sortedKeys = (r: Record<string, unknown>): DumpRow =>
  Object.fromEntries(
    Object.keys(r)
      .sort()
      .map((k) => [k, r[k] as string | number | null]),
  );

export async function readTable(db: Kysely<Database>, table: DumpTable, keys: readonly string[]): Promise<DumpRow[]> {
  // biome-ignore lint/suspicious/noExplicitAny: tables are chosen from the fixed lists above
  let q = (db as Kysely<any>).selectFrom(table).selectAll();
  for (const k of keys) q = q.orderBy(k);
  return ((await q.execute()) as Array<Record<string, unknown>>).map(sortedKeys);
}

export async function insertRows(db: Kysely<Database>, table: DumpTable, rows: DumpRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    // biome-ignore lint/suspicious/noExplicitAny: tables are chosen from the fixed lists above
    await (db as Kysely<any>)
      .insertInto(table)
      .values(rows.slice(i, i + 200))
      .execute();
  }
}

export async function clearTable(db: Kysely<Database>, table: DumpTable): Promise<void> {
  // biome-ignore lint/suspicious/noExplicitAny: tables are chosen from the fixed lists above
  await (db as Kysely<any>).deleteFrom(table).execute();
}
