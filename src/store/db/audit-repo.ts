import type { Insertable, Kysely, Selectable } from 'kysely';
import type { AuditEventsTable } from './core-tables.ts';
import type { Database } from './schema.ts';

export type AuditRow = Selectable<AuditEventsTable>;

export class AuditRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: Insertable<AuditEventsTable>): Promise<void> {
    await this.db.insertInto('audit_events').values(row).execute();
  }

  list(filter: { type?: string; subject?: string; limit?: number } = {}): Promise<AuditRow[]> {
    let q = this.db.selectFrom('audit_events').selectAll();
    if (filter.type) q = q.where('type', '=', filter.type);
    if (filter.subject) q = q.where('subject', '=', filter.subject);
    return q
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 100)
      .execute();
  }
}
