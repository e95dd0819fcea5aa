// Derived blobs (fds_derived, migration 010): processed images cached per source version and
// canonical parameters. Entries leave in the transaction that queues their blob as 'dead'
// (fds_blob_gc), so a blob is never freed while a row still names it.
import type { Selectable } from 'kysely';
import { CURRENT } from './current.ts';
import type { FdsDerivedTable } from './tables.ts';
import type { FdsDb } from './transactions.ts';

export type Derived = Selectable<FdsDerivedTable>;

export class FdsDerivedRepo {
  constructor(private readonly d: FdsDb) {}

  async get(sourceVersionId: string, params: string): Promise<Derived | undefined> {
    return this.d.db
      .selectFrom('fds_derived')
      .selectAll()
      .where('source_version_id', '=', sourceVersionId)
      .where('params', '=', params)
      .executeTakeFirst();
  }

  async touch(sourceVersionId: string, params: string): Promise<void> {
    await this.d.db
      .updateTable('fds_derived')
      .set({ used_at: this.d.now() })
      .where('source_version_id', '=', sourceVersionId)
      .where('params', '=', params)
      .execute();
  }

  /**
   * Records a stored blob (its pending collection entry is cleared in the same transaction).
   * false when the source version is no longer current or another request recorded it first:
   * the caller then discards its blob.
   */
  async add(row: Omit<Derived, 'created_at' | 'used_at'>): Promise<boolean> {
    const now = this.d.now();
    return this.d.tx(async (trx) => {
      const source = await trx
        .selectFrom('fds_objects')
        .select('version_id')
        .where('version_id', '=', row.source_version_id)
        .where('is_current', '=', CURRENT)
        .executeTakeFirst();
      if (!source) return false;
      const inserted = await trx
        .insertInto('fds_derived')
        .values({ ...row, created_at: now, used_at: now })
        .onConflict((oc) => oc.columns(['source_version_id', 'params']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      await trx.deleteFrom('fds_blob_gc').where('blob_key', '=', row.blob_key).execute();
      return true;
    });
  }

  async totalSize(): Promise<number> {
    const r = await this.d.db
      .selectFrom('fds_derived')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('size'), eb.lit(0)).as('total'))
      .executeTakeFirst();
    return Number(r?.total ?? 0);
  }

  /** Least recently used entries first. */
  async oldest(limit: number): Promise<Derived[]> {
    return this.d.db.selectFrom('fds_derived').selectAll().orderBy('used_at').limit(limit).execute();
  }

  /** Entries whose source version is gone or no longer current (overwritten, deleted, renamed). */
  async orphaned(limit: number): Promise<Derived[]> {
    return this.d.db
      .selectFrom('fds_derived')
      .selectAll()
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('fds_objects')
              .select('fds_objects.version_id')
              .whereRef('fds_objects.version_id', '=', 'fds_derived.source_version_id')
              .where('fds_objects.is_current', '=', CURRENT),
          ),
        ),
      )
      .limit(limit)
      .execute();
  }

  /** Removes entries and queues their blobs as dead; returns the blob keys to free. */
  async remove(rows: Derived[]): Promise<string[]> {
    if (rows.length === 0) return [];
    return this.d.tx(async (trx) => {
      const keys: string[] = [];
      for (const r of rows) {
        const gone = await trx
          .deleteFrom('fds_derived')
          .where('source_version_id', '=', r.source_version_id)
          .where('params', '=', r.params)
          .where('blob_key', '=', r.blob_key)
          .executeTakeFirst();
        if (Number(gone.numDeletedRows) > 0) keys.push(r.blob_key);
      }
      await this.d.markDead(trx, keys);
      return keys;
    });
  }
}
