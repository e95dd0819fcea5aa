// The per-developer trash (fds-protocol §8.4): deleted current versions listed as `<bucket>/<name>`
// (objects-repo.ts puts them there), listed, read, and restored as the current version.
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../schema.ts';
import { decodeVersion, type ObjectVersion } from './columns.ts';
import type { FdsTrashTable } from './tables.ts';
import type { FdsDb } from './transactions.ts';

export type TrashEntry = Selectable<FdsTrashTable>;

export class FdsTrashRepo {
  constructor(private readonly d: FdsDb) {}

  entry(owner: string, trashName: string): Promise<TrashEntry | undefined> {
    return this.entryIn(this.d.db, owner, trashName);
  }

  /**
   * Removes a trash entry's version for good (DELETE /trash/…); returns its blob keys, queued as
   * dead, or undefined when the owner has no such entry (any more: a restore may have won).
   */
  async purge(owner: string, trashName: string): Promise<string[] | undefined> {
    return this.d.tx(async (trx) => {
      const seen = await this.entryIn(trx, owner, trashName);
      if (!seen) return undefined;
      await this.d.lockNames(trx, seen.bucket, seen.name);
      // Read again under the name's lock: a restore holds it while it takes the entry away.
      const t = await this.entryIn(trx, owner, trashName);
      return t ? this.d.removeVersions(trx, [t.version_id]) : undefined;
    });
  }

  private entryIn(db: Kysely<Database>, owner: string, trashName: string): Promise<TrashEntry | undefined> {
    return db.selectFrom('fds_trash').selectAll().where('owner_id', '=', owner).where('trash_name', '=', trashName).executeTakeFirst();
  }

  /** Trash entries of an owner with trash name in [from, end), in name order, each with its version. */
  async list(owner: string, from: string, end: string | undefined, limit: number): Promise<Array<TrashEntry & { obj: ObjectVersion }>> {
    let q = this.d.db
      .selectFrom('fds_trash as t')
      .innerJoin('fds_objects as o', 'o.version_id', 't.version_id')
      .selectAll('o')
      .select([
        't.owner_id as t_owner',
        't.trash_name',
        't.bucket as t_bucket',
        't.name as t_name',
        't.version_id as t_version',
        't.deleted_at',
      ])
      .where('t.owner_id', '=', owner)
      .where('t.trash_name', '>=', from);
    if (end !== undefined) q = q.where('t.trash_name', '<', end);
    const rows = await q.orderBy('t.trash_name').limit(limit).execute();
    return rows.map((r) => {
      const { t_owner, trash_name, t_bucket, t_name, t_version, deleted_at, ...obj } = r;
      return {
        owner_id: t_owner,
        trash_name,
        bucket: t_bucket,
        name: t_name,
        version_id: t_version,
        deleted_at,
        obj: decodeVersion(obj),
      };
    });
  }

  /** Restore (§8.4): the trashed version becomes current again (overwriting a live object). */
  async restore(owner: string, bucket: string, name: string): Promise<boolean> {
    return this.d.tx(async (trx) => {
      await this.d.lockNames(trx, bucket, name);
      const t = await trx
        .selectFrom('fds_trash')
        .selectAll()
        .where('owner_id', '=', owner)
        .where('trash_name', '=', `${bucket}/${name}`)
        .executeTakeFirst();
      if (!t) return false;
      await this.d.demote(trx, bucket, name);
      await trx.updateTable('fds_objects').set({ is_current: 1, noncurrent_at: null }).where('version_id', '=', t.version_id).execute();
      await trx.deleteFrom('fds_trash').where('owner_id', '=', owner).where('trash_name', '=', t.trash_name).execute();
      return true;
    });
  }
}
