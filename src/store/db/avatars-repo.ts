// Uploaded avatars (table user_avatars): every size variant of one upload under one key.
import type { Kysely, Selectable } from 'kysely';
import type { UserAvatarsTable } from './oauth-tables.ts';
import type { Database } from './schema.ts';

export type AvatarRow = Selectable<UserAvatarsTable>;

export class AvatarsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores the variants of a new upload and deletes the user's earlier uploads, in one transaction. */
  async replace(userId: string, rows: AvatarRow[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('user_avatars').where('user_id', '=', userId).execute();
      if (rows.length > 0) await trx.insertInto('user_avatars').values(rows).execute();
    });
  }

  get(key: string, variant: string): Promise<AvatarRow | undefined> {
    return this.db.selectFrom('user_avatars').selectAll().where('avatar_key', '=', key).where('variant', '=', variant).executeTakeFirst();
  }

  async deleteByUser(userId: string): Promise<void> {
    await this.db.deleteFrom('user_avatars').where('user_id', '=', userId).execute();
  }
}
