import { join } from 'node:path';
import type { BlobStore } from './blob-store.ts';
import { FsBlobStore } from './fs-blob-store.ts';
import { parseS3Url, S3BlobStore } from './s3-blob-store.ts';

export async function openBlobs(blobUrl: string | undefined, dataDir: string): Promise<BlobStore> {
  return blobUrl ? new S3BlobStore(parseS3Url(blobUrl)) : FsBlobStore.open(join(dataDir, 'blobs'));
}
