import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** Friend relations, stored in both directions. */
export class FriendsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async add(a: string, b: string, at: number): Promise<void> {
    await this.db
      .insertInto('friends')
      .values([
        { user_id: a, friend_id: b, created_at: at },
        { user_id: b, friend_id: a, created_at: at },
      ])
      .onConflict((oc) => oc.columns(['user_id', 'friend_id']).doNothing())
      .execute();
  }

  async remove(a: string, b: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('friends')
      .where((eb) =>
        eb.or([eb.and([eb('user_id', '=', a), eb('friend_id', '=', b)]), eb.and([eb('user_id', '=', b), eb('friend_id', '=', a)])]),
      )
      .executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  async list(userId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('friends')
      .select('friend_id')
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('friend_id')
      .execute();
    return rows.map((r) => r.friend_id);
  }
}
