// Opens the database named by the configuration: PostgreSQL for scale-out, else SQLite (WAL) in
// the data directory through our own driver (sqlite-driver.ts). Returns the Kysely handle and its
// dialect.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import { createPrivateFile, PRIVATE_DIR_MODE } from '../data-dir.ts';
import type { Dialect } from './dialect.ts';
import type { Database } from './schema.ts';
import { SqliteStoreDialect } from './sqlite-dialect.ts';

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  /**
   * For a read whose result is acted on outside the database: called before the read; what it
   * returns, called right after the read and awaited, resolves once every write the read may have
   * seen is durable and rejects if one may have been lost. The embedded store's reads see writes a few
   * milliseconds before they commit (sqlite-driver.ts); a PostgreSQL read sees durable rows only.
   */
  readFence(): () => Promise<void>;
  close(): Promise<void>;
}

export interface DbOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  /** PostgreSQL schema to use (tests isolate themselves in their own schema). */
  pgSchema?: string;
  /** SQLite file name inside dataDir (default opal.db), or ':memory:'. */
  sqliteFile?: string;
  /** The embedded store lost writes that reads may have seen (sqlite-driver.ts, onWriteLost). */
  onWriteLost?: () => void;
}

export async function openDb(opts: DbOptions): Promise<Db> {
  if (opts.databaseUrl) {
    // Loaded only when used, to keep the embedded start-up fast.
    const { default: pg } = await import('pg');
    // BIGINT columns hold epoch milliseconds and byte counts, all below 2^53: read them as numbers.
    pg.types.setTypeParser(20, (v) => Number(v));
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: 10,
      ...(opts.pgSchema ? { options: `-c search_path=${opts.pgSchema}` } : {}),
    });
    // An idle pooled connection that the server drops (a restart, a network cut) is reported on
    // the pool; unheard, that event would crash the process. The pool discards the connection and
    // the next query opens a new one (or fails, and /readyz says so).
    pool.on('error', () => {});
    // A client checked out between two statements (a transaction) gets the same event when the
    // server ends its connection (a restart: 57P01); unheard, it too would crash the process. The
    // next statement on it fails (answered 503, http/store-unavailable.ts) and the pool drops it.
    pool.on('connect', (client) => {
      client.on('error', () => {});
    });
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { kysely, dialect: 'postgres', readFence: () => () => Promise.resolve(), close: () => kysely.destroy() };
  }
  const file = opts.sqliteFile ?? 'opal.db';
  let path = file;
  if (file !== ':memory:') {
    mkdirSync(opts.dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    path = join(opts.dataDir, file);
    createPrivateFile(path);
  }
  const dialect = new SqliteStoreDialect({ path, ...(opts.onWriteLost ? { onWriteLost: opts.onWriteLost } : {}) });
  const kysely = new Kysely<Database>({ dialect });
  return {
    kysely,
    dialect: 'sqlite',
    readFence: () => dialect.driver?.readFence() ?? (() => Promise.resolve()),
    close: () => kysely.destroy(),
  };
}
