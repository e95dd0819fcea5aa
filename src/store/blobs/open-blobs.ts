import { closeSync, existsSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE } from '../data-dir.ts';
import type { Db } from '../db/connect.ts';
import type { BlobStore } from './blob-store.ts';
import { EncryptedBlobStore, type Keyring } from './encrypted-blob-store.ts';
import { FsBlobStore } from './fs-blob-store.ts';
import { SmallBlobStore } from './small-blob-store.ts';

/**
 * A filesystem store that has held encrypted blobs carries this file: opening it without a key
 * is refused (it would serve ciphertext as object bytes).
 */
export const ENCRYPTED_MARKER = 'ENCRYPTED';

/** Writes `file` in `dir` and syncs both, before any encrypted blob can be written beside it. */
function writeDurably(dir: string, file: string, text: string): void {
  const fd = openSync(file, 'w', PRIVATE_FILE_MODE);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const d = openSync(dir, 'r');
  try {
    fsyncSync(d);
  } finally {
    closeSync(d);
  }
}

/**
 * Opens S3-compatible blobs for an s3:// URL, else the filesystem store under dataDir/blobs;
 * with a keyring, wrapped in encryption at rest.
 */
/** `db`: the database, whose small-blob rows the embedded store reads and writes (absent: files only). */
export async function openBlobs(
  blobUrl: string | undefined,
  dataDir: string,
  ring: Keyring | undefined,
  db: Db | undefined,
): Promise<BlobStore> {
  let inner: BlobStore;
  if (!blobUrl) {
    const root = join(dataDir, 'blobs');
    const files = await FsBlobStore.open(root);
    // The embedded store keeps small blobs in its database (small-blob-store.ts); with PostgreSQL
    // every blob stays a file, so that nodes of different versions side by side find them.
    inner = db?.dialect === 'sqlite' ? new SmallBlobStore(files, db.kysely) : files;
    const marker = join(root, ENCRYPTED_MARKER);
    if (ring && !existsSync(marker)) writeDurably(root, marker, 'blobs here are encrypted at rest (docs/storage.md)\n');
    if (!ring && existsSync(marker)) {
      await inner.close();
      throw new Error(`${root} holds encrypted blobs: set OPAL_BLOB_ENCRYPTION_KEY or OPAL_BLOB_ENCRYPTION_KEY_FILE`);
    }
  } else {
    // Loaded only when used: the AWS SDK is the largest import and would slow every start-up.
    const { parseS3Url, S3BlobStore } = await import('./s3-blob-store.ts');
    inner = new S3BlobStore(parseS3Url(blobUrl));
  }
  return ring ? new EncryptedBlobStore(inner, ring) : inner;
}
