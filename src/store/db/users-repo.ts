import { type Kysely, type Selectable, sql, type Updateable } from 'kysely';
import type { UsersTable } from './core-tables.ts';
import type { Database } from './schema.ts';

export type UserRow = Selectable<UsersTable>;

export class UsersRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: UserRow): Promise<void> {
    await this.db.insertInto('users').values(row).execute();
  }

  byId(userId: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  /** Finds a user by account name, email or phone (the login identifier). */
  byLogin(login: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where((eb) => eb.or([eb('account', '=', login), eb('email', '=', login), eb('phone', '=', login)]))
      .executeTakeFirst();
  }

  list(limit = 1000, offset = 0): Promise<UserRow[]> {
    return this.db.selectFrom('users').selectAll().orderBy('created_at').orderBy('user_id').limit(limit).offset(offset).execute();
  }

  /** Users whose account, nickname, email, phone or id contains `query` (case-insensitive for ASCII). */
  search(query: string, limit: number, offset: number): Promise<UserRow[]> {
    let q = this.db.selectFrom('users').selectAll();
    if (query) {
      const like = `%${query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) =>
        eb.or(
          (['account', 'nickname', 'email', 'phone', 'user_id'] as const).map((col) =>
            eb(eb.fn('lower', [eb.fn.coalesce(col, eb.val(''))]), 'like', sql<string>`${like} escape '\\'`),
          ),
        ),
      );
    }
    return q.orderBy('created_at').orderBy('user_id').limit(limit).offset(offset).execute();
  }

  async count(): Promise<number> {
    const r = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async update(userId: string, patch: Updateable<UsersTable>): Promise<boolean> {
    const r = await this.db.updateTable('users').set(patch).where('user_id', '=', userId).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async delete(userId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('users').where('user_id', '=', userId).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }
}
