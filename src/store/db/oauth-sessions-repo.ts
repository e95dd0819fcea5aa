import type { Kysely, Selectable } from 'kysely';
import type { WebSessionsTable } from './oauth-tables.ts';
import type { Database } from './schema.ts';

export type SessionRow = Selectable<WebSessionsTable>;

export class WebSessionsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: SessionRow): Promise<void> {
    await this.db.insertInto('web_sessions').values(row).execute();
  }

  get(sessionHash: string): Promise<SessionRow | undefined> {
    return this.db.selectFrom('web_sessions').selectAll().where('session_hash', '=', sessionHash).executeTakeFirst();
  }

  async delete(sessionHash: string): Promise<void> {
    await this.db.deleteFrom('web_sessions').where('session_hash', '=', sessionHash).execute();
  }

  async deleteByUser(userId: string): Promise<void> {
    await this.db.deleteFrom('web_sessions').where('user_id', '=', userId).execute();
  }

  async purge(before: number): Promise<void> {
    await this.db.deleteFrom('web_sessions').where('expires_at', '<', before).execute();
  }
}
