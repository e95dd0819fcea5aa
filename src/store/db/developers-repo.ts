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

  byUser(userId: string): Promise<DeveloperRow | undefined> {
    return this.db.selectFrom('developers').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  /** Links the developer to the user who acts for it; false when it is linked to someone else. */
  async link(id: string, userId: string): Promise<boolean> {
    const r = await this.db
      .updateTable('developers')
      .set({ user_id: userId })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('user_id', 'is', null), eb('user_id', '=', userId)]))
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /** Forgets the user of whatever developer they acted for (the user is being deleted). */
  async unlinkUser(userId: string): Promise<void> {
    await this.db.updateTable('developers').set({ user_id: null }).where('user_id', '=', userId).execute();
  }

  list(): Promise<DeveloperRow[]> {
    return this.db.selectFrom('developers').selectAll().orderBy('created_at').execute();
  }
}
