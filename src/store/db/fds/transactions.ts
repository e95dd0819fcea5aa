// What the FDS repositories share: the Kysely handle and dialect, transactions retried when a
// concurrent writer won a unique race, the locks that serialize writers of a bucket or of object
// names, the version swap every write makes, and the collection queue (fds_blob_gc) that blob keys
// join as 'dead' in the transaction that drops their last reference.
import { type Kysely, type Selectable, sql, type Transaction, type Updateable } from 'kysely';
import { FdsError } from '../../../core/fds/errors.ts';
import type { Dialect } from '../dialect.ts';
import { PreparedQuery } from '../prepared.ts';
import type { Database } from '../schema.ts';
import { decodeVersion, encodeVersion, type ObjectVersion } from './columns.ts';
import { CURRENT } from './current.ts';
import type { FdsObjectsTable } from './tables.ts';

export type Tx = Transaction<Database>;

/** A name's current version: every GET, HEAD and write of an object reads it (compiled once). */
const currentRow = new PreparedQuery<{ bucket: string; name: string }, Selectable<FdsObjectsTable>>(['bucket', 'name'], (db, p) =>
  db.selectFrom('fds_objects').selectAll().where('bucket', '=', p.bucket).where('name', '=', p.name).where('is_current', '=', CURRENT),
);

/** The key column of the rows changeRow changes. */
const ROW_KEYS = { fds_buckets: 'name', fds_objects: 'version_id' } as const;

/** A check run on the current version of a name inside the writer's transaction; it throws to refuse. */
export type MayReplace = (current: ObjectVersion) => void;

export function isForeignKeyViolation(e: unknown): boolean {
  const err = e as { code?: string };
  return err.code === '23503' || err.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return (
    err.code === '23505' ||
    err.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    /UNIQUE constraint/.test(err.message ?? '')
  );
}

export class FdsDb {
  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
    readonly now: () => number,
    /** For the reads that free blobs (connect.ts, Db.readFence). */
    readonly readFence: () => () => Promise<void>,
  ) {}

  /** Runs a transaction, retrying a few times when a concurrent writer won a unique race. */
  async tx<T>(f: (trx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction().execute(f);
      } catch (e) {
        if (attempt >= 4 || !isUniqueViolation(e)) throw e;
      }
    }
  }

  /**
   * Read-modify-write of one bucket or version row, serialized against concurrent changes
   * (PostgreSQL: FOR UPDATE; SQLite serializes writers already): `change` sees the row as it is
   * inside the transaction and returns the columns to replace. false when there is no such row.
   */
  async changeRow<T extends keyof typeof ROW_KEYS>(
    table: T,
    key: string,
    change: (row: Selectable<Database[T]>) => Updateable<Database[T]>,
  ): Promise<boolean> {
    // Kysely cannot follow a table name that is a type parameter: the query is built on one
    // stand-in table `t` keyed by `k`; the signature above is the typed face.
    const t = table as unknown as 't';
    const k = ROW_KEYS[table] as unknown as 'k';
    return this.tx(async (trx) => {
      const db = trx as unknown as Kysely<{ t: { k: string } }>;
      let q = db.selectFrom(t).selectAll().where(k, '=', key);
      if (this.dialect === 'postgres') q = q.forUpdate();
      const row = await q.executeTakeFirst();
      if (!row) return false;
      const patch = change(row as unknown as Selectable<Database[T]>) as unknown as { k?: string };
      await db.updateTable(t).set(patch).where(k, '=', key).execute();
      return true;
    });
  }

  /**
   * Serializes writers of the same object names until the transaction ends. PostgreSQL: advisory
   * transaction locks (a concurrent first write of a name would otherwise race on the
   * one-current-version index); SQLite transactions are serialized already.
   */
  async lockNames(trx: Tx, bucket: string, ...names: string[]): Promise<void> {
    if (this.dialect !== 'postgres') return;
    for (const n of [...new Set(names)].sort()) {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`fds:${bucket}/${n}`}, 0))`.execute(trx);
    }
  }

  /**
   * Reads the bucket row inside a writer's transaction and locks it until the transaction ends
   * (PostgreSQL: `FOR SHARE` for object writers, `FOR UPDATE` for the bucket's deletion, so a
   * commit and a purge of the same bucket serialize; SQLite serializes writers already). Throws
   * BucketNotFound when the bucket is gone.
   */
  async lockBucket(trx: Tx, name: string, mode: 'share' | 'update'): Promise<void> {
    let q = trx.selectFrom('fds_buckets').select('name').where('name', '=', name);
    if (this.dialect === 'postgres') q = mode === 'share' ? q.forShare() : q.forUpdate();
    if (!(await q.executeTakeFirst())) throw new FdsError('BucketNotFound', name);
  }

  /** Queues blob keys as 'dead' (collected after commit, or by the sweeper). */
  async markDead(trx: Tx, keys: string[]): Promise<void> {
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
   * Removes versions for good inside `trx` (their trash entries first); returns their blob keys,
   * queued as dead. A caller that decided on a read made before the transaction re-checks, under
   * the names' locks, that each version is still what it read (objects-repo.ts, trash-repo.ts).
   */
  async removeVersions(trx: Tx, versionIds: readonly string[]): Promise<string[]> {
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
  }

  /** The current version of a name, read through `db` (the repository's handle or a transaction). */
  async currentVersion(db: Kysely<Database>, bucket: string, name: string): Promise<ObjectVersion | undefined> {
    const r = await currentRow.first(db, { bucket, name });
    return r && decodeVersion(r);
  }

  /** The current version of a name becomes non-current; returns its id. */
  async demote(trx: Tx, bucket: string, name: string): Promise<string | undefined> {
    const cur = await this.currentVersion(trx, bucket, name);
    if (!cur) return undefined;
    await this.demoteVersion(trx, cur.version_id);
    return cur.version_id;
  }

  /** A version the caller read as current, under its name's lock, becomes non-current. */
  async demoteVersion(trx: Tx, versionId: string): Promise<void> {
    await trx.updateTable('fds_objects').set({ is_current: 0, noncurrent_at: this.now() }).where('version_id', '=', versionId).execute();
  }

  /**
   * Runs `mayReplace` on the current version of a name inside the writer's transaction, after the
   * name lock: checks made before a body streamed in may be stale by the time the new version commits.
   */
  async checkCurrent(trx: Tx, bucket: string, name: string, mayReplace: MayReplace | undefined): Promise<void> {
    if (!mayReplace) return;
    const cur = await this.currentVersion(trx, bucket, name);
    if (cur) mayReplace(cur);
  }

  /** Makes `v` the current version of its name (the caller holds the bucket and name locks); returns the replaced id. */
  async swapIn(trx: Tx, v: ObjectVersion): Promise<string | undefined> {
    const previous = await this.demote(trx, v.bucket, v.name);
    await trx.insertInto('fds_objects').values(encodeVersion(v)).execute();
    return previous;
  }
}
