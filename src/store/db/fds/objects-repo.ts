// FDS objects and their versions (fds-protocol §5, §8): every write makes a new current version
// in one transaction with the demotion of the one it replaces; deletes keep the version (and put it
// in the owner's trash) unless told otherwise; versions removed for good queue their blobs.
import { successor } from '../../../core/fds/listing.ts';
import { decodeVersion, encodeVersionPatch, type ObjectVersion, type VersionPatch } from './columns.ts';
import { CURRENT, NOT_CURRENT } from './current.ts';
import type { FdsDb, MayReplace } from './transactions.ts';

/** Versions a lifecycle expiration removes per transaction (see expireNonCurrent). */
const EXPIRE_CHUNK = 64;

export class FdsObjectsRepo {
  constructor(private readonly d: FdsDb) {}

  current(bucket: string, name: string): Promise<ObjectVersion | undefined> {
    return this.d.currentVersion(this.d.db, bucket, name);
  }

  async version(bucket: string, versionId: string): Promise<ObjectVersion | undefined> {
    const r = await this.d.db.selectFrom('fds_objects').selectAll().where('version_id', '=', versionId).executeTakeFirst();
    return r?.bucket === bucket ? decodeVersion(r) : undefined;
  }

  /** Current objects of a bucket with name in [from, end), in name order. */
  async listCurrent(bucket: string, from: string, end: string | undefined, limit: number): Promise<ObjectVersion[]> {
    let q = this.d.db
      .selectFrom('fds_objects')
      .selectAll()
      .where('bucket', '=', bucket)
      .where('is_current', '=', CURRENT)
      .where('name', '>=', from);
    if (end !== undefined) q = q.where('name', '<', end);
    return (await q.orderBy('name').limit(limit).execute()).map(decodeVersion);
  }

  /** Every version in name order, newest first within a name, after a cursor (exclusive unless `inclusive`). */
  async listVersions(
    bucket: string,
    after: { name: string; version?: string | undefined; inclusive?: boolean },
    end: string | undefined,
    limit: number,
  ): Promise<ObjectVersion[]> {
    let q = this.d.db
      .selectFrom('fds_objects')
      .selectAll()
      .where('bucket', '=', bucket)
      .where((eb) => {
        if (after.inclusive) return eb('name', '>=', after.name);
        if (after.version === undefined) return eb('name', '>', after.name);
        return eb.or([eb('name', '>', after.name), eb.and([eb('name', '=', after.name), eb('version_id', '<', after.version)])]);
      });
    if (end !== undefined) q = q.where('name', '<', end);
    return (await q.orderBy('name').orderBy('version_id', 'desc').limit(limit).execute()).map(decodeVersion);
  }

  /** Non-current versions of a name, newest first (§8.2). */
  async nonCurrent(bucket: string, name: string): Promise<ObjectVersion[]> {
    const rows = await this.d.db
      .selectFrom('fds_objects')
      .selectAll()
      .where('bucket', '=', bucket)
      .where('name', '=', name)
      .where('is_current', '=', NOT_CURRENT)
      .orderBy('version_id', 'desc')
      .execute();
    return rows.map(decodeVersion);
  }

  /** Lifecycle candidates: current objects (or non-current versions) created (retired) before `before`. */
  async expired(bucket: string, prefix: string, before: number, current: boolean, limit: number): Promise<ObjectVersion[]> {
    // The sweeper acts for good on what this returns (non-current versions deleted by id, current
    // objects expired): only once what it saw is durable (a version demoted by a write that is
    // then lost is current again).
    const durable = this.d.readFence();
    let q = this.d.db
      .selectFrom('fds_objects')
      .selectAll()
      .where('bucket', '=', bucket)
      .where('is_current', '=', current ? CURRENT : NOT_CURRENT);
    q = current ? q.where('created_at', '<', before) : q.where('noncurrent_at', '<', before);
    if (prefix !== '') q = q.where('name', '>=', prefix).where('name', '<', successor(prefix));
    const rows = await q.orderBy('name').limit(limit).execute();
    await durable();
    return rows.filter((r) => r.name.startsWith(prefix)).map(decodeVersion);
  }

  /** Makes `v` the current version of its name; returns the replaced version id. Throws BucketNotFound when the bucket is gone. */
  async commit(v: ObjectVersion, mayReplace?: MayReplace): Promise<string | undefined> {
    return this.d.tx(async (trx) => {
      await this.d.lockBucket(trx, v.bucket, 'share');
      await this.d.lockNames(trx, v.bucket, v.name);
      await this.d.checkCurrent(trx, v.bucket, v.name, mayReplace);
      const previous = await this.d.swapIn(trx, v);
      await trx.deleteFrom('fds_blob_gc').where('blob_key', '=', v.blob_key).execute();
      return previous;
    });
  }

  /** Default delete (§5.10): the current version becomes non-current, and goes to trash unless `trashOwner` is undefined. */
  async deleteCurrent(bucket: string, name: string, trashOwner: string | undefined, mayReplace?: MayReplace): Promise<string | undefined> {
    return this.d.tx(async (trx) => {
      await this.d.lockNames(trx, bucket, name);
      await this.d.checkCurrent(trx, bucket, name, mayReplace);
      const prev = await this.d.demote(trx, bucket, name);
      if (prev && trashOwner !== undefined) {
        const trashName = `${bucket}/${name}`;
        await trx.deleteFrom('fds_trash').where('owner_id', '=', trashOwner).where('trash_name', '=', trashName).execute();
        await trx
          .insertInto('fds_trash')
          .values({ owner_id: trashOwner, trash_name: trashName, bucket, name, version_id: prev, deleted_at: this.d.now() })
          .execute();
      }
      return prev;
    });
  }

  /** Removes versions for good (their trash entries too); returns their blob keys, queued as dead. */
  async deleteVersions(versionIds: string[]): Promise<string[]> {
    if (versionIds.length === 0) return [];
    return this.d.tx((trx) => this.d.removeVersions(trx, versionIds));
  }

  /**
   * Lifecycle expiration of a current object that `expired` returned: demoted (not trashed) only
   * if `v` is still the current version of its name and was still created before `before`. A
   * write since the read made another version current (a new upload, a restore) or this one
   * younger (a rename away and back), so the rule no longer matches it. true if demoted.
   */
  async expireCurrent(v: ObjectVersion, before: number): Promise<boolean> {
    return this.d.tx(async (trx) => {
      await this.d.lockNames(trx, v.bucket, v.name);
      const cur = await this.d.currentVersion(trx, v.bucket, v.name);
      if (!cur || cur.version_id !== v.version_id || !(cur.created_at < before)) return false;
      await this.d.demoteVersion(trx, cur.version_id);
      return true;
    });
  }

  /**
   * Lifecycle expiration of non-current versions that `expired` returned (all of one bucket):
   * removed for good only those still non-current since before `before` (one restored from the
   * trash since the read is current again, or non-current since later). Returns the blob keys.
   * One transaction per EXPIRE_CHUNK versions: each holds the locks of its versions' names
   * (PostgreSQL: advisory locks, each a round trip and a slot of the shared lock table) only for
   * its own short while, so writers of those names wait little.
   */
  async expireNonCurrent(bucket: string, versions: readonly ObjectVersion[], before: number): Promise<string[]> {
    const keys: string[] = [];
    for (let i = 0; i < versions.length; i += EXPIRE_CHUNK) {
      const chunk = versions.slice(i, i + EXPIRE_CHUNK);
      const freed = await this.d.tx(async (trx) => {
        await this.d.lockNames(trx, bucket, ...chunk.map((v) => v.name));
        const ids = chunk.map((v) => v.version_id);
        const still = await trx
          .selectFrom('fds_objects')
          .select('version_id')
          .where('version_id', 'in', ids)
          .where('bucket', '=', bucket)
          .where('is_current', '=', NOT_CURRENT)
          .where('noncurrent_at', '<', before)
          .execute();
        return this.d.removeVersions(
          trx,
          still.map((r) => r.version_id),
        );
      });
      keys.push(...freed);
    }
    return keys;
  }

  /** Rename (§5.6): the current version moves to `dst`, replacing dst's current version. */
  async rename(bucket: string, src: string, dst: string, mayReplace?: MayReplace): Promise<boolean> {
    return this.d.tx(async (trx) => {
      await this.d.lockNames(trx, bucket, src, dst);
      await this.d.checkCurrent(trx, bucket, src, mayReplace);
      await this.d.checkCurrent(trx, bucket, dst, mayReplace);
      const cur = await this.d.currentVersion(trx, bucket, src);
      if (!cur) return false;
      if (src === dst) return true;
      await this.d.demote(trx, bucket, dst);
      await trx.updateTable('fds_objects').set({ name: dst, created_at: this.d.now() }).where('version_id', '=', cur.version_id).execute();
      return true;
    });
  }

  /**
   * Read-modify-write of a version's ACL or metadata, serialized against concurrent changes:
   * `change` sees the version as it is inside the transaction. false when the version is gone.
   */
  change(versionId: string, change: (v: ObjectVersion) => VersionPatch): Promise<boolean> {
    return this.d.changeRow('fds_objects', versionId, (row) => encodeVersionPatch(change(decodeVersion(row))));
  }
}
