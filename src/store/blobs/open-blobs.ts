import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE } from '../data-dir.ts';
import type { BlobStore } from './blob-store.ts';
import { EncryptedBlobStore, type Keyring } from './encrypted-blob-store.ts';
import { FsBlobStore } from './fs-blob-store.ts';

/**
 * A filesystem store that has held encrypted blobs carries this file: opening it without a key
 * is refused (it would serve ciphertext as object bytes).
 */
export const ENCRYPTED_MARKER = 'ENCRYPTED';

/**
 * Opens S3-compatible blobs for an s3:// URL, else the filesystem store under dataDir/blobs;
 * with a keyring, wrapped in encryption at rest.
 */
export async function openBlobs(blobUrl: string | undefined, dataDir: string, ring?: Keyring): Promise<BlobStore> {
  let inner: BlobStore;
  if (!blobUrl) {
    const root = join(dataDir, 'blobs');
    inner = await FsBlobStore.open(root);
    const marker = join(root, ENCRYPTED_MARKER);
    if (ring && !existsSync(marker))
      writeFileSync(marker, 'blobs here are encrypted at rest (docs/storage.md)\n', { mode: PRIVATE_FILE_MODE });
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
