// `opal export FILE` and `opal import FILE`: a whole store as one JSON file (docs/cli.md).
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidInputError } from '../../lib/errors.ts';
import { withContext } from '../run.ts';

export function registerTransfer(program: Command): void {
  program
    .command('export')
    .description(
      'write users (with password hashes), developers, apps (hashed and sealed secrets), grants, friends, passbook, FDS buckets and keys, and the settings to FILE (keep it secret)',
    )
    .argument('<file>')
    .option('--with-blobs <dir>', 'also FDS object versions, their bytes as files in DIR')
    .action(async (file: string, o: { withBlobs?: string }, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          const { exportStore } = await import('../../services/transfer.ts');
          const data = await exportStore(ctx.db.kysely, o.withBlobs ? { store: ctx.blobs, dir: resolve(o.withBlobs) } : undefined);
          await writeFile(file, `${JSON.stringify(data, null, 1)}\n`, { mode: 0o600 });
          return { file, objects: data.objects, rows: Object.fromEntries(Object.entries(data.tables).map(([t, r]) => [t, r.length])) };
        },
        (r) =>
          `exported to ${r.file}: ${Object.entries(r.rows)
            .map(([t, n]) => `${t} ${n}`)
            .join(', ')}`,
        { full: Boolean(o.withBlobs) },
      );
    });

  program
    .command('import')
    .description("load an export into an empty store (any backend); its settings, the server secret among them, replace this store's")
    .argument('<file>')
    .option('--with-blobs <dir>', 'directory of the object bytes written by export --with-blobs')
    .action(async (file: string, o: { withBlobs?: string }, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          const { importStore } = await import('../../services/transfer.ts');
          let data: unknown;
          try {
            data = JSON.parse(await readFile(file, 'utf8'));
          } catch (e) {
            throw new InvalidInputError(`cannot read ${file}: ${(e as Error).message}`);
          }
          const rows = await importStore(ctx.db.kysely, data, o.withBlobs ? { store: ctx.blobs, dir: resolve(o.withBlobs) } : undefined);
          return { file, rows };
        },
        (r) =>
          `imported ${r.file}: ${Object.entries(r.rows)
            .map(([t, n]) => `${t} ${n}`)
            .join(', ')}`,
        { full: Boolean(o.withBlobs) },
      );
    });
}
