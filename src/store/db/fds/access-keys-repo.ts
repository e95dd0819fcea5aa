// FDS access keys (fds_access_keys): one per app, with the version its derived secret is at; read
// together with the app's developer, whom the key acts for.
import { type FdsDb, isForeignKeyViolation } from './transactions.ts';

export interface AccessKeyRecord {
  accessKeyId: string;
  /** Secret derivation version (services/fds/keys.ts). */
  version: number;
  clientId: string;
  developerId: string;
  developerName: string;
  /** The app was disabled by an admin: the key authenticates nothing. */
  appDisabled: boolean;
}

export class FdsAccessKeysRepo {
  constructor(private readonly d: FdsDb) {}

  /** Adds a key for the app unless it has one; false when there is no such app. */
  async insertIfAbsent(clientId: string, accessKeyId: string, version: number): Promise<boolean> {
    const t = this.d.now();
    try {
      await this.d.db
        .insertInto('fds_access_keys')
        .values({ access_key_id: accessKeyId, client_id: clientId, version, created_at: t, updated_at: t })
        .onConflict((oc) => oc.column('client_id').doNothing())
        .execute();
      return true;
    } catch (e) {
      // fds_access_keys.client_id references apps.
      if (isForeignKeyViolation(e)) return false;
      throw e;
    }
  }

  /** Moves the app's key to its next secret version. */
  async bumpVersion(clientId: string): Promise<void> {
    await this.d.db
      .updateTable('fds_access_keys')
      .set((eb) => ({ version: eb('version', '+', 1), updated_at: this.d.now() }))
      .where('client_id', '=', clientId)
      .execute();
  }

  /** Deletes the app's key; false when it had none. */
  async deleteForApp(clientId: string): Promise<boolean> {
    const r = await this.d.db.deleteFrom('fds_access_keys').where('client_id', '=', clientId).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  byApp(clientId: string): Promise<AccessKeyRecord | undefined> {
    return this.find('k.client_id', clientId);
  }

  byId(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    return this.find('k.access_key_id', accessKeyId);
  }

  private async find(column: 'k.client_id' | 'k.access_key_id', value: string): Promise<AccessKeyRecord | undefined> {
    const r = await this.d.db
      .selectFrom('fds_access_keys as k')
      .innerJoin('apps as a', 'a.client_id', 'k.client_id')
      .innerJoin('developers as d', 'd.id', 'a.developer_id')
      .select(['k.access_key_id', 'k.version', 'k.client_id', 'a.developer_id', 'a.disabled_at', 'd.name'])
      .where(column, '=', value)
      .executeTakeFirst();
    return (
      r && {
        accessKeyId: r.access_key_id,
        version: r.version,
        clientId: r.client_id,
        developerId: r.developer_id,
        developerName: r.name,
        appDisabled: r.disabled_at !== null,
      }
    );
  }
}
