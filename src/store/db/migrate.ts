// Applies the migration set (idempotent). Safe when several nodes start at once on PostgreSQL:
// Kysely's own lock table is itself created racily on a fresh database, so the whole run is
// serialized by a session-level advisory lock first.
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { Db } from './connect.ts';
import { MIGRATIONS } from './migrations/index.ts';

class StaticProvider implements MigrationProvider {
  constructor(private readonly db: Db) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, up] of MIGRATIONS) {
      out[name] = { up: (k: Kysely<unknown>) => up(k, this.db.dialect) };
    }
    return out;
  }
}

export interface MigrateResult {
  applied: string[];
}

/** Advisory lock key for migrations ("opal" in ASCII). */
const MIGRATION_LOCK = 0x6f70616c;

/**
 * True when every known migration is recorded as applied. One query: Kysely's Migrator
 * introspects every table first, which costs a noticeable part of each start-up and CLI command.
 */
async function upToDate(db: Db): Promise<boolean> {
  try {
    const rows = (await db.kysely
      .selectFrom('kysely_migration' as never)
      .select('name' as never)
      .execute()) as Array<{ name: string }>;
    const done = new Set(rows.map((r) => r.name));
    return MIGRATIONS.every(([name]) => done.has(name));
  } catch {
    return false; // no migration table yet
  }
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

async function run(db: Db): Promise<MigrateResult> {
  // Kysely looks for its migration tables in every schema unless told which one: with Opal in a
  // non-default schema (search_path) next to another copy, it would find the other copy's tables.
  let migrationTableSchema: string | undefined;
  if (db.dialect === 'postgres') {
    const r = await sql<{ s: string | null }>`SELECT current_schema() AS s`.execute(db.kysely);
    migrationTableSchema = r.rows[0]?.s ?? undefined;
  }
  const migrator = new Migrator({
    db: db.kysely,
    provider: new StaticProvider(db),
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
