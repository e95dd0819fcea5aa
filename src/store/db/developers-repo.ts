import type { Kysely, Selectable } from 'kysely';
import type { DevelopersTable } from './core-tables.ts';
import type { Database } from './schema.ts';

export type DeveloperRow = Selectable<DevelopersTable>;

export class DevelopersRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: DeveloperRow): Promise<void> {
    await this.db.insertInto('developers').values(row).execute();
  }

  byId(id: string): Promise<DeveloperRow | undefined> {
    return this.db.selectFrom('developers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  byName(name: string): Promise<DeveloperRow | undefined> {
    return this.db.selectFrom('developers').selectAll().where('name', '=', name).executeTakeFirst();
  }

  list(): Promise<DeveloperRow[]> {
    return this.db.selectFrom('developers').selectAll().orderBy('created_at').execute();
  }
}
