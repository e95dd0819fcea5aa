import { type Kysely, PostgresAdapter, type Selectable } from 'kysely';
import type { OAuthGrantsTable } from './oauth-tables.ts';
import { PreparedQuery } from './prepared.ts';
import type { Database } from './schema.ts';

export type GrantRow = Selectable<OAuthGrantsTable>;

// Taken by every code exchange and refresh; compiled once per dialect (prepared.ts).
const lockIfActive = new PreparedQuery<{ id: string }, { grant_id: string }>(['id'], (db, p) => {
  const q = db.selectFrom('oauth_grants').select('grant_id').where('grant_id', '=', p.id);
  return db.getExecutor().adapter instanceof PostgresAdapter ? q.forUpdate() : q;
});

export class OAuthGrantsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  get(userId: string, clientId: string): Promise<GrantRow | undefined> {
    return this.db
      .selectFrom('oauth_grants')
      .selectAll()
      .where('user_id', '=', userId)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
  }

  byId(grantId: string): Promise<GrantRow | undefined> {
    return this.db.selectFrom('oauth_grants').selectAll().where('grant_id', '=', grantId).executeTakeFirst();
  }

  /**
   * Inside a transaction: whether the grant still exists, holding its row lock until the commit
   * (SELECT … FOR UPDATE on PostgreSQL, so a concurrent revocation's DELETE waits for tokens minted
   * here, or this waits for it; SQLite runs one writer at a time anyway).
   */
  async lockIfActive(grantId: string): Promise<boolean> {
    return (await lockIfActive.first(this.db, { id: grantId })) !== undefined;
  }

  listByUser(userId: string): Promise<GrantRow[]> {
    return this.db
      .selectFrom('oauth_grants')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('client_id')
      .execute();
  }

  /** Inserts the grant; false when (user, client) already has one (another node won the race). */
  async insert(row: GrantRow): Promise<boolean> {
    const r = await this.db
      .insertInto('oauth_grants')
      .values(row)
      .onConflict((oc) => oc.columns(['user_id', 'client_id']).doNothing())
      .executeTakeFirst();
    return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  /**
   * Replaces the grant's scopes if they are still `expected` (a compare-and-set: two approvals
   * widening the grant at once must not lose either's scopes); false when they changed meanwhile.
   */
  async setScopes(grantId: string, expected: string, scopes: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('oauth_grants')
      .set({ scopes, updated_at: now })
      .where('grant_id', '=', grantId)
      .where('scopes', '=', expected)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async delete(grantId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('oauth_grants').where('grant_id', '=', grantId).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }
}
