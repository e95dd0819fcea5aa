import type { Kysely, Selectable, Updateable } from 'kysely';
import type { AppsTable } from './core-tables.ts';
import type { Database } from './schema.ts';

export type AppRow = Selectable<AppsTable>;

export class AppsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: AppRow): Promise<void> {
    await this.db.insertInto('apps').values(row).execute();
  }

  byId(clientId: string): Promise<AppRow | undefined> {
    return this.db.selectFrom('apps').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  }

  list(developerId?: string): Promise<AppRow[]> {
    let q = this.db.selectFrom('apps').selectAll();
    if (developerId) q = q.where('developer_id', '=', developerId);
    return q.orderBy('created_at').orderBy('client_id').execute();
  }

  async update(clientId: string, patch: Updateable<AppsTable>): Promise<boolean> {
    const r = await this.db.updateTable('apps').set(patch).where('client_id', '=', clientId).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async delete(clientId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('apps').where('client_id', '=', clientId).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }
}
