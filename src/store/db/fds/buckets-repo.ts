// FDS buckets (fds-protocol §4, §7, §9): rows with their ACL and configurations parsed, changes of
// those serialized against each other, and the deletion of a bucket with everything in it.
// Every FDS request reads its bucket (permissions, CORS, quotas): the parsed rows are kept in a
// node-local cache (store/cache/row-cache.ts) that a change or deletion made through this repository
// drops on every node once committed. Cached buckets are shared between requests: never mutate one.
import { FdsError } from '../../../core/fds/errors.ts';
import type { Cache } from '../../cache/cache.ts';
import { RowCache } from '../../cache/row-cache.ts';
import { type Bucket, type BucketPatch, decodeBucket, encodeBucket, encodeBucketPatch } from './columns.ts';
import { CURRENT } from './current.ts';
import { type FdsDb, isUniqueViolation } from './transactions.ts';

/**
 * How long a cached bucket may go unseen by a change no broadcast reaches (another process on the
 * embedded store, e.g. the `opal` CLI importing data beside a running server).
 */
export const BUCKET_CACHE_TTL_MS = 5_000;

/** The channel on which bucket changes are broadcast (the key is the bucket name). */
export const BUCKETS_CHANNEL = 'fds-buckets:changed';

export class FdsBucketsRepo {
  private readonly rows: RowCache<Bucket>;

  /** `cache`: the shared cache whose broadcasts reach every node; without one, every get reads the store. */
  constructor(
    private readonly d: FdsDb,
    cache: () => Cache = () => {
      throw new Error('no shared cache');
    },
  ) {
    this.rows = new RowCache<Bucket>({ cache, channel: BUCKETS_CHANNEL, ttlMs: BUCKET_CACHE_TTL_MS, maxEntries: 10_000, now: d.now });
  }

  get(name: string): Promise<Bucket | undefined> {
    return this.rows.get(name, () => this.read(name));
  }

  /** Drops `name` (or '*': every bucket) from the cache of every node: for writes that bypass this repository. */
  invalidate(name: string): Promise<void> {
    return this.rows.invalidate(name);
  }

  private async read(name: string): Promise<Bucket | undefined> {
    const r = await this.d.db.selectFrom('fds_buckets').selectAll().where('name', '=', name).executeTakeFirst();
    return r && decodeBucket(r);
  }

  /** false when the name is taken. */
  async create(b: Bucket): Promise<boolean> {
    try {
      await this.d.db.insertInto('fds_buckets').values(encodeBucket(b)).execute();
      return true;
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  /**
   * Read-modify-write of a bucket's ACL or configurations, serialized against concurrent changes:
   * `change` sees the bucket as it is inside the transaction. false when the bucket is gone.
   */
  async change(name: string, change: (b: Bucket) => BucketPatch): Promise<boolean> {
    const changed = await this.d.changeRow('fds_buckets', name, (row) => encodeBucketPatch(change(decodeBucket(row))));
    if (changed) await this.rows.invalidate(name);
    return changed;
  }

  /** Buckets in name order: all, or those of one owner. */
  async list(owner?: string): Promise<Bucket[]> {
    let q = this.d.db.selectFrom('fds_buckets').selectAll();
    if (owner !== undefined) q = q.where('owner_id', '=', owner);
    return (await q.orderBy('name').execute()).map(decodeBucket);
  }

  async listNotOwnedBy(owner: string | undefined): Promise<Bucket[]> {
    let q = this.d.db.selectFrom('fds_buckets').selectAll();
    if (owner !== undefined) q = q.where('owner_id', '!=', owner);
    return (await q.orderBy('name').execute()).map(decodeBucket);
  }

  /** Buckets with lifecycle rules, once what the read saw is durable (the sweeper acts on them for good). */
  async withLifecycle(): Promise<Bucket[]> {
    const durable = this.d.readFence();
    const rows = await this.d.db.selectFrom('fds_buckets').selectAll().where('lifecycle', 'is not', null).execute();
    await durable();
    return rows.map(decodeBucket);
  }

  async stats(name: string): Promise<{ numObjects: number; usedSpace: number }> {
    const r = await this.d.db
      .selectFrom('fds_objects')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.sum('size').as('s')])
      .where('bucket', '=', name)
      .where('is_current', '=', CURRENT)
      .executeTakeFirst();
    return { numObjects: Number(r?.n ?? 0), usedSpace: Number(r?.s ?? 0) };
  }

  /**
   * Deletes a bucket with every version, trash entry and upload in it; returns the blob keys to
   * free. Throws BucketNotEmpty while a current version remains, checked under the bucket lock so
   * an object committed concurrently is never purged.
   */
  async purge(name: string): Promise<string[]> {
    const keys = await this.d.tx(async (trx) => {
      await this.d.lockBucket(trx, name, 'update');
      const live = await trx
        .selectFrom('fds_objects')
        .select('version_id')
        .where('bucket', '=', name)
        .where('is_current', '=', CURRENT)
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
        const chunk = uploads.slice(i, i + 200).map((u) => u.upload_id);
        await trx.deleteFrom('fds_parts').where('upload_id', 'in', chunk).execute();
      }
      await trx.deleteFrom('fds_uploads').where('bucket', '=', name).execute();
      await trx.deleteFrom('fds_trash').where('bucket', '=', name).execute();
      await trx.deleteFrom('fds_objects').where('bucket', '=', name).execute();
      await trx.deleteFrom('fds_buckets').where('name', '=', name).execute();
      const keys = [...objs.map((o) => o.blob_key), ...parts.map((p) => p.blob_key)];
      await this.d.markDead(trx, keys);
      return keys;
    });
    await this.rows.invalidate(name);
    return keys;
  }
}
