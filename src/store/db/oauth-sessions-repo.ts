import { type Kysely, type Selectable, sql } from 'kysely';
import type { WebSessionsTable } from './oauth-tables.ts';
import type { Database } from './schema.ts';

export type SessionRow = Selectable<WebSessionsTable>;

export class WebSessionsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: Omit<SessionRow, 'user_agent' | 'ip' | 'last_used_at'> & Partial<SessionRow>): Promise<void> {
    await this.db.insertInto('web_sessions').values(row).execute();
  }

  get(sessionHash: string): Promise<SessionRow | undefined> {
    return this.db.selectFrom('web_sessions').selectAll().where('session_hash', '=', sessionHash).executeTakeFirst();
  }

  async delete(sessionHash: string): Promise<void> {
    await this.db.deleteFrom('web_sessions').where('session_hash', '=', sessionHash).execute();
  }

  /** The user's unexpired sessions, most recently used first (at most 100). */
  listByUser(userId: string, now: number): Promise<SessionRow[]> {
    return this.db
      .selectFrom('web_sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('expires_at', '>', now)
      .orderBy(sql`coalesce(last_used_at, created_at)`, 'desc')
      .limit(100)
      .execute();
  }

  async touch(sessionHash: string, at: number): Promise<void> {
    await this.db.updateTable('web_sessions').set({ last_used_at: at }).where('session_hash', '=', sessionHash).execute();
  }

  /** Ends the user's sessions except `keep`; returns how many ended. */
  async deleteOthers(userId: string, keep: string): Promise<number> {
    const r = await this.db.deleteFrom('web_sessions').where('user_id', '=', userId).where('session_hash', '!=', keep).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async deleteByUser(userId: string): Promise<void> {
    await this.db.deleteFrom('web_sessions').where('user_id', '=', userId).execute();
  }

  async purge(before: number): Promise<void> {
    await this.db.deleteFrom('web_sessions').where('expires_at', '<', before).execute();
  }
}
