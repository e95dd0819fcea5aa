import { join } from 'node:path';
import type { BlobStore } from './blob-store.ts';
import { FsBlobStore } from './fs-blob-store.ts';

/** Opens S3-compatible blobs for an s3:// URL, else the filesystem store under dataDir/blobs. */
export async function openBlobs(blobUrl: string | undefined, dataDir: string): Promise<BlobStore> {
  if (!blobUrl) return FsBlobStore.open(join(dataDir, 'blobs'));
  // Loaded only when used: the AWS SDK is the largest import and would slow every start-up.
  const { parseS3Url, S3BlobStore } = await import('./s3-blob-store.ts');
  return new S3BlobStore(parseS3Url(blobUrl));
}
