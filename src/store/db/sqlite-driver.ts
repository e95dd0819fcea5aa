// Kysely driver for the embedded store: one better-sqlite3 connection on the main thread, reads
// synchronous and cheap, writes acknowledged only once durable without ever waiting for an fsync
// on the event loop. docs/storage.md describes the write path; in short:
// - WAL mode with synchronous=NORMAL: a commit only write()s the WAL (microseconds);
// - the writes of one turn of the event loop share one SQLite transaction, the batch: the first
//   write opens it (BEGIN), every Kysely transaction runs inside it in a savepoint of its own
//   (rolled back alone when it fails), every write statement outside a transaction runs inside it
//   as one statement (SQLite undoes a failing statement alone), and it commits once after the
//   turn (setImmediate). A page that several writes change (an index's last leaf, say) goes into
//   the log once per batch instead of once per write;
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
import { CompiledQuery, type DatabaseConnection, type Driver, type QueryResult, SelectQueryNode, type TransactionSettings } from 'kysely';
import { ConnectionLock } from './connection-lock.ts';
import { WalCheckpointer } from './wal-checkpointer.ts';
import { type DataSync, WalSync } from './wal-sync.ts';

export interface SqliteStoreOptions {
  /** Database file, or ':memory:'. */
  path: string;
  /** Prepared statements kept (LRU by SQL text). */
  statementCacheSize?: number;
  /** Minimum time between two background checkpoints, ms. */
  checkpointIntervalMs?: number;
  /** The WAL's and, after a checkpoint, the database file's sync (tests observe, gate or fail it). */
  dataSync?: DataSync;
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
      this.openBatch();
      this.statement(`savepoint ${MEMBER}`).run();
    } catch (e) {
      this.failed(e);
      this.settleBatch();
      this.lock.release();
      throw e;
    }
    s.inTransaction = true;
    s.wrote = false;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const s = connection as Session;
    // A failing release (or check) leaves the transaction open: Kysely then rolls it back.
    if (s.wrote) this.wal?.check();
    const b = this.batch;
    if (!b) throw new Error('the transaction was rolled back with the batch it was part of');
    this.statement(`release ${MEMBER}`).run();
    s.inTransaction = false;
    if (s.wrote) b.wrote = true;
    this.settleBatch();
    this.lock.release();
    if (s.wrote) await b.done;
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const s = connection as Session;
    if (!s.inTransaction) return; // released: only the batch's commit or durability failed
    s.inTransaction = false;
    try {
      // SQLite rolls some failures back by itself (a full disk, an I/O error), the batch with them.
      if (this.batch && this.connection().inTransaction) {
        this.statement(`rollback to ${MEMBER}`).run();
        this.statement(`release ${MEMBER}`).run();
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

  /** The open batch, opened (BEGIN) if there is none; the caller holds the connection. */
  openBatch(): Batch {
    if (this.batch) return this.batch;
    if (this.closing) throw new Error('the database is being closed');
    this.statement('begin').run();
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
      void this.lock.with('commit', () => {
        if (this.batch === b) this.commitBatch();
      });
    });
  }

  /** Commits the open batch, the caller holding the connection; its writers hear once it is durable. */
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
      } finally {
        b.settle(e);
      }
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
    b.settle(e);
  }
}

/** The savepoint each transaction of a batch runs in. */
const MEMBER = 'opal_tx';

/** One turn's writes in one SQLite transaction; `done` settles once they are durable, or lost. */
class Batch {
  /** A write has run in it (a released transaction that wrote, or a single write statement). */
  wrote = false;
  /** Its commit after the turn is scheduled. */
  scheduled = false;
  readonly done: Promise<void>;
  private resolve!: () => void;
  private reject!: (e: unknown) => void;

  constructor() {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.done.catch(() => undefined); // a batch nobody waits for (it wrote nothing) may fail unheard
  }

  settle(error?: unknown): void {
    if (error === undefined) this.resolve();
    else this.reject(error);
  }
}

function quoteId(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function run<R>(stmt: SQLite.Statement, parameters: readonly unknown[]): QueryResult<R> {
  if (stmt.reader) return { rows: stmt.all(parameters) as R[] };
  const { changes, lastInsertRowid } = stmt.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

/** What Kysely calls a connection: one use of the shared connection, inside a transaction or not. */
class Session implements DatabaseConnection {
  inTransaction = false;
  /** The open transaction has written (its COMMIT must be made durable). */
  wrote = false;

  constructor(private readonly d: SqliteStoreDriver) {}

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    const stmt = this.d.statement(q.sql);
    if (!stmt.readonly) this.d.checkWritable();
    if (this.inTransaction) {
      if (!stmt.readonly) this.wrote = true;
      try {
        return run<R>(stmt, q.parameters);
      } catch (e) {
        this.d.failed(e);
        throw e;
      }
    }
    if (stmt.readonly) {
      return this.d.lock.admits(true) ? run<R>(stmt, q.parameters) : await this.d.lock.with('statement', () => run<R>(stmt, q.parameters));
    }
    const write = () => {
      const b = this.d.openBatch();
      try {
        const result = run<R>(stmt, q.parameters);
        b.wrote = true;
        return { result, b };
      } catch (e) {
        this.d.failed(e);
        throw e;
      } finally {
        this.d.settleBatch();
      }
    };
    const { result, b } = this.d.lock.admits(false) ? write() : await this.d.lock.with('statement', write);
    await b.done;
    return result;
  }

  async *streamQuery<R>(q: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(q.query)) throw new Error('the SQLite driver streams select queries only');
    // Its own statement: an iterating statement is busy, and the connection with it.
    const stmt = this.d.connection().prepare(q.sql);
    if (!this.inTransaction) {
      await this.d.lock.acquire('stream');
      this.d.commitBatch(); // a busy iterator would keep it from committing
    }
    try {
      for (const row of stmt.iterate(q.parameters)) yield { rows: [row as R] };
    } finally {
      if (!this.inTransaction) this.d.lock.release();
    }
  }
}
