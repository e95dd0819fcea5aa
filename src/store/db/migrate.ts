// Applies the migration set (idempotent; safe to run concurrently on PostgreSQL thanks to
// Kysely's migration lock).
import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
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

export async function migrate(db: Db): Promise<MigrateResult> {
  const migrator = new Migrator({ db: db.kysely, provider: new StaticProvider(db) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
