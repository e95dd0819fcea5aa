import type { Kysely, Selectable } from 'kysely';
import type { OAuthTokensTable } from './oauth-tables.ts';
import { PreparedQuery } from './prepared.ts';
import type { Database } from './schema.ts';

export type TokenRow = Selectable<OAuthTokensTable>;

const COLUMNS = [
  'token_hash',
  'kind',
  'grant_id',
  'client_id',
  'user_id',
  'scopes',
  'token_type',
  'family_id',
  'expires_at',
  'used_at',
  'revoked_at',
  'created_at',
  'oidc',
] as const satisfies readonly (keyof TokenRow)[];
/** Every column is in COLUMNS (a new one would otherwise be left out of the insert). */
const everyColumn: Exclude<keyof TokenRow, (typeof COLUMNS)[number]> extends never ? true : never = true;
void everyColumn;

// The statements of every code exchange and refresh, compiled once (prepared.ts).
const insertOne = new PreparedQuery<TokenRow>(COLUMNS, (db, p) => db.insertInto('oauth_tokens').values(p));
const byHash = new PreparedQuery<{ hash: string }, TokenRow>(['hash'], (db, p) =>
  db.selectFrom('oauth_tokens').selectAll().where('token_hash', '=', p.hash),
);
const markUsed = new PreparedQuery<{ hash: string; now: number }>(['hash', 'now'], (db, p) =>
  db
    .updateTable('oauth_tokens')
    .set({ used_at: p.now })
    .where('token_hash', '=', p.hash)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null),
);

export class OAuthTokensRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts the rows (one statement each, on the hot path of every exchange and refresh). */
  async insert(rows: TokenRow[]): Promise<void> {
    for (const row of rows) await insertOne.execute(this.db, row);
  }

  get(tokenHash: string): Promise<TokenRow | undefined> {
    return byHash.first(this.db, { hash: tokenHash });
  }

  /** Rotates a refresh token out; true only for the first caller. */
  async markUsed(tokenHash: string, now: number): Promise<boolean> {
    return (await markUsed.changed(this.db, { hash: tokenHash, now })) > 0n;
  }

  /** Revokes the given tokens; returns the hashes actually revoked now. */
  async revoke(where: { tokenHash?: string; familyId?: string; grantId?: string }, now: number): Promise<string[]> {
    let q = this.db.selectFrom('oauth_tokens').select('token_hash').where('revoked_at', 'is', null);
    if (where.tokenHash) q = q.where('token_hash', '=', where.tokenHash);
    if (where.familyId) q = q.where('family_id', '=', where.familyId);
    if (where.grantId) q = q.where('grant_id', '=', where.grantId);
    const hashes = (await q.execute()).map((r) => r.token_hash);
    if (hashes.length === 0) return [];
    let u = this.db.updateTable('oauth_tokens').set({ revoked_at: now }).where('revoked_at', 'is', null);
    if (where.tokenHash) u = u.where('token_hash', '=', where.tokenHash);
    if (where.familyId) u = u.where('family_id', '=', where.familyId);
    if (where.grantId) u = u.where('grant_id', '=', where.grantId);
    await u.execute();
    return hashes;
  }

  /** Revokes every live refresh token of `userId` (a password reset); returns how many. */
  async revokeRefreshOfUser(userId: string, now: number): Promise<number> {
    const r = await this.db
      .updateTable('oauth_tokens')
      .set({ revoked_at: now })
      .where('user_id', '=', userId)
      .where('kind', '=', 'refresh')
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** When the grant's newest token was issued (its app's last sign-in or refresh), or null. */
  async lastIssued(grantId: string): Promise<number | null> {
    const r = await this.db
      .selectFrom('oauth_tokens')
      .select((eb) => eb.fn.max('created_at').as('at'))
      .where('grant_id', '=', grantId)
      .executeTakeFirst();
    return r?.at == null ? null : Number(r.at);
  }

  /** Drops tokens expired before `before` (housekeeping). */
  async purge(before: number): Promise<void> {
    await this.db.deleteFrom('oauth_tokens').where('expires_at', '<', before).execute();
  }
}
