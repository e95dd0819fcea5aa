// `opal backup DIR` and `opal restore DIR`: the embedded store (SQLite database and blobs in the
// data directory), backed up while a server serves it, and restored into an empty data directory
// (store/backup.ts; docs/cli.md).
import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { InvalidInputError } from '../../lib/errors.ts';
import { OPAL_VERSION } from '../../version.ts';
import { execute } from '../run.ts';

/** Backup and restore cover the embedded store only: PostgreSQL and S3 have their own tools. */
function embeddedDataDir(): string {
  const config = loadConfig();
  if (config.databaseUrl) throw new InvalidInputError('OPAL_DATABASE_URL is set: back up PostgreSQL with its own tools (pg_dump)');
  if (config.blobUrl) throw new InvalidInputError('OPAL_BLOB_URL is set: back up the S3 bucket with its own tools');
  return config.dataDir;
}

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description(
      'copy the embedded store (database and the blobs it references) to DIR, consistently, while a server may keep serving it (keep DIR secret)',
    )
    .argument('<dir>', 'a new or empty directory')
    .action(async (dir: string, _o: unknown, cmd: Command) => {
      await execute(
        cmd,
        async () => {
          const { backupEmbedded } = await import('../../store/backup.ts');
          return backupEmbedded(embeddedDataDir(), dir, OPAL_VERSION);
        },
        (r) => `backed up to ${r.dir}: database ${r.databaseBytes} bytes, ${r.blobs} blobs (${r.blobBytes} bytes)`,
      );
    });

  program
    .command('restore')
    .description('restore a backup made by `opal backup` into the data directory, which must hold no database and no blobs')
    .argument('<dir>', 'a directory written by opal backup')
    .action(async (dir: string, _o: unknown, cmd: Command) => {
      await execute(
        cmd,
        async () => {
          const { restoreEmbedded } = await import('../../store/backup.ts');
          return restoreEmbedded(dir, embeddedDataDir());
        },
        (r) => `restored the backup of ${r.createdAt} into ${r.dataDir}: ${r.blobs} blobs`,
      );
    });
}
