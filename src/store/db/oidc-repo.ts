// OpenID Connect keys and per-app settings.
import type { Kysely, Selectable } from 'kysely';
import type { OidcClientsTable, OidcKeysTable } from './oidc-tables.ts';
import type { Database } from './schema.ts';

export type OidcKeyRow = Selectable<OidcKeysTable>;
export type OidcClientRow = Selectable<OidcClientsTable>;

export class OidcRepo {
  /**
   * @param readFence the database's (connect.ts, Db.readFence): a key read is used to sign
   *   id_tokens, so a key another request is creating must be durable first.
   */
  constructor(
    private readonly db: Kysely<Database>,
    readonly readFence: () => () => Promise<void>,
  ) {}

  /** Keys still signing, or retired at or after `retiredSince`; newest first. */
  keys(retiredSince: number): Promise<OidcKeyRow[]> {
    return this.db
      .selectFrom('oidc_keys')
      .selectAll()
      .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>=', retiredSince)]))
      .orderBy('created_at', 'desc')
      .orderBy('kid')
      .execute();
  }

  async insertKey(row: OidcKeyRow): Promise<void> {
    await this.db.insertInto('oidc_keys').values(row).execute();
  }

  /** Retires every signing key of `alg` except `keep`. */
  async retireOthers(alg: string, keep: string, now: number): Promise<void> {
    await this.db
      .updateTable('oidc_keys')
      .set({ retired_at: now })
      .where('alg', '=', alg)
      .where('kid', '!=', keep)
      .where('retired_at', 'is', null)
      .execute();
  }

  /** Drops keys retired before `before` (their id_tokens have all expired). */
  async purgeKeys(before: number): Promise<number> {
    const r = await this.db.deleteFrom('oidc_keys').where('retired_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  getClient(clientId: string): Promise<OidcClientRow | undefined> {
    return this.db.selectFrom('oidc_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  }

  async putClient(row: OidcClientRow): Promise<void> {
    await this.db
      .insertInto('oidc_clients')
      .values(row)
      .onConflict((oc) =>
        oc
          .column('client_id')
          .doUpdateSet({ post_logout_uris: row.post_logout_uris, id_token_alg: row.id_token_alg, updated_at: row.updated_at }),
      )
      .execute();
  }
}
