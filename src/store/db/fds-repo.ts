// FDS metadata persistence (Kysely; SQLite and PostgreSQL). Every change that makes bytes visible
// or invisible is one transaction; blob keys that lose their last reference are queued in
// fds_blob_gc as 'dead' in the same transaction and deleted after commit (or by the sweeper).
import { type Kysely, type Selectable, sql, type Transaction, type Updateable } from 'kysely';
import { FdsError } from '../../core/fds/errors.ts';
import { successor } from '../../core/fds/listing.ts';
import type { Dialect } from './dialect.ts';
import type { FdsBucketsTable, FdsObjectsTable, FdsPartsTable, FdsTrashTable, FdsUploadsTable } from './fds-tables.ts';
import type { Database } from './schema.ts';

export type BucketRow = Selectable<FdsBucketsTable>;
export type ObjectRow = Selectable<FdsObjectsTable>;
export type TrashRow = Selectable<FdsTrashTable>;
export type UploadRow = Selectable<FdsUploadsTable>;
export type PartRow = Selectable<FdsPartsTable>;

type Tx = Transaction<Database>;

/** The current version of a name, read through `db` (the repo's connection or a transaction). */
function currentVersion(db: Kysely<Database>, bucket: string, name: string): Promise<ObjectRow | undefined> {
  return db
    .selectFrom('fds_objects')
    .selectAll()
    .where('bucket', '=', bucket)
    .where('name', '=', name)
    .where('is_current', '=', 1)
    .executeTakeFirst();
}

function isForeignKeyViolation(e: unknown): boolean {
  const err = e as { code?: string };
  return err.code === '23503' || err.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return (
    err.code === '23505' ||
    err.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    /UNIQUE constraint/.test(err.message ?? '')
  );
}

export class FdsRepo {
  constructor(
    readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
    private readonly dialect: Dialect = 'sqlite',
  ) {}

  /**
   * Serializes writers of the same object names until the transaction ends. PostgreSQL: advisory
   * transaction locks (a concurrent first write of a name would otherwise race on the
   * one-current-version index); SQLite transactions are serialized already.
   */
  private async lockNames(trx: Tx, bucket: string, ...names: string[]): Promise<void> {
    if (this.dialect !== 'postgres') return;
    for (const n of [...new Set(names)].sort()) {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`fds:${bucket}/${n}`}, 0))`.execute(trx);
    }
  }

  /** Runs a transaction, retrying a few times when a concurrent writer won a unique race. */
  private async tx<T>(f: (trx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction().execute(f);
      } catch (e) {
        if (attempt >= 4 || !isUniqueViolation(e)) throw e;
      }
    }
  }

  private async markDead(trx: Tx, keys: string[]): Promise<void> {
    const at = this.now();
    for (let i = 0; i < keys.length; i += 200) {
      const chunk = keys.slice(i, i + 200);
      await trx.deleteFrom('fds_blob_gc').where('blob_key', 'in', chunk).execute();
      await trx
        .insertInto('fds_blob_gc')
        .values(chunk.map((k) => ({ blob_key: k, state: 'dead', at })))
        .execute();
    }
  }

  /**
   * Reads the bucket row inside a writer's transaction and locks it until the transaction ends
   * (PostgreSQL: `FOR SHARE` for object writers, `FOR UPDATE` for the bucket's deletion, so a
   * commit and a purge of the same bucket serialize; SQLite serializes writers already). Throws
   * BucketNotFound when the bucket is gone.
   */
  private async lockBucket(trx: Tx, name: string, mode: 'share' | 'update'): Promise<void> {
    let q = trx.selectFrom('fds_buckets').select('name').where('name', '=', name);
    if (this.dialect === 'postgres') q = mode === 'share' ? q.forShare() : q.forUpdate();
    if (!(await q.executeTakeFirst())) throw new FdsError('BucketNotFound', name);
  }

  // ---- buckets

  getBucket(name: string): Promise<BucketRow | undefined> {
    return this.db.selectFrom('fds_buckets').selectAll().where('name', '=', name).executeTakeFirst();
  }

  /** false when the name is taken. */
  async createBucket(row: BucketRow): Promise<boolean> {
    try {
      await this.db.insertInto('fds_buckets').values(row).execute();
      return true;
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  async updateBucket(name: string, patch: Updateable<FdsBucketsTable>): Promise<void> {
    await this.db.updateTable('fds_buckets').set(patch).where('name', '=', name).execute();
  }

  /** Read-modify-write of one of a bucket's JSON columns, serialized against concurrent changes. */
  async changeBucket(
    name: string,
    column: 'acl' | 'lifecycle' | 'cors' | 'configs',
    change: (json: string | null) => string,
  ): Promise<boolean> {
    return this.tx(async (trx) => {
      let q = trx.selectFrom('fds_buckets').select(column).where('name', '=', name);
      if (this.dialect === 'postgres') q = q.forUpdate();
      const row = (await q.executeTakeFirst()) as Record<string, string | null> | undefined;
      if (!row) return false;
      await trx
        .updateTable('fds_buckets')
        .set({ [column]: change(row[column] ?? null) })
        .where('name', '=', name)
        .execute();
      return true;
    });
  }

  /** Read-modify-write of a bucket's ACL JSON, serialized against concurrent changes. */
  changeBucketAcl(name: string, change: (acl: string) => string): Promise<boolean> {
    return this.changeBucket(name, 'acl', (json) => change(json ?? '{}'));
  }

  /** Read-modify-write of a version's ACL JSON, serialized against concurrent changes. */
  async changeObjectAcl(versionId: string, change: (acl: string) => string): Promise<boolean> {
    return this.tx(async (trx) => {
      let q = trx.selectFrom('fds_objects').select('acl').where('version_id', '=', versionId);
      if (this.dialect === 'postgres') q = q.forUpdate();
      const row = await q.executeTakeFirst();
      if (!row) return false;
      await trx
        .updateTable('fds_objects')
        .set({ acl: change(row.acl) })
        .where('version_id', '=', versionId)
        .execute();
      return true;
    });
  }

  listBuckets(owner?: string): Promise<BucketRow[]> {
    let q = this.db.selectFrom('fds_buckets').selectAll();
    if (owner !== undefined) q = q.where('owner_id', '=', owner);
    return q.orderBy('name').execute();
  }

  listBucketsNotOwnedBy(owner: string | undefined): Promise<BucketRow[]> {
    let q = this.db.selectFrom('fds_buckets').selectAll();
    if (owner !== undefined) q = q.where('owner_id', '!=', owner);
    return q.orderBy('name').execute();
  }

  async bucketStats(name: string): Promise<{ numObjects: number; usedSpace: number }> {
    const r = await this.db
      .selectFrom('fds_objects')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.sum('size').as('s')])
      .where('bucket', '=', name)
      .where('is_current', '=', 1)
      .executeTakeFirst();
    return { numObjects: Number(r?.n ?? 0), usedSpace: Number(r?.s ?? 0) };
  }

  /**
   * Deletes a bucket with every version, trash entry and upload in it; returns the blob keys to
   * free. Throws BucketNotEmpty while a current version remains, checked under the bucket lock so
   * an object committed concurrently is never purged.
   */
  async purgeBucket(name: string): Promise<string[]> {
    return this.tx(async (trx) => {
      await this.lockBucket(trx, name, 'update');
      const live = await trx
        .selectFrom('fds_objects')
        .select('version_id')
        .where('bucket', '=', name)
        .where('is_current', '=', 1)
        .limit(1)
        .executeTakeFirst();
      if (live) throw new FdsError('BucketNotEmpty', 'delete its objects first');
      const objs = await trx.selectFrom('fds_objects').select('blob_key').where('bucket', '=', name).execute();
      const parts = await trx
        .selectFrom('fds_parts')
        .innerJoin('fds_uploads', 'fds_uploads.upload_id', 'fds_parts.upload_id')
        .select('fds_parts.blob_key')
        .where('fds_uploads.bucket', '=', name)
        .execute();
      const uploads = await trx.selectFrom('fds_uploads').select('upload_id').where('bucket', '=', name).execute();
      for (let i = 0; i < uploads.length; i += 200) {
        await trx
          .deleteFrom('fds_parts')
          .where(
            'upload_id',
            'in',
            uploads.slice(i, i + 200).map((u) => u.upload_id),
          )
          .execute();
      }
      await trx.deleteFrom('fds_uploads').where('bucket', '=', name).execute();
      await trx.deleteFrom('fds_trash').where('bucket', '=', name).execute();
      await trx.deleteFrom('fds_objects').where('bucket', '=', name).execute();
      await trx.deleteFrom('fds_buckets').where('name', '=', name).execute();
      const keys = [...objs.map((o) => o.blob_key), ...parts.map((p) => p.blob_key)];
      await this.markDead(trx, keys);
      return keys;
    });
  }

  // ---- objects

  current(bucket: string, name: string): Promise<ObjectRow | undefined> {
    return currentVersion(this.db, bucket, name);
  }

  version(bucket: string, versionId: string): Promise<ObjectRow | undefined> {
    return this.db
      .selectFrom('fds_objects')
      .selectAll()
      .where('version_id', '=', versionId)
      .where('bucket', '=', bucket)
      .executeTakeFirst();
  }

  /** Current objects of a bucket with name in [from, end), in name order. */
  listCurrent(bucket: string, from: string, end: string | undefined, limit: number): Promise<ObjectRow[]> {
    let q = this.db
      .selectFrom('fds_objects')
      .selectAll()
      .where('bucket', '=', bucket)
      .where('is_current', '=', 1)
      .where('name', '>=', from);
    if (end !== undefined) q = q.where('name', '<', end);
    return q.orderBy('name').limit(limit).execute();
  }

  /** Every version in name order, newest first within a name, after a cursor (exclusive unless `inclusive`). */
  listVersions(
    bucket: string,
    after: { name: string; version?: string | undefined; inclusive?: boolean },
    end: string | undefined,
    limit: number,
  ): Promise<ObjectRow[]> {
    let q = this.db
      .selectFrom('fds_objects')
      .selectAll()
      .where('bucket', '=', bucket)
      .where((eb) => {
        if (after.inclusive) return eb('name', '>=', after.name);
        if (after.version === undefined) return eb('name', '>', after.name);
        return eb.or([eb('name', '>', after.name), eb.and([eb('name', '=', after.name), eb('version_id', '<', after.version)])]);
      });
    if (end !== undefined) q = q.where('name', '<', end);
    return q.orderBy('name').orderBy('version_id', 'desc').limit(limit).execute();
  }

  /** Non-current versions of a name, newest first (§8.2). */
  nonCurrentVersions(bucket: string, name: string): Promise<ObjectRow[]> {
    return this.db
      .selectFrom('fds_objects')
      .selectAll()
      .where('bucket', '=', bucket)
      .where('name', '=', name)
      .where('is_current', '=', 0)
      .orderBy('version_id', 'desc')
      .execute();
  }

  async pending(key: string): Promise<void> {
    await this.db.insertInto('fds_blob_gc').values({ blob_key: key, state: 'pending', at: this.now() }).execute();
  }

  async dropGc(key: string): Promise<void> {
    await this.db.deleteFrom('fds_blob_gc').where('blob_key', '=', key).execute();
  }

  private async demote(trx: Tx, bucket: string, name: string): Promise<string | undefined> {
    const cur = await currentVersion(trx, bucket, name);
    if (!cur) return undefined;
    await trx
      .updateTable('fds_objects')
      .set({ is_current: 0, noncurrent_at: this.now() })
      .where('version_id', '=', cur.version_id)
      .execute();
    return cur.version_id;
  }

  /**
   * Runs `mayReplace` on the current version of a name inside the writer's transaction, after the
   * name lock: it throws to refuse (the transaction rolls back). Checks made before a body streamed
   * in may be stale by the time the new version commits.
   */
  private async checkCurrent(trx: Tx, bucket: string, name: string, mayReplace: ((current: ObjectRow) => void) | undefined): Promise<void> {
    if (!mayReplace) return;
    const cur = await currentVersion(trx, bucket, name);
    if (cur) mayReplace(cur);
  }

  /** Makes `row` the current version of its name; returns the replaced version id. Throws BucketNotFound when the bucket is gone. */
  async commitVersion(
    row: ObjectRow,
    releaseKeys: string[] = [row.blob_key],
    mayReplace?: (current: ObjectRow) => void,
  ): Promise<string | undefined> {
    return this.tx(async (trx) => {
      await this.lockBucket(trx, row.bucket, 'share');
      await this.lockNames(trx, row.bucket, row.name);
      await this.checkCurrent(trx, row.bucket, row.name, mayReplace);
      const prev = await this.demote(trx, row.bucket, row.name);
      await trx.insertInto('fds_objects').values(row).execute();
      if (releaseKeys.length > 0) await trx.deleteFrom('fds_blob_gc').where('blob_key', 'in', releaseKeys).execute();
      return prev;
    });
  }

  /** Default delete (§5.10): the current version becomes non-current, and goes to trash unless `trashOwner` is undefined. */
  async deleteCurrent(
    bucket: string,
    name: string,
    trashOwner: string | undefined,
    mayReplace?: (current: ObjectRow) => void,
  ): Promise<string | undefined> {
    return this.tx(async (trx) => {
      await this.lockNames(trx, bucket, name);
      await this.checkCurrent(trx, bucket, name, mayReplace);
      const prev = await this.demote(trx, bucket, name);
      if (prev && trashOwner !== undefined) {
        const trashName = `${bucket}/${name}`;
        await trx.deleteFrom('fds_trash').where('owner_id', '=', trashOwner).where('trash_name', '=', trashName).execute();
        await trx
          .insertInto('fds_trash')
          .values({ owner_id: trashOwner, trash_name: trashName, bucket, name, version_id: prev, deleted_at: this.now() })
          .execute();
      }
      return prev;
    });
  }

  /** Removes versions for good (bytes freed); returns their blob keys. */
  async deleteVersions(versionIds: string[]): Promise<string[]> {
    if (versionIds.length === 0) return [];
    return this.tx(async (trx) => {
      const keys: string[] = [];
      for (let i = 0; i < versionIds.length; i += 200) {
        const chunk = versionIds.slice(i, i + 200);
        const rows = await trx.selectFrom('fds_objects').select('blob_key').where('version_id', 'in', chunk).execute();
        keys.push(...rows.map((r) => r.blob_key));
        await trx.deleteFrom('fds_trash').where('version_id', 'in', chunk).execute();
        await trx.deleteFrom('fds_objects').where('version_id', 'in', chunk).execute();
      }
      await this.markDead(trx, keys);
      return keys;
    });
  }

  /** Rename (§5.6): the current version moves to `dst`, replacing dst's current version. */
  async rename(bucket: string, src: string, dst: string, mayReplace?: (current: ObjectRow) => void): Promise<boolean> {
    return this.tx(async (trx) => {
      await this.lockNames(trx, bucket, src, dst);
      await this.checkCurrent(trx, bucket, src, mayReplace);
      await this.checkCurrent(trx, bucket, dst, mayReplace);
      const cur = await currentVersion(trx, bucket, src);
      if (!cur) return false;
      if (src === dst) return true;
      await this.demote(trx, bucket, dst);
      await trx.updateTable('fds_objects').set({ name: dst, created_at: this.now() }).where('version_id', '=', cur.version_id).execute();
      return true;
    });
  }

  async updateObject(versionId: string, patch: Updateable<FdsObjectsTable>): Promise<void> {
    await this.db.updateTable('fds_objects').set(patch).where('version_id', '=', versionId).execute();
  }

  // ---- trash (§8.4)

  trashEntry(owner: string, trashName: string): Promise<TrashRow | undefined> {
    return this.db.selectFrom('fds_trash').selectAll().where('owner_id', '=', owner).where('trash_name', '=', trashName).executeTakeFirst();
  }

  listTrash(owner: string, from: string, end: string | undefined, limit: number): Promise<Array<TrashRow & { obj: ObjectRow }>> {
    let q = this.db
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
    return q
      .orderBy('t.trash_name')
      .limit(limit)
      .execute()
      .then((rows) =>
        rows.map((r) => {
          const { t_owner, trash_name, t_bucket, t_name, t_version, deleted_at, ...obj } = r;
          return {
            owner_id: t_owner,
            trash_name,
            bucket: t_bucket,
            name: t_name,
            version_id: t_version,
            deleted_at,
            obj: obj as ObjectRow,
          };
        }),
      );
  }

  /** Restore (§8.4): the trashed version becomes current again (overwriting a live object). */
  async restore(owner: string, bucket: string, name: string): Promise<boolean> {
    return this.tx(async (trx) => {
      await this.lockNames(trx, bucket, name);
      const t = await trx
        .selectFrom('fds_trash')
        .selectAll()
        .where('owner_id', '=', owner)
        .where('trash_name', '=', `${bucket}/${name}`)
        .executeTakeFirst();
      if (!t) return false;
      await this.demote(trx, bucket, name);
      await trx.updateTable('fds_objects').set({ is_current: 1, noncurrent_at: null }).where('version_id', '=', t.version_id).execute();
      await trx.deleteFrom('fds_trash').where('owner_id', '=', owner).where('trash_name', '=', t.trash_name).execute();
      return true;
    });
  }

  // ---- multipart (§6)

  /** Throws BucketNotFound when the bucket went meanwhile. */
  async createUpload(row: UploadRow): Promise<void> {
    try {
      await this.db.insertInto('fds_uploads').values(row).execute();
    } catch (e) {
      if (isForeignKeyViolation(e)) throw new FdsError('BucketNotFound', row.bucket);
      throw e;
    }
  }

  getUpload(uploadId: string): Promise<UploadRow | undefined> {
    return this.db.selectFrom('fds_uploads').selectAll().where('upload_id', '=', uploadId).executeTakeFirst();
  }

  /** Uploads of a bucket whose name starts with `prefix`, in name order, at most `limit`. */
  async listUploads(bucket: string, prefix: string, limit: number): Promise<UploadRow[]> {
    let q = this.db.selectFrom('fds_uploads').selectAll().where('bucket', '=', bucket);
    if (prefix !== '') q = q.where('name', '>=', prefix).where('name', '<', successor(prefix));
    const rows = await q.orderBy('name').orderBy('upload_id').limit(limit).execute();
    return rows.filter((r) => r.name.startsWith(prefix));
  }

  listParts(uploadId: string): Promise<PartRow[]> {
    return this.db.selectFrom('fds_parts').selectAll().where('upload_id', '=', uploadId).orderBy('part_number').execute();
  }

  /** Stores a part, replacing a previous upload of the same number; false when the upload is gone. */
  async putPart(row: PartRow): Promise<boolean> {
    return this.tx(async (trx) => {
      let q = trx.selectFrom('fds_uploads').select('upload_id').where('upload_id', '=', row.upload_id);
      if (this.dialect === 'postgres') q = q.forShare();
      if (!(await q.executeTakeFirst())) return false;
      const old = await trx
        .selectFrom('fds_parts')
        .select('blob_key')
        .where('upload_id', '=', row.upload_id)
        .where('part_number', '=', row.part_number)
        .executeTakeFirst();
      if (old) {
        await trx.deleteFrom('fds_parts').where('upload_id', '=', row.upload_id).where('part_number', '=', row.part_number).execute();
        await this.markDead(trx, [old.blob_key]);
      }
      await trx.insertInto('fds_parts').values(row).execute();
      await trx.deleteFrom('fds_blob_gc').where('blob_key', '=', row.blob_key).where('state', '=', 'pending').execute();
      return true;
    });
  }

  /** Completes an upload: `row` becomes current; the upload and its parts go (their blobs are freed). */
  async completeUpload(
    uploadId: string,
    row: ObjectRow,
    mayReplace?: (current: ObjectRow) => void,
  ): Promise<{ previous: string | undefined; freed: string[] } | undefined> {
    return this.tx(async (trx) => {
      await this.lockBucket(trx, row.bucket, 'share');
      await this.lockNames(trx, row.bucket, row.name);
      const up = await trx.selectFrom('fds_uploads').select('upload_id').where('upload_id', '=', uploadId).executeTakeFirst();
      if (!up) return undefined;
      await this.checkCurrent(trx, row.bucket, row.name, mayReplace);
      const parts = await trx.selectFrom('fds_parts').select('blob_key').where('upload_id', '=', uploadId).execute();
      await trx.deleteFrom('fds_parts').where('upload_id', '=', uploadId).execute();
      await trx.deleteFrom('fds_uploads').where('upload_id', '=', uploadId).execute();
      const previous = await this.demote(trx, row.bucket, row.name);
      await trx.insertInto('fds_objects').values(row).execute();
      await trx.deleteFrom('fds_blob_gc').where('blob_key', '=', row.blob_key).execute();
      const freed = parts.map((p) => p.blob_key);
      await this.markDead(trx, freed);
      return { previous, freed };
    });
  }

  /** Aborts an upload; returns the part blobs to free, or undefined when unknown. */
  async abortUpload(uploadId: string): Promise<string[] | undefined> {
    return this.tx(async (trx) => {
      const up = await trx.selectFrom('fds_uploads').select('upload_id').where('upload_id', '=', uploadId).executeTakeFirst();
      if (!up) return undefined;
      const parts = await trx.selectFrom('fds_parts').select('blob_key').where('upload_id', '=', uploadId).execute();
      await trx.deleteFrom('fds_parts').where('upload_id', '=', uploadId).execute();
      await trx.deleteFrom('fds_uploads').where('upload_id', '=', uploadId).execute();
      const keys = parts.map((p) => p.blob_key);
      await this.markDead(trx, keys);
      return keys;
    });
  }

  // ---- garbage collection

  /** Dead blobs, and pending ones older than `pendingBefore` (uploads that never committed). */
  async collectable(pendingBefore: number, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('fds_blob_gc')
      .select('blob_key')
      .where((eb) => eb.or([eb('state', '=', 'dead'), eb.and([eb('state', '=', 'pending'), eb('at', '<', pendingBefore)])]))
      .limit(limit)
      .execute();
    return rows.map((r) => r.blob_key);
  }

  /** Lifecycle candidates: current objects (or non-current versions) created/retired before `before`. */
  async expiredVersions(bucket: string, prefix: string, before: number, current: boolean, limit: number): Promise<ObjectRow[]> {
    let q = this.db
      .selectFrom('fds_objects')
      .selectAll()
      .where('bucket', '=', bucket)
      .where('is_current', '=', current ? 1 : 0);
    q = current ? q.where('created_at', '<', before) : q.where('noncurrent_at', '<', before);
    if (prefix !== '') q = q.where('name', '>=', prefix).where('name', '<', successor(prefix));
    const rows = await q.orderBy('name').limit(limit).execute();
    return rows.filter((r) => r.name.startsWith(prefix));
  }

  staleUploads(bucket: string, before: number): Promise<UploadRow[]> {
    return this.db.selectFrom('fds_uploads').selectAll().where('bucket', '=', bucket).where('created_at', '<', before).execute();
  }

  bucketsWithLifecycle(): Promise<BucketRow[]> {
    return this.db.selectFrom('fds_buckets').selectAll().where('lifecycle', 'is not', null).execute();
  }
}
