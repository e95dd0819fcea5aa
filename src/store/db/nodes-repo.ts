// The node registry in the database (no Redis configured): one row per node, its entry as JSON.
import type { Kysely } from 'kysely';
import type { ExpiringSet } from '../expiring-set.ts';
import type { Database } from './schema.ts';

export class NodesRepo implements ExpiringSet {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  async put(member: string, value: string, ttlMs: number): Promise<void> {
    const t = this.now();
    await this.db.deleteFrom('nodes').where('expires_at', '<=', t).execute();
    await this.db
      .insertInto('nodes')
      .values({ node_id: member, info: value, expires_at: t + ttlMs })
      .onConflict((oc) => oc.column('node_id').doUpdateSet({ info: value, expires_at: t + ttlMs }))
      .execute();
  }

  async live(limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('nodes')
      .select('info')
      .where('expires_at', '>', this.now())
      .orderBy('node_id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.info);
  }

  async remove(member: string): Promise<void> {
    await this.db.deleteFrom('nodes').where('node_id', '=', member).execute();
  }
}
