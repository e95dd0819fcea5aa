// `opal backup DIR` and `opal restore DIR` for the embedded store (docs/cli.md): the SQLite
// database copied with SQLite's online backup (a consistent snapshot, taken in one step while a
// server keeps serving and writing), then exactly the blobs that snapshot references. Blobs never
// change once written, but a blob may be freed right after the snapshot (its object deleted or
// overwritten meanwhile): then the snapshot is taken again, so that the copy never references a
// blob it lacks. The backup is built beside DIR and renamed into place when complete, so DIR never
// holds half a backup. A restore checks the backup (SQLite's integrity check, every referenced
// blob present with its size) before it writes anything, and writes the database last.
import { constants, existsSync, readdirSync } from 'node:fs';
import { chmod, copyFile, mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { ConflictError, InvalidInputError, NotFoundError } from '../lib/errors.ts';
import { newCredential } from '../lib/random.ts';
import { HEADER_SIZE, MAGIC, storedSizeOf } from './blobs/blob-cipher.ts';
import { blobFilePath, fsyncPath } from './blobs/fs-blob-store.ts';
import { ENCRYPTED_MARKER } from './blobs/open-blobs.ts';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './data-dir.ts';

export const BACKUP_FORMAT = 'opal-backup-1';
const DB_FILE = 'opal.db';
const MANIFEST = 'backup.json';
/** Snapshots taken before giving up on a store whose blobs keep being freed under the copy. */
const MAX_SNAPSHOTS = 5;

/** Every blob the database references, with the size its row records. */
const REFERENCED_BLOBS = `
  SELECT blob_key AS key, size FROM fds_objects
  UNION SELECT blob_key, size FROM fds_parts
  UNION SELECT blob_key, size FROM fds_derived`;

/** Blobs kept in the database itself: their length and first bytes (an encrypted blob's header). */
const SMALL_BLOBS = 'SELECT blob_key AS key, length(data) AS stored, substr(data, 1, 12) AS head FROM fds_small_blobs';

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  createdAt: string;
  opalVersion: string;
  blobs: number;
  blobBytes: number;
  databaseBytes: number;
}

/**
 * The size a stored blob of a `plainSize`-byte object has, from its first 12 bytes `head`: that
 * size, or for a blob encrypted at rest (it starts with the cipher's header) the header, the
 * chunks and their tags.
 */
function expectedStoredSize(head: Buffer, plainSize: number): number {
  if (head.length < 12 || !head.subarray(0, MAGIC.length).equals(MAGIC)) return plainSize;
  const chunkSize = head.readUInt32BE(MAGIC.length);
  return chunkSize > 0 ? storedSizeOf(plainSize, chunkSize) : HEADER_SIZE;
}

/** expectedStoredSize of a blob file. */
async function expectedFileSize(file: string, plainSize: number): Promise<number> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(12);
    const { bytesRead } = await fh.read(head, 0, 12, 0);
    return expectedStoredSize(head.subarray(0, bytesRead), plainSize);
  } finally {
    await fh.close();
  }
}

/** What the database references: the blob files (key → object size), and the blobs that are its own rows. */
interface Referenced {
  files: Map<string, number>;
  /** Small blobs (store/blobs/small-blob-store.ts): key → object size and the stored size. */
  rows: Map<string, { size: number; stored: number; head: Buffer }>;
}

function referencedBlobs(dbFile: string): Referenced {
  const db = new SQLite(dbFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(REFERENCED_BLOBS).all() as Array<{ key: string; size: number }>;
    const files = new Map(rows.map((r) => [r.key, r.size]));
    const inDb = new Map<string, { size: number; stored: number; head: Buffer }>();
    // Stores written before migration 020 have no such table.
    if (db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'fds_small_blobs'`).get()) {
      const small = db.prepare(SMALL_BLOBS).all() as Array<{ key: string; stored: number; head: Buffer }>;
      for (const r of small) {
        const size = files.get(r.key);
        if (size === undefined) continue;
        files.delete(r.key);
        inDb.set(r.key, { size, stored: r.stored, head: r.head });
      }
    }
    return { files, rows: inDb };
  } finally {
    db.close();
  }
}

/** Copies a file (a reflink where the file system has them), 0600 and synced; false if `from` is gone. */
async function copyPrivate(from: string, to: string): Promise<boolean> {
  await mkdir(dirname(to), { recursive: true, mode: PRIVATE_DIR_MODE });
  try {
    await copyFile(from, to, constants.COPYFILE_FICLONE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(to)) return false;
    throw e;
  }
  await chmod(to, PRIVATE_FILE_MODE);
  await fsyncPath(to);
  return true;
}

/** Files under `root` (recursively), as paths relative to it. */
async function filesUnder(root: string, prefix = ''): Promise<string[]> {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const e of await readdir(join(root, prefix), { withFileTypes: true })) {
    const rel = join(prefix, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(root, rel)));
    else out.push(rel);
  }
  return out;
}

/** Writes a backup of the embedded store in `dataDir` to `dest` (absent or an empty directory). */
export async function backupEmbedded(dataDir: string, dest: string, opalVersion: string): Promise<BackupManifest & { dir: string }> {
  const source = join(dataDir, DB_FILE);
  if (!existsSync(source)) throw new NotFoundError(`no embedded database at ${source}`);
  const target = resolve(dest);
  if (existsSync(target) && readdirSync(target).length > 0) throw new ConflictError(`${target} is not empty`);
  const work = join(dirname(target), `.${basename(target)}.partial-${newCredential(21)}`);
  await mkdir(work, { recursive: true, mode: PRIVATE_DIR_MODE });
  const db = new SQLite(source, { fileMustExist: true, timeout: 10_000 });
  try {
    const snapshot = join(work, DB_FILE);
    let referenced: Referenced = { files: new Map(), rows: new Map() };
    for (let attempt = 1; ; attempt++) {
      await rm(snapshot, { force: true });
      // After the first (empty) step, the whole database in one step: one read transaction, so
      // the copy is one consistent state even while the server commits (WAL readers do not block).
      await db.backup(snapshot, { progress: () => 0x7fffffff });
      referenced = referencedBlobs(snapshot);
      let missing = 0;
      for (const key of referenced.files.keys()) {
        if (!(await copyPrivate(blobFilePath(join(dataDir, 'blobs'), key), blobFilePath(join(work, 'blobs'), key)))) missing++;
      }
      if (missing === 0) break;
      if (attempt === MAX_SNAPSHOTS) throw new Error(`${missing} blobs were freed during each of ${MAX_SNAPSHOTS} snapshots; try again`);
    }
    // Blobs copied for an earlier snapshot that the final one no longer references.
    let blobBytes = 0;
    for (const rel of await filesUnder(join(work, 'blobs'))) {
      if (!referenced.files.has(basename(rel))) await unlink(join(work, 'blobs', rel));
      else blobBytes += (await stat(join(work, 'blobs', rel))).size;
    }
    // A store encrypted at rest keeps its marker: a server on the restored copy refuses to start
    // without the key instead of serving ciphertext.
    await copyPrivate(join(dataDir, 'blobs', ENCRYPTED_MARKER), join(work, 'blobs', ENCRYPTED_MARKER));
    await chmod(snapshot, PRIVATE_FILE_MODE);
    await fsyncPath(snapshot);
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      createdAt: new Date().toISOString(),
      opalVersion,
      blobs: referenced.files.size + referenced.rows.size,
      // Rows are in the database file, and in databaseBytes.
      blobBytes,
      databaseBytes: (await stat(snapshot)).size,
    };
    await writeFile(join(work, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
    await fsyncPath(join(work, MANIFEST));
    if (existsSync(target)) await rm(target, { recursive: true });
    await rename(work, target);
    await fsyncPath(dirname(target));
    return { ...manifest, dir: target };
  } catch (e) {
    await rm(work, { recursive: true, force: true });
    throw e;
  } finally {
    db.close();
  }
}

/** Checks a backup directory: its manifest, SQLite's integrity check, every referenced blob and its size. */
async function verifyBackup(dir: string): Promise<{ manifest: BackupManifest; referenced: Referenced }> {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as BackupManifest;
  } catch {
    throw new InvalidInputError(`${dir} is not an Opal backup (no readable ${MANIFEST})`);
  }
  if (manifest.format !== BACKUP_FORMAT) throw new InvalidInputError(`${dir}: unknown backup format ${String(manifest.format)}`);
  const dbFile = join(dir, DB_FILE);
  if (!existsSync(dbFile)) throw new InvalidInputError(`${dir}: ${DB_FILE} is missing`);
  const db = new SQLite(dbFile, { readonly: true, fileMustExist: true });
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new InvalidInputError(`${dir}: ${DB_FILE} fails SQLite's integrity check: ${String(check)}`);
  } finally {
    db.close();
  }
  const referenced = referencedBlobs(dbFile);
  for (const [key, r] of referenced.rows) {
    const want = expectedStoredSize(r.head, r.size);
    if (r.stored !== want) throw new InvalidInputError(`${dir}: blob ${key} holds ${r.stored} bytes, not ${want}`);
  }
  for (const [key, size] of referenced.files) {
    const st = await stat(blobFilePath(join(dir, 'blobs'), key)).catch(() => undefined);
    if (!st) throw new InvalidInputError(`${dir}: blob ${key} is missing`);
    const want = await expectedFileSize(blobFilePath(join(dir, 'blobs'), key), size);
    if (st.size !== want) throw new InvalidInputError(`${dir}: blob ${key} holds ${st.size} bytes, not ${want}`);
  }
  return { manifest, referenced };
}

/** Restores a backup into `dataDir`, which must hold no database and no blobs. */
export async function restoreEmbedded(src: string, dataDir: string): Promise<BackupManifest & { dataDir: string }> {
  const dir = resolve(src);
  const { manifest, referenced } = await verifyBackup(dir);
  const dbFile = join(dataDir, DB_FILE);
  if (existsSync(dbFile) && (await stat(dbFile)).size > 0) {
    throw new ConflictError(`${dbFile} exists: restore only into a data directory without a database (move it away first)`);
  }
  const blobsDir = join(dataDir, 'blobs');
  if ((await filesUnder(blobsDir)).some((rel) => !rel.startsWith(`tmp/`))) {
    throw new ConflictError(`${blobsDir} holds blobs: restore only into an empty data directory`);
  }
  await mkdir(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  for (const key of referenced.files.keys()) await copyPrivate(blobFilePath(join(dir, 'blobs'), key), blobFilePath(blobsDir, key));
  await copyPrivate(join(dir, 'blobs', ENCRYPTED_MARKER), join(blobsDir, ENCRYPTED_MARKER));
  // The database last, under a temporary name: its presence means the restore is complete.
  const partial = `${dbFile}.restoring-${newCredential(21)}`;
  await copyPrivate(join(dir, DB_FILE), partial);
  for (const suffix of ['-wal', '-shm']) await rm(`${dbFile}${suffix}`, { force: true });
  await rename(partial, dbFile);
  await fsyncPath(dataDir);
  return { ...manifest, dataDir: resolve(dataDir) };
}
