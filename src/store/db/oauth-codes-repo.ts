import type { Kysely, Selectable } from 'kysely';
import type { OAuthCodesTable } from './oauth-tables.ts';
import type { Database } from './schema.ts';

export type CodeRow = Selectable<OAuthCodesTable>;

export class OAuthCodesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: CodeRow): Promise<void> {
    await this.db.insertInto('oauth_codes').values(row).execute();
  }

  get(codeHash: string): Promise<CodeRow | undefined> {
    return this.db.selectFrom('oauth_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
  }

  /** Marks the code used; true only for the one caller that did it first (on every node). */
  async markUsed(codeHash: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('oauth_codes')
      .set({ used_at: now })
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async deleteByGrant(grantId: string): Promise<void> {
    await this.db.deleteFrom('oauth_codes').where('grant_id', '=', grantId).execute();
  }

  /** Drops codes expired before `before` (housekeeping). */
  async purge(before: number): Promise<void> {
    await this.db.deleteFrom('oauth_codes').where('expires_at', '<', before).execute();
  }
}
