// The embedded store's Kysely dialect: SQLite's query compiler, adapter and introspector from
// Kysely, with our own driver (sqlite-driver.ts: group-committed durable writes, cached
// statements, background checkpoints).
import {
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Kysely,
  type QueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { SqliteStoreDriver, type SqliteStoreOptions } from './sqlite-driver.ts';

export class SqliteStoreDialect implements Dialect {
  /** The driver Kysely uses (one per Kysely instance built on this dialect). */
  driver: SqliteStoreDriver | undefined;

  constructor(private readonly options: SqliteStoreOptions) {}

  createDriver(): SqliteStoreDriver {
    this.driver = new SqliteStoreDriver(this.options);
    return this.driver;
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
