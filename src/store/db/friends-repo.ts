import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface RequestRow {
  from_id: string;
  to_account: string;
  to_id: string | null;
  created_at: number;
}

/** Friend relations (stored in both directions) and pending friend requests. */
export class FriendsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Makes a and b friends and drops any request between them, in one transaction. */
  async add(a: string, b: string, at: number): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('friends')
        .values([
          { user_id: a, friend_id: b, created_at: at },
          { user_id: b, friend_id: a, created_at: at },
        ])
        .onConflict((oc) => oc.columns(['user_id', 'friend_id']).doNothing())
        .execute();
      await tx
        .deleteFrom('friend_requests')
        .where((eb) => eb.or([eb.and([eb('from_id', '=', a), eb('to_id', '=', b)]), eb.and([eb('from_id', '=', b), eb('to_id', '=', a)])]))
        .execute();
    });
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

  async areFriends(a: string, b: string): Promise<boolean> {
    const r = await this.db.selectFrom('friends').select('user_id').where('user_id', '=', a).where('friend_id', '=', b).executeTakeFirst();
    return r !== undefined;
  }

  /** The user whose account name (exactly, not e-mail or phone) is `account`. */
  async userIdByAccount(account: string): Promise<string | undefined> {
    const r = await this.db.selectFrom('users').select('user_id').where('account', '=', account).executeTakeFirst();
    return r?.user_id;
  }

  /** Records a request; a repeated one keeps its first time. */
  async addRequest(row: RequestRow): Promise<void> {
    await this.db
      .insertInto('friend_requests')
      .values(row)
      .onConflict((oc) => oc.columns(['from_id', 'to_account']).doNothing())
      .execute();
  }

  async deleteRequest(fromId: string, toAccount: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('friend_requests')
      .where('from_id', '=', fromId)
      .where('to_account', '=', toAccount)
      .executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  /** Hides a request from its target, leaving the sender's pending entry as it was. */
  async detachRequest(fromId: string, toId: string): Promise<boolean> {
    const r = await this.db
      .updateTable('friend_requests')
      .set({ to_id: null })
      .where('from_id', '=', fromId)
      .where('to_id', '=', toId)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async hasRequest(fromId: string, toId: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('friend_requests')
      .select('from_id')
      .where('from_id', '=', fromId)
      .where('to_id', '=', toId)
      .executeTakeFirst();
    return r !== undefined;
  }

  incoming(userId: string): Promise<RequestRow[]> {
    return this.db.selectFrom('friend_requests').selectAll().where('to_id', '=', userId).orderBy('created_at').orderBy('from_id').execute();
  }

  outgoing(userId: string): Promise<RequestRow[]> {
    return this.db
      .selectFrom('friend_requests')
      .selectAll()
      .where('from_id', '=', userId)
      .orderBy('created_at')
      .orderBy('to_account')
      .execute();
  }
}
