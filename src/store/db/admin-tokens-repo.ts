// Admin API tokens (admin_tokens): only the SHA-256 of each token is stored.
import type { Kysely, Selectable } from 'kysely';
import type { AdminTokensTable } from './core-tables.ts';
import type { Database } from './schema.ts';

export type AdminTokenRow = Selectable<AdminTokensTable>;

export class AdminTokensRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: AdminTokenRow): Promise<void> {
    await this.db.insertInto('admin_tokens').values(row).execute();
  }

  byHash(hash: string): Promise<AdminTokenRow | undefined> {
    return this.db.selectFrom('admin_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
  }

  list(userId?: string): Promise<AdminTokenRow[]> {
    let q = this.db.selectFrom('admin_tokens').selectAll();
    if (userId) q = q.where('user_id', '=', userId);
    return q.orderBy('created_at').orderBy('token_id').execute();
  }

  async touch(tokenId: string, at: number): Promise<void> {
    await this.db.updateTable('admin_tokens').set({ last_used_at: at }).where('token_id', '=', tokenId).execute();
  }

  async delete(tokenId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('admin_tokens').where('token_id', '=', tokenId).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }
}
