// FDS bytes and their metadata together: a body streams into a new blob with a pending
// collection entry (so a crash leaves nothing the sweeper cannot find), and blobs are freed only
// after the metadata that referenced them is gone.
import type { Readable } from 'node:stream';
import { FdsError } from '../../core/fds/errors.ts';
import { type BlobStore, BlobStoreFullError } from '../../store/blobs/blob-store.ts';
import type { FdsRepos } from '../../store/db/fds/repos.ts';
import { newBlobKey } from './ids.ts';

export interface StoredBlob {
  key: string;
  size: number;
  md5: string;
}

export class FdsStorage {
  constructor(
    readonly repos: FdsRepos,
    private readonly blobs: () => BlobStore,
    readonly now: () => number = Date.now,
  ) {}

  /**
   * Streams a body into a new blob (durable on return); checks Content-MD5 when given. `size`:
   * the body's length (or a bound of it) when known beforehand, which lets the store choose where
   * the blob goes before reading it.
   */
  async storeBlob(body: Readable, expectMd5?: string, size?: number): Promise<StoredBlob> {
    const key = newBlobKey();
    await this.repos.blobGc.pending(key);
    let r: { size: number; md5: string };
    try {
      r = await this.blobs().put(key, body, size === undefined ? undefined : { size });
    } catch (e) {
      await this.discard(key);
      // A full disk refuses this upload whole, in FDS's shape; reads and smaller writes go on.
      if (e instanceof BlobStoreFullError)
        throw new FdsError('InsufficientStorage', 'no space left to store the object; nothing was stored');
      throw e;
    }
    if (expectMd5 !== undefined && expectMd5 !== r.md5) {
      await this.discard(key);
      throw new FdsError('ChecksumDoesNotMatch', `Content-MD5 ${expectMd5} but the body hashes to ${r.md5}`);
    }
    return { key, ...r };
  }

  /** Deletes a blob that metadata never referenced. */
  async discard(key: string): Promise<void> {
    await this.blobs()
      .delete(key)
      .catch(() => undefined);
    await this.repos.blobGc.drop(key).catch(() => undefined);
  }

  /** Frees blobs already queued as dead (after their metadata commit); the sweeper retries failures. */
  async free(keys: string[]): Promise<void> {
    for (const key of keys) {
      try {
        await this.blobs().delete(key);
        await this.repos.blobGc.drop(key);
      } catch {
        /* left for the sweeper */
      }
    }
  }
}
