// Applies the migration set (idempotent), in name order, all pending migrations in one
// transaction, recorded in the `kysely_migration` table (name, timestamp) that Kysely's Migrator
// kept in earlier versions, so an existing store carries on where it was.
//
// Not Kysely's Migrator: before each run it introspects every table of every schema of the
// database (pg_get_serial_sequence per column), and on PostgreSQL that query fails with
// `schema "…" does not exist` when another schema of the same database is dropped meanwhile (seen
// when test contexts, each in its own schema, start and stop side by side; a deployment that
// shares its database with another application could meet it too). Here every statement names
// only Opal's own tables in the current schema.
//
// Safe when several nodes start at once on PostgreSQL: the whole run is serialized by a
// session-level advisory lock. On SQLite a second process migrating the same file at the same
// moment fails with SQLITE_BUSY (nothing half applied: one transaction) and can simply run again.
//
// A database that records migrations this version does not know (set up by a newer Opal) is used
// as it is while every migration this version knows is applied (an older node beside newer ones in
// a rolling upgrade); only when this version would have to apply one does it refuse.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Db } from './connect.ts';
import { MIGRATIONS } from './migrations/index.ts';

export interface MigrateResult {
  applied: string[];
}

/** Advisory lock key for migrations ("opal" in ASCII). */
const MIGRATION_LOCK = 0x6f70616c;

/** The table of applied migrations (the name Kysely's Migrator gave it; kept for existing stores). */
const TABLE = 'kysely_migration';

/** The migrations by name, in the order they are applied (name order, as Kysely applied them). */
const ORDERED = [...MIGRATIONS].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** The names recorded as applied (throws when there is no migration table). */
async function appliedNames(k: Kysely<unknown>): Promise<Set<string>> {
  const rows = (await k
    .selectFrom(TABLE as never)
    .select('name' as never)
    .execute()) as Array<{ name: string }>;
  return new Set(rows.map((r) => r.name));
}

/** True when every known migration is recorded as applied (one query; the path of every start). */
async function upToDate(db: Db): Promise<boolean> {
  // No migration table yet: not up to date.
  const done = await appliedNames(db.kysely as unknown as Kysely<unknown>).catch(() => undefined);
  return done !== undefined && ORDERED.every(([name]) => done.has(name));
}

export async function migrate(db: Db): Promise<MigrateResult> {
  if (await upToDate(db)) return { applied: [] };
  if (db.dialect !== 'postgres') return run(db);
  return db.kysely.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(${sql.lit(MIGRATION_LOCK)})`.execute(conn);
    try {
      return await run(db);
    } finally {
      await sql`SELECT pg_advisory_unlock(${sql.lit(MIGRATION_LOCK)})`.execute(conn);
    }
  });
}

/**
 * The names to apply, in order. Refuses a store that records a migration this version does not
 * know (written by a newer Opal) or that would need one applied before an already applied one.
 */
export function pendingMigrations(done: ReadonlySet<string>): string[] {
  const known = new Set(ORDERED.map(([name]) => name));
  const unknown = [...done].filter((name) => !known.has(name)).sort();
  if (unknown.length > 0) {
    throw new Error(
      `the database records migrations this version of Opal does not know (${unknown.join(', ')}): it was set up by a newer version`,
    );
  }
  const pending = ORDERED.map(([name]) => name).filter((name) => !done.has(name));
  const last = [...done].sort().at(-1);
  const early = last === undefined ? [] : pending.filter((name) => name < last);
  if (early.length > 0) {
    throw new Error(`migrations ${early.join(', ')} would be applied after ${last}, which is already applied`);
  }
  return pending;
}

async function run(db: Db): Promise<MigrateResult> {
  return db.kysely.transaction().execute(async (trx) => {
    const k = trx as unknown as Transaction<unknown>;
    await k.schema
      .createTable(TABLE)
      .ifNotExists()
      .addColumn('name', 'varchar(255)', (c) => c.notNull().primaryKey())
      // The time it was applied as an ISO string (the column Kysely's Migrator defined).
      .addColumn('timestamp', 'varchar(255)', (c) => c.notNull())
      .execute();
    // The table exists now: a failure to read it is an error, not "nothing applied".
    const pending = pendingMigrations(await appliedNames(k));
    const byName = new Map(ORDERED);
    for (const name of pending) {
      await byName.get(name)?.(k, db.dialect);
      await k
        .insertInto(TABLE as never)
        .values({ name, timestamp: new Date().toISOString() } as never)
        .execute();
    }
    return { applied: pending };
  });
}
