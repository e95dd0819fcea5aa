// Per-app usage counters (app_usage, migration 011): one row per app, UTC day and metric, added to
// in batches by services/usage.ts.
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

export interface UsageRow {
  clientId: string;
  day: string;
  metric: string;
  count: number;
}

export class UsageRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Adds each row's count to its counter (created at 0), in one transaction. */
  async add(rows: readonly UsageRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      for (const r of rows) {
        await tx
          .insertInto('app_usage')
          .values({ client_id: r.clientId, day: r.day, metric: r.metric, count: r.count })
          .onConflict((oc) => oc.columns(['client_id', 'day', 'metric']).doUpdateSet({ count: sql`app_usage.count + excluded.count` }))
          .execute();
      }
    });
  }

  /** The app's counters from `fromDay` (YYYY-MM-DD) on, newest day first. */
  async list(clientId: string, fromDay: string): Promise<UsageRow[]> {
    const rows = await this.db
      .selectFrom('app_usage')
      .selectAll()
      .where('client_id', '=', clientId)
      .where('day', '>=', fromDay)
      .orderBy('day', 'desc')
      .orderBy('metric')
      .execute();
    return rows.map((r) => ({ clientId: r.client_id, day: r.day, metric: r.metric, count: Number(r.count) }));
  }
}
