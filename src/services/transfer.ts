// Export and import of a whole store (`opal export` / `opal import`, docs/cli.md): users with their
// password hashes, developers, apps with hashed and sealed secrets, grants, friends, pass plans and
// passes, FDS buckets, keys and bindings, admin tokens, usage counters, OpenID Connect signing keys
// and client settings, unused sign-up invites and the settings (the
// generated server secret among them: client-secret hashes, sealed secrets and openIds are keyed
// with it). With blobs, object versions and trash entries too, their bytes as files named by blob
// key. The same records give byte-identical exports on SQLite and PostgreSQL.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import { InvalidInputError } from '../lib/errors.ts';
import { assertBlobKey, type BlobStore } from '../store/blobs/blob-store.ts';
import { clearTable, DUMP_TABLES, type DumpRow, type DumpTable, insertRows, OBJECT_TABLES, readTable } from '../store/db/dump.ts';
import type { Database } from '../store/db/schema.ts';

export const EXPORT_FORMAT = 'opal-export';
export const EXPORT_VERSION = 1;

export interface ExportFile {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  /** Whether object versions are included (their bytes are in the blob directory). */
  objects: boolean;
  tables: Partial<Record<DumpTable, DumpRow[]>>;
}

export interface BlobDir {
  store: BlobStore;
  dir: string;
}

function tablesOf(objects: boolean): Array<[DumpTable, readonly string[]]> {
  return [...Object.entries(DUMP_TABLES), ...(objects ? Object.entries(OBJECT_TABLES) : [])] as Array<[DumpTable, readonly string[]]>;
}

export async function exportStore(db: Kysely<Database>, blobs?: BlobDir): Promise<ExportFile> {
  const tables: ExportFile['tables'] = {};
  for (const [table, keys] of tablesOf(Boolean(blobs))) tables[table] = await readTable(db, table, keys);
  if (blobs) {
    await mkdir(blobs.dir, { recursive: true });
    for (const row of tables.fds_objects ?? []) {
      const key = String(row.blob_key);
      assertBlobKey(key);
      await pipeline(await blobs.store.get(key), createWriteStream(join(blobs.dir, key)));
    }
  }
  return { format: EXPORT_FORMAT, version: EXPORT_VERSION, objects: Boolean(blobs), tables };
}

function checkFile(file: unknown): ExportFile {
  const f = file as Partial<ExportFile> | null;
  if (!f || f.format !== EXPORT_FORMAT || f.version !== EXPORT_VERSION || typeof f.tables !== 'object' || f.tables === null) {
    throw new InvalidInputError(`not an Opal export (expected {"format":"${EXPORT_FORMAT}","version":${EXPORT_VERSION},…})`);
  }
  const known = new Set(tablesOf(true).map(([t]) => t));
  for (const [t, rows] of Object.entries(f.tables)) {
    if (!known.has(t as DumpTable) || !Array.isArray(rows)) throw new InvalidInputError(`unknown table "${t}" in the export`);
  }
  return f as ExportFile;
}

/**
 * Imports an export into an empty store (no users, developers, apps or buckets), in one
 * transaction; object bytes are stored first and checked against their MD5. The store's settings
 * are replaced by the export's, so its server secret travels along; a store started with another
 * OPAL_SERVER_SECRET refuses the import.
 */
export async function importStore(db: Kysely<Database>, data: unknown, blobs?: BlobDir): Promise<Record<string, number>> {
  const file = checkFile(data);
  for (const table of ['users', 'developers', 'apps', 'fds_buckets'] as const) {
    if ((await readTable(db, table, [])).length > 0)
      throw new InvalidInputError(`the store is not empty (${table} has rows): import into a new one`);
  }
  const mine = (await readTable(db, 'settings', ['key'])).find((r) => r.key === 'server_secret_fingerprint')?.value;
  const theirs = file.tables.settings?.find((r) => r.key === 'server_secret_fingerprint')?.value;
  const generated = (await readTable(db, 'settings', ['key'])).some((r) => r.key === 'server_secret');
  if (mine !== undefined && theirs !== undefined && mine !== theirs && !generated) {
    throw new InvalidInputError('OPAL_SERVER_SECRET differs from the secret of the exported store: use the original secret');
  }
  if (file.objects) {
    if (!blobs) throw new InvalidInputError('the export holds objects: give --with-blobs DIR with their bytes');
    for (const row of file.tables.fds_objects ?? []) {
      const key = String(row.blob_key);
      assertBlobKey(key);
      const put = await blobs.store.put(key, createReadStream(join(blobs.dir, key)));
      if (put.md5 !== row.md5) throw new InvalidInputError(`blob ${key}: its bytes do not match the object's MD5`);
    }
  }
  const counts: Record<string, number> = {};
  await db.transaction().execute(async (trx) => {
    await clearTable(trx, 'settings');
    for (const [table] of tablesOf(file.objects)) {
      const rows = file.tables[table] ?? [];
      await insertRows(trx, table, rows);
      counts[table] = rows.length;
    }
  });
  return counts;
}
