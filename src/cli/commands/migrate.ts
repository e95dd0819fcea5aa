import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { openDb } from '../../store/db/connect.ts';
import { migrate } from '../../store/db/migrate.ts';
import { fail, wantsJson } from '../run.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply database migrations (SQLite in OPAL_DATA_DIR, or OPAL_DATABASE_URL)')
    .action(async (_opts: unknown, cmd: Command) => {
      const json = wantsJson(cmd);
      try {
        const config = loadConfig();
        const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
        try {
          const r = await migrate(db);
          process.stdout.write(
            json
              ? `${JSON.stringify({ dialect: db.dialect, applied: r.applied })}\n`
              : `${db.dialect}: applied ${r.applied.length} migration(s)${r.applied.length ? `: ${r.applied.join(', ')}` : ''}\n`,
          );
        } finally {
          await db.close();
        }
      } catch (e) {
        fail(e, json);
      }
    });
}
