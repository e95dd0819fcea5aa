import type { Kysely, Selectable } from 'kysely';
import type { OAuthCodesTable } from './oauth-tables.ts';
import { PreparedQuery } from './prepared.ts';
import type { Database } from './schema.ts';

export type CodeRow = Selectable<OAuthCodesTable>;

// The code exchange's statements, compiled once (prepared.ts).
const byHash = new PreparedQuery<{ hash: string }, CodeRow>(['hash'], (db, p) =>
  db.selectFrom('oauth_codes').selectAll().where('code_hash', '=', p.hash),
);
const markUsed = new PreparedQuery<{ hash: string; now: number }>(['hash', 'now'], (db, p) =>
  db.updateTable('oauth_codes').set({ used_at: p.now }).where('code_hash', '=', p.hash).where('used_at', 'is', null),
);

export class OAuthCodesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: CodeRow): Promise<void> {
    await this.db.insertInto('oauth_codes').values(row).execute();
  }

  get(codeHash: string): Promise<CodeRow | undefined> {
    return byHash.first(this.db, { hash: codeHash });
  }

  /** Marks the code used; true only for the one caller that did it first (on every node). */
  async markUsed(codeHash: string, now: number): Promise<boolean> {
    return (await markUsed.changed(this.db, { hash: codeHash, now })) > 0n;
  }

  async deleteByGrant(grantId: string): Promise<void> {
    await this.db.deleteFrom('oauth_codes').where('grant_id', '=', grantId).execute();
  }

  /** Drops codes expired before `before` (housekeeping). */
  async purge(before: number): Promise<void> {
    await this.db.deleteFrom('oauth_codes').where('expires_at', '<', before).execute();
  }
}
