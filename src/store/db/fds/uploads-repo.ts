// FDS multipart uploads and their parts (fds-protocol §6): a re-uploaded part replaces the old one
// (whose blob is queued as dead), completion swaps the new version in and drops the upload in one
// transaction, and an abort frees every part.
import type { Selectable } from 'kysely';
import { FdsError } from '../../../core/fds/errors.ts';
import { successor } from '../../../core/fds/listing.ts';
import { decodeUpload, encodeUpload, type ObjectVersion, type Upload } from './columns.ts';
import type { FdsPartsTable } from './tables.ts';
import { type FdsDb, isForeignKeyViolation, type MayReplace, type Tx } from './transactions.ts';

export type Part = Selectable<FdsPartsTable>;

export class FdsUploadsRepo {
  constructor(private readonly d: FdsDb) {}

  /** Throws BucketNotFound when the bucket went meanwhile. */
  async create(u: Upload): Promise<void> {
    try {
      await this.d.db.insertInto('fds_uploads').values(encodeUpload(u)).execute();
    } catch (e) {
      if (isForeignKeyViolation(e)) throw new FdsError('BucketNotFound', u.bucket);
      throw e;
    }
  }

  async get(uploadId: string): Promise<Upload | undefined> {
    const r = await this.d.db.selectFrom('fds_uploads').selectAll().where('upload_id', '=', uploadId).executeTakeFirst();
    return r && decodeUpload(r);
  }

  /** Uploads of a bucket whose name starts with `prefix` (started by `owner` when given), in name order, at most `limit`. */
  async list(bucket: string, prefix: string, limit: number, owner?: string): Promise<Upload[]> {
    let q = this.d.db.selectFrom('fds_uploads').selectAll().where('bucket', '=', bucket);
    if (owner !== undefined) q = q.where('owner_id', '=', owner);
    if (prefix !== '') q = q.where('name', '>=', prefix).where('name', '<', successor(prefix));
    const rows = await q.orderBy('name').orderBy('upload_id').limit(limit).execute();
    return rows.filter((r) => r.name.startsWith(prefix)).map(decodeUpload);
  }

  async stale(bucket: string, before: number): Promise<Upload[]> {
    const rows = await this.d.db
      .selectFrom('fds_uploads')
      .selectAll()
      .where('bucket', '=', bucket)
      .where('created_at', '<', before)
      .execute();
    return rows.map(decodeUpload);
  }

  parts(uploadId: string): Promise<Part[]> {
    return this.d.db.selectFrom('fds_parts').selectAll().where('upload_id', '=', uploadId).orderBy('part_number').execute();
  }

  /** Stores a part, replacing a previous upload of the same number; false when the upload is gone. */
  async putPart(p: Part): Promise<boolean> {
    return this.d.tx(async (trx) => {
      let q = trx.selectFrom('fds_uploads').select('upload_id').where('upload_id', '=', p.upload_id);
      if (this.d.dialect === 'postgres') q = q.forShare();
      if (!(await q.executeTakeFirst())) return false;
      const old = await trx
        .selectFrom('fds_parts')
        .select('blob_key')
        .where('upload_id', '=', p.upload_id)
        .where('part_number', '=', p.part_number)
        .executeTakeFirst();
      if (old) {
        await trx.deleteFrom('fds_parts').where('upload_id', '=', p.upload_id).where('part_number', '=', p.part_number).execute();
        await this.d.markDead(trx, [old.blob_key]);
      }
      await trx.insertInto('fds_parts').values(p).execute();
      await trx.deleteFrom('fds_blob_gc').where('blob_key', '=', p.blob_key).where('state', '=', 'pending').execute();
      return true;
    });
  }

  /** Completes an upload: `v` becomes current; the upload and its parts go (their blobs are queued as dead). */
  async complete(
    uploadId: string,
    v: ObjectVersion,
    mayReplace?: MayReplace,
  ): Promise<{ previous: string | undefined; freed: string[] } | undefined> {
    return this.d.tx(async (trx) => {
      await this.d.lockBucket(trx, v.bucket, 'share');
      await this.d.lockNames(trx, v.bucket, v.name);
      const up = await trx.selectFrom('fds_uploads').select('upload_id').where('upload_id', '=', uploadId).executeTakeFirst();
      if (!up) return undefined;
      await this.d.checkCurrent(trx, v.bucket, v.name, mayReplace);
      const freed = await this.drop(trx, uploadId);
      const previous = await this.d.swapIn(trx, v);
      await trx.deleteFrom('fds_blob_gc').where('blob_key', '=', v.blob_key).execute();
      return { previous, freed };
    });
  }

  /** Aborts an upload; returns the part blobs to free, or undefined when unknown. */
  async abort(uploadId: string): Promise<string[] | undefined> {
    return this.d.tx(async (trx) => {
      const up = await trx.selectFrom('fds_uploads').select('upload_id').where('upload_id', '=', uploadId).executeTakeFirst();
      if (!up) return undefined;
      return this.drop(trx, uploadId);
    });
  }

  /** Deletes an upload and its parts, queueing the part blobs as dead; returns their keys. */
  private async drop(trx: Tx, uploadId: string): Promise<string[]> {
    const parts = await trx.selectFrom('fds_parts').select('blob_key').where('upload_id', '=', uploadId).execute();
    await trx.deleteFrom('fds_parts').where('upload_id', '=', uploadId).execute();
    await trx.deleteFrom('fds_uploads').where('upload_id', '=', uploadId).execute();
    const keys = parts.map((p) => p.blob_key);
    await this.d.markDead(trx, keys);
    return keys;
  }
}
