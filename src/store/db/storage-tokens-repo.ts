// Persistence of FDS storage tokens and SSO service tokens (hashed).
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from './schema.ts';
import type { FdsOauthBindingsTable, FdsStorageTokensTable } from './storage-token-tables.ts';

export type StorageTokenRow = Selectable<FdsStorageTokensTable>;
export type OauthBindingRow = Selectable<FdsOauthBindingsTable>;

export interface StorageTokenFilter {
  appId?: string | undefined;
  kind?: string | undefined;
  providerUserId?: string | undefined;
  opalUserId?: string | undefined;
  /** Include revoked and expired rows (default: only live ones). */
  all?: boolean | undefined;
  now: number;
  limit?: number | undefined;
}

export class StorageTokensRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: Insertable<FdsStorageTokensTable>): Promise<void> {
    await this.db.insertInto('fds_storage_tokens').values(row).execute();
  }

  async byHash(tokenHash: string): Promise<StorageTokenRow | undefined> {
    return this.db.selectFrom('fds_storage_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  }

  list(f: StorageTokenFilter): Promise<StorageTokenRow[]> {
    let q = this.db.selectFrom('fds_storage_tokens').selectAll();
    if (f.appId) q = q.where('app_id', '=', f.appId);
    if (f.kind) q = q.where('kind', '=', f.kind);
    if (f.providerUserId) q = q.where('provider_user_id', '=', f.providerUserId);
    if (f.opalUserId) q = q.where('opal_user_id', '=', f.opalUserId);
    if (!f.all) q = q.where('revoked_at', 'is', null).where('expires_at', '>', f.now);
    return q
      .orderBy('created_at', 'desc')
      .limit(f.limit ?? 1000)
      .execute();
  }

  /** Marks live tokens revoked; returns the revoked rows' hashes (for cache invalidation). */
  async revoke(where: { id?: string; appId?: string; opalUserId?: string; grantId?: string }, now: number): Promise<string[]> {
    if (!where.id && !where.appId && !where.opalUserId && !where.grantId) throw new Error('revoke needs a condition');
    // One statement: rows that go live → revoked are exactly the ones returned.
    let q = this.db.updateTable('fds_storage_tokens').set({ revoked_at: now }).where('revoked_at', 'is', null);
    if (where.id) q = q.where('id', '=', where.id);
    if (where.appId) q = q.where('app_id', '=', where.appId);
    if (where.opalUserId) q = q.where('opal_user_id', '=', where.opalUserId);
    if (where.grantId) q = q.where('grant_id', '=', where.grantId);
    return (await q.returning('token_hash').execute()).map((r) => r.token_hash);
  }

  /** Deletes rows expired or revoked before `before`; returns how many. */
  async purge(before: number): Promise<number> {
    const r = await this.db
      .deleteFrom('fds_storage_tokens')
      .where((eb) => eb.or([eb('expires_at', '<', before), eb('revoked_at', '<', before)]))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async isBound(appId: string, provider: string, oauthAppId: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('fds_oauth_bindings')
      .select('app_id')
      .where('app_id', '=', appId)
      .where('provider', '=', provider)
      .where('oauth_app_id', '=', oauthAppId)
      .executeTakeFirst();
    return Boolean(r);
  }

  /** Adds a binding; false when it already existed. */
  async bind(row: OauthBindingRow): Promise<boolean> {
    const r = await this.db
      .insertInto('fds_oauth_bindings')
      .values(row)
      .onConflict((oc) => oc.columns(['app_id', 'provider', 'oauth_app_id']).doNothing())
      .executeTakeFirst();
    return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async unbind(appId: string, provider: string, oauthAppId: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('fds_oauth_bindings')
      .where('app_id', '=', appId)
      .where('provider', '=', provider)
      .where('oauth_app_id', '=', oauthAppId)
      .executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  listBindings(appId?: string): Promise<OauthBindingRow[]> {
    let q = this.db.selectFrom('fds_oauth_bindings').selectAll();
    if (appId) q = q.where('app_id', '=', appId);
    return q.orderBy('app_id').orderBy('provider').orderBy('oauth_app_id').execute();
  }
}
