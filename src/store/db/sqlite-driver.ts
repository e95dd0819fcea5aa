// Kysely driver for the embedded store: one better-sqlite3 connection on the main thread, reads
// synchronous and cheap, writes acknowledged only once durable without ever waiting for an fsync
// on the event loop. docs/storage.md describes the write path; in short:
// - WAL mode with synchronous=NORMAL: a commit only write()s the WAL (microseconds);
// - the writes of one turn of the event loop share one SQLite transaction, the batch: the first
//   write opens it (BEGIN IMMEDIATE: another process's read-first transaction then waits for the
//   write lock instead of failing), every Kysely transaction runs inside it in a savepoint of its own
//   (rolled back alone when it fails), every write statement outside a transaction runs inside it
//   as one statement (SQLite undoes a failing statement alone), and it commits once after the
//   turn (setImmediate; later if a transaction holds the connection across an await then). A page
//   that several writes change (an index's last leaf, say) goes into the log once per batch
//   instead of once per write. Reads see the batch's writes before they commit: a read whose
//   result is acted on outside the database uses readFence();
// - after the batch's COMMIT, its writers await WalSync.durable(): one fdatasync of the `-wal`
//   file in flight at a time on libuv's threadpool, covering every commit finished before it
//   started (group commit);
// - an explicit transaction holds the connection lock from its savepoint to its release, so
//   nothing else runs inside it; the lock is released before the batch commits, so the next
//   transaction does not wait for this one's commit or fsync;
// - should SQLite roll the whole batch back by itself (a full disk, an I/O error), or its COMMIT
//   fail, every writer in it gets the error: nothing of it was acknowledged;
// - prepared statements are kept in a bounded LRU keyed by SQL text;
// - checkpoints (WalCheckpointer) run with this process's writes held back for a moment, their
//   syncs on the threadpool too.
// In-memory databases (':memory:') and file systems without WAL fall back to synchronous=FULL.
import SQLite from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, type Driver, type TransactionSettings } from 'kysely';
import { ConnectionLock } from './connection-lock.ts';
import { Session } from './sqlite-session.ts';
import { WalCheckpointer } from './wal-checkpointer.ts';
import { type DataSync, WalSync } from './wal-sync.ts';
import { Batch, BatchRolledBackError, MEMBER } from './write-batch.ts';

export interface SqliteStoreOptions {
  /** Database file, or ':memory:'. */
  path: string;
  /** Prepared statements kept (LRU by SQL text). */
  statementCacheSize?: number;
  /** Minimum time between two background checkpoints, ms. */
  checkpointIntervalMs?: number;
  /** The WAL's and, after a checkpoint, the database file's sync (tests observe, gate or fail it). */
  dataSync?: DataSync;
  /**
   * Called when a batch is lost (rolled back by SQLite, or its commit failed): reads may have seen
   * its writes, so whatever was cached from them must go.
   */
  onWriteLost?: () => void;
}

/** SQLite's own automatic checkpoint (log pages): a backstop behind WalCheckpointer only. */
const BACKSTOP_AUTOCHECKPOINT = 20_000;

export class SqliteStoreDriver implements Driver {
  private db: SQLite.Database | undefined;
  private wal: WalSync | undefined;
  private checkpointer: WalCheckpointer | undefined;
  private readonly statements = new Map<string, SQLite.Statement>();
  private readonly maxStatements: number;
  /** The open transaction that this turn's writes share, if any. */
  private batch: Batch | undefined;
  /** destroy() has begun: no new batch opens. */
  private closing = false;
  /** Batches lost so far (rolled back by SQLite, or their commit failed). */
  private lost = 0;
  readonly lock = new ConnectionLock();

  constructor(private readonly o: SqliteStoreOptions) {
    this.maxStatements = o.statementCacheSize ?? 256;
  }

  /** WAL syncs started so far (0 without a WAL). */
  get syncs(): number {
    return this.wal?.syncs ?? 0;
  }

  /** Batches that wrote and committed so far. */
  commits = 0;

  /** Prepared statements in the cache. */
  get cachedStatements(): number {
    return this.statements.size;
  }

  /** Background checkpoints completed so far. */
  get checkpoints(): number {
    return this.checkpointer?.checkpoints ?? 0;
  }

  async init(): Promise<void> {
    const db = new SQLite(this.o.path);
    this.db = db;
    const walMode = db.pragma('journal_mode = WAL', { simple: true }) === 'wal';
    db.pragma(`synchronous = ${walMode ? 'NORMAL' : 'FULL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Freed pages are zeroed: small blobs are rows (store/blobs/small-blob-store.ts), and a deleted
    // object's bytes, or a blob's bytes before `opal fds rekey` or `--encrypt-plaintext`, must not
    // stay readable in the file's free pages (nor in a backup, which copies every page).
    db.pragma('secure_delete = ON');
    // Temporary files in memory. Each Kysely transaction runs in a savepoint of the turn's batch
    // (write-batch.ts), whose sub-journal keeps the first image of every page a statement of it
    // changes. Past 64 KiB, about one code exchange's worth, SQLite moves that journal into a
    // temporary file, so every batch would create, write and unlink one, about 25 page writes
    // per exchange. In memory, it is freed when the savepoint ends. The cost: a statement or
    // transaction that changes many existing pages (a bucket's purge, a housekeeping purge after
    // a long pause, an import) holds their first images in memory until it ends, and a sort
    // without an index (an index built by a migration) is made in memory (docs/storage.md).
    // bench/README.md, "Temporary files in memory".
    db.pragma('temp_store = MEMORY');
    // SQLite's own default page cache, 2 MiB, instead of the 16 MiB better-sqlite3 compiles in: the
    // cache filled up under the token endpoint's load and was then held for good (about 14 MiB of
    // the peak RSS of every later load), while pages beyond it come from the OS's page cache, one
    // pread each. bench/README.md, "Memory: the allocator, SQLite's cache".
    db.pragma('cache_size = -2000');
    if (!walMode) return;
    this.wal = new WalSync(`${db.name}-wal`, this.o.dataSync);
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT}`);
    const wal = this.wal;
    this.checkpointer = new WalCheckpointer({
      path: db.name,
      main: () => db,
      durable: () => wal.durable(),
      hold: (fn) =>
        this.lock.with('checkpoint', () => {
          this.commitBatch();
          return fn();
        }),
      fail: (e) => wal.fail(e),
      ...(this.o.dataSync ? { dataSync: this.o.dataSync } : {}),
      ...(this.o.checkpointIntervalMs !== undefined ? { intervalMs: this.o.checkpointIntervalMs } : {}),
    });
  }

  /** Runs a background checkpoint now (tests; no-op without a WAL). */
  async checkpoint(): Promise<void> {
    await this.checkpointer?.checkpoint();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new Session(this);
  }

  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    const s = connection as Session;
    await this.lock.acquire('transaction');
    try {
      s.batch = this.openBatch();
      this.statement(`savepoint ${MEMBER}`).run();
    } catch (e) {
      try {
        this.failed(e);
        this.settleBatch();
      } finally {
        this.lock.release();
      }
      throw e;
    }
    s.inTransaction = true;
    s.wrote = false;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const s = connection as Session;
    // A failing release (or check) leaves the transaction open: Kysely then rolls it back.
    if (s.wrote) this.wal?.check();
    const b = s.ownBatch();
    this.statement(`release ${MEMBER}`).run();
    s.inTransaction = false;
    if (s.wrote) b.wrote = true;
    try {
      this.settleBatch();
    } finally {
      this.lock.release();
    }
    if (s.wrote) await b.done;
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const s = connection as Session;
    if (!s.inTransaction) return; // released: only the batch's commit or durability failed
    s.inTransaction = false;
    try {
      // SQLite rolls some failures back by itself (a full disk, an I/O error), the batch with them.
      if (this.batch !== undefined && this.batch === s.batch && this.connection().inTransaction) {
        try {
          this.statement(`rollback to ${MEMBER}`).run();
          this.statement(`release ${MEMBER}`).run();
        } catch (e) {
          // The savepoint may still hold this transaction's writes: the batch cannot commit.
          this.abandonBatch(e);
          throw e;
        }
      } else {
        this.failed(new Error('SQLite rolled the transaction back'));
      }
      this.settleBatch();
    } finally {
      this.lock.release();
    }
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteId(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to ${quoteId(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release ${quoteId(name)}`));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await this.rollbackTransaction(connection); // only if its owner left a transaction open
  }

  async destroy(): Promise<void> {
    this.closing = true;
    const last = this.batch;
    await this.lock.with('commit', () => this.commitBatch());
    await last?.done.catch(() => undefined);
    await this.checkpointer?.close();
    await this.wal?.close();
    this.statements.clear();
    this.db?.close();
  }

  connection(): SQLite.Database {
    if (!this.db) throw new Error('database not initialized');
    return this.db;
  }

  /** The prepared statement for `sql`, from the LRU cache. */
  statement(sql: string): SQLite.Statement {
    const cached = this.statements.get(sql);
    if (cached) {
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached;
    }
    const stmt = this.connection().prepare(sql);
    this.statements.set(sql, stmt);
    if (this.statements.size > this.maxStatements) {
      const oldest = this.statements.keys().next().value;
      if (oldest !== undefined) this.statements.delete(oldest);
    }
    return stmt;
  }

  /** Throws once a WAL sync has failed: nothing may commit any more (see wal-sync.ts). */
  checkWritable(): void {
    this.wal?.check();
  }

  /** Resolves once the commit that just finished is durable. */
  committed(): Promise<void> {
    if (!this.wal) return Promise.resolve();
    this.checkpointer?.nudge();
    return this.wal.durable();
  }

  /** The open batch, if any. */
  currentBatch(): Batch | undefined {
    return this.batch;
  }

  /**
   * The open batch, opened if there is none; the caller holds the connection. IMMEDIATE: it takes
   * SQLite's write lock at once, waiting for another process's (busy_timeout) there and not on a
   * read-first transaction's upgrade, which would fail at once against a batch another process
   * holds open.
   */
  openBatch(): Batch {
    if (this.batch) return this.batch;
    if (this.closing) throw new Error('the database is being closed');
    this.statement('begin immediate').run();
    this.batch = new Batch();
    return this.batch;
  }

  /**
   * After a write or transaction ended, the caller holding the connection: a batch that holds no
   * write is committed at once (it wrote nothing, and a read transaction should not outlive its
   * turn); one that does commits after this turn.
   */
  settleBatch(): void {
    const b = this.batch;
    if (!b) return;
    if (!b.wrote) {
      this.commitBatch();
      return;
    }
    if (b.scheduled) return;
    b.scheduled = true;
    setImmediate(() => {
      if (this.batch !== b) return;
      // commitBatch settles its batch and never throws.
      void this.lock.with('commit', () => {
        if (this.batch === b) this.commitBatch();
      });
    });
  }

  /**
   * Commits the open batch, the caller holding the connection; its writers hear once it is
   * durable, or that it failed. Never throws.
   */
  commitBatch(): void {
    const b = this.batch;
    if (!b) return;
    this.batch = undefined;
    try {
      if (b.wrote) this.wal?.check();
      this.statement('commit').run();
    } catch (e) {
      try {
        if (this.connection().inTransaction) this.statement('rollback').run();
      } catch (r) {
        // Neither committed nor rolled back: what the connection holds is unknown; no later
        // write may be acknowledged.
        this.wal?.fail(new Error(`the database could not roll back a failed commit, writes are refused until a restart: ${String(r)}`));
      }
      this.lose(b, e);
      return;
    }
    if (!b.wrote) {
      b.settle();
      return;
    }
    this.commits++;
    this.committed().then(
      () => b.settle(),
      (e: unknown) => b.settle(e),
    );
  }

  /**
   * After a statement failed: when SQLite rolled the whole transaction back by itself (a full
   * disk, an I/O error), every write of the batch is gone, and its writers are told so.
   */
  failed(e: unknown): void {
    const b = this.batch;
    if (!b || this.connection().inTransaction) return;
    this.batch = undefined;
    this.lose(b, new BatchRolledBackError(e));
  }

  /** Rolls the open batch back and tells its writers (a transaction could not be undone alone). */
  private abandonBatch(e: unknown): void {
    const b = this.batch;
    if (!b) return;
    this.batch = undefined;
    try {
      if (this.connection().inTransaction) this.statement('rollback').run();
    } catch (r) {
      this.wal?.fail(new Error(`the database could not roll back a failed transaction, writes are refused until a restart: ${String(r)}`));
    }
    this.lose(b, new BatchRolledBackError(e));
  }

  private lose(b: Batch, e: unknown): void {
    this.lost++;
    b.settle(e);
    this.o.onWriteLost?.();
  }

  /**
   * For a read whose result is acted on outside the database (freeing a blob marked dead, say):
   * called before the read; what it returns, called right after the read, resolves once every
   * write the read may have seen is durable, and rejects if one of them may have been lost
   * (losses after the read do not count). Reads see the open batch's writes before it commits.
   */
  readFence(): () => Promise<void> {
    const lostBefore = this.lost;
    return () => {
      // What the read may have seen: batches lost since the fence (counted), the batch open now
      // (awaited), and every commit so far (a sync that starts after this call covers them).
      const lostByRead = this.lost !== lostBefore;
      const open = this.batch;
      return (async () => {
        if (lostByRead) throw new Error('a write the read may have seen was rolled back');
        await open?.done;
        await this.committed();
      })();
    };
  }
}

function quoteId(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
