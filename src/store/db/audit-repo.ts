import type { Kysely, Selectable } from 'kysely';
import type { AuditEventsTable } from './core-tables.ts';
import { PreparedQuery } from './prepared.ts';
import type { Database } from './schema.ts';

export type AuditRow = Selectable<AuditEventsTable>;
type NewAuditRow = Omit<AuditRow, 'id'>;

/** One event; compiled once (prepared.ts): every token issue writes one. */
const insertOne = new PreparedQuery<NewAuditRow>(['at', 'type', 'actor', 'subject', 'client_id', 'ip', 'detail'], (db, p) =>
  db.insertInto('audit_events').values(p),
);

export interface AuditFilter {
  /** Exact event type, or every type under a prefix ending in `.` (e.g. `user.`). */
  type?: string | undefined;
  /** Any of these exact types. */
  types?: readonly string[] | undefined;
  subject?: string | undefined;
  actor?: string | undefined;
  clientId?: string | undefined;
  /** Epoch ms, inclusive. */
  from?: number | undefined;
  /** Epoch ms, exclusive. */
  to?: number | undefined;
  /** Only events with a smaller id (paging backwards). */
  beforeId?: number | undefined;
  limit?: number | undefined;
}

export class AuditRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: NewAuditRow): Promise<void> {
    await insertOne.execute(this.db, row);
  }

  /** Events matching every given filter, newest first. */
  list(filter: AuditFilter = {}): Promise<AuditRow[]> {
    let q = this.db.selectFrom('audit_events').selectAll();
    if (filter.type?.endsWith('.')) q = q.where('type', '>=', filter.type).where('type', '<', `${filter.type.slice(0, -1)}/`);
    else if (filter.type) q = q.where('type', '=', filter.type);
    if (filter.types) q = q.where('type', 'in', filter.types.length > 0 ? [...filter.types] : ['']);
    if (filter.subject) q = q.where('subject', '=', filter.subject);
    if (filter.actor) q = q.where('actor', '=', filter.actor);
    if (filter.clientId) q = q.where('client_id', '=', filter.clientId);
    if (filter.from !== undefined) q = q.where('at', '>=', filter.from);
    if (filter.to !== undefined) q = q.where('at', '<', filter.to);
    if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
    return q
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 100)
      .execute();
  }
}
