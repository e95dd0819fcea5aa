// `opal fds rekey`: key rotation of blob encryption at rest (docs/storage.md, docs/cli.md).
import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { InvalidInputError } from '../../lib/errors.ts';
import { rekeyBlobs } from '../../services/fds/rekey.ts';
import { keyringOf, loadKey } from '../../store/blobs/blob-keys.ts';
import { EncryptedBlobStore } from '../../store/blobs/encrypted-blob-store.ts';
import { openBlobs } from '../../store/blobs/open-blobs.ts';
import { openDb } from '../../store/db/connect.ts';
import { migrate } from '../../store/db/migrate.ts';
import { execute } from '../run.ts';

export function registerFdsRekey(program: Command): void {
  const fds = program.commands.find((c) => c.name() === 'fds') ?? program.command('fds');
  fds
    .command('rekey')
    .description(
      'rewrap every blob data key under the current master key (OPAL_BLOB_ENCRYPTION_KEY[_FILE]); the old key from --old-key-file ' +
        'or OPAL_BLOB_ENCRYPTION_OLD_KEY[_FILE]. Idempotent: blobs already under the current key are skipped, so an interrupted run is resumed by running it again',
    )
    .option('--old-key-file <file>', 'file holding the previous master key (64 hex digits or base64 of 32 bytes)')
    .option('--encrypt-plaintext', 'also encrypt blobs written before encryption was turned on (stop the servers first)')
    .action(async (o: { oldKeyFile?: string; encryptPlaintext?: boolean }, cmd: Command) => {
      await execute(
        cmd,
        async () => {
          const config = loadConfig();
          const ring = keyringOf(config);
          if (!ring)
            throw new InvalidInputError(
              'blob encryption is off: set OPAL_BLOB_ENCRYPTION_KEY or OPAL_BLOB_ENCRYPTION_KEY_FILE to the new key',
            );
          if (o.oldKeyFile !== undefined) {
            const old = loadKey(undefined, o.oldKeyFile, '--old-key');
            if (old && !old.id.equals(ring.current.id)) ring.previous = [old];
          }
          // Small blobs of the embedded store are rows of its database (small-blob-store.ts); with
          // PostgreSQL or S3 every blob is a file or an object, and the database is not opened.
          const embedded = !config.blobUrl && !config.databaseUrl;
          const db = embedded ? await openDb({ dataDir: config.dataDir }) : undefined;
          if (db) await migrate(db);
          const store = await openBlobs(config.blobUrl, config.dataDir, ring, db).catch(async (e: unknown) => {
            await db?.close();
            throw e;
          });
          try {
            if (!(store instanceof EncryptedBlobStore)) throw new Error('blob store is not encrypted');
            const report = await rekeyBlobs(store, {
              encryptPlaintext: o.encryptPlaintext === true,
              onProgress: (r) =>
                process.stderr.write(`opal: ${r.checked} blobs checked, ${r.rekeyed} rewrapped, ${r.encrypted} encrypted\n`),
            });
            if (report.failures > 0) process.exitCode = 1;
            return { keyId: ring.current.id.toString('hex'), ...report };
          } finally {
            await store.close();
            await db?.close();
          }
        },
        (r) =>
          [
            `${r.checked} blobs checked, ${r.rekeyed} rewrapped under key ${r.keyId}, ${r.encrypted} encrypted, ${r.failures} failed`,
            ...r.failed.map((f) => `  ${f.key}: ${f.error}`),
          ].join('\n'),
      );
    });
}
