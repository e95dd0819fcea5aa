// What Kysely calls a connection on the embedded store (sqlite-driver.ts): one use of the shared
// better-sqlite3 connection, inside a transaction (in the batch's savepoint) or not (a read at
// once, a write joining the turn's batch and awaiting it).
import type SQLite from 'better-sqlite3';
import { type CompiledQuery, type DatabaseConnection, type QueryResult, SelectQueryNode } from 'kysely';
import type { SqliteStoreDriver } from './sqlite-driver.ts';
import type { Batch } from './write-batch.ts';

function run<R>(stmt: SQLite.Statement, parameters: readonly unknown[]): QueryResult<R> {
  if (stmt.reader) return { rows: stmt.all(parameters) as R[] };
  const { changes, lastInsertRowid } = stmt.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

/** What Kysely calls a connection: one use of the shared connection, inside a transaction or not. */
export class Session implements DatabaseConnection {
  inTransaction = false;
  /** The open transaction has written (its COMMIT must be made durable). */
  wrote = false;
  /** The batch the open transaction runs in. */
  batch: Batch | undefined;

  constructor(private readonly d: SqliteStoreDriver) {}

  /** The open transaction's batch; throws if SQLite rolled it back (with this transaction). */
  ownBatch(): Batch {
    const b = this.d.currentBatch();
    if (!b || b !== this.batch) throw new Error('the transaction was rolled back with the other writes of its turn');
    return b;
  }

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    const stmt = this.d.statement(q.sql);
    if (!stmt.readonly) this.d.checkWritable();
    if (this.inTransaction) {
      // After SQLite rolled the batch back, a statement would run on its own (autocommit).
      this.ownBatch();
      if (!stmt.readonly) this.wrote = true;
      try {
        return run<R>(stmt, q.parameters);
      } catch (e) {
        this.d.failed(e);
        throw e;
      }
    }
    if (stmt.readonly) {
      // No closure on the path of every read: the lock is free for reads nearly always.
      return this.d.lock.admits(true)
        ? this.read<R>(stmt, q.parameters)
        : await this.d.lock.with('statement', () => this.read<R>(stmt, q.parameters));
    }
    const result = this.d.lock.admits(false)
      ? this.write<R>(stmt, q.parameters)
      : await this.d.lock.with('statement', () => this.write<R>(stmt, q.parameters));
    // The batch the write joined is the open one: it commits after this turn at the earliest.
    await this.written;
    return result;
  }

  /** The batch the last single write joined (read right after the write, before any await). */
  private written: Promise<void> = Promise.resolve();

  private read<R>(stmt: SQLite.Statement, parameters: readonly unknown[]): QueryResult<R> {
    try {
      return run<R>(stmt, parameters);
    } catch (e) {
      this.d.failed(e); // an I/O error may roll the open batch back
      throw e;
    }
  }

  /** A single write, in the open batch (opened if need be); the caller holds the connection. */
  private write<R>(stmt: SQLite.Statement, parameters: readonly unknown[]): QueryResult<R> {
    const b = this.d.openBatch();
    try {
      const result = run<R>(stmt, parameters);
      b.wrote = true;
      this.written = b.done;
      return result;
    } catch (e) {
      this.d.failed(e);
      throw e;
    } finally {
      this.d.settleBatch();
    }
  }

  async *streamQuery<R>(q: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(q.query)) throw new Error('the SQLite driver streams select queries only');
    // Its own statement: an iterating statement is busy, and the connection with it.
    const stmt = this.d.connection().prepare(q.sql);
    if (this.inTransaction) this.ownBatch();
    else await this.d.lock.acquire('stream');
    let rows: IterableIterator<unknown> | undefined;
    try {
      if (!this.inTransaction) this.d.commitBatch(); // a busy iterator would keep it from committing
      rows = stmt.iterate(q.parameters);
      for (;;) {
        let next: IteratorResult<unknown>;
        try {
          next = rows.next();
        } catch (e) {
          this.d.failed(e); // an I/O error may roll the open batch back
          throw e;
        }
        if (next.done) break;
        yield { rows: [next.value as R] };
      }
    } finally {
      rows?.return?.(); // a stream left early: its statement is reset, the connection free again
      if (!this.inTransaction) this.d.lock.release();
    }
  }
}
