// The derived-blob cache of processed images (fds_derived): one entry per source version and
// canonical parameters, stored as a blob like any object's bytes. Only current versions are
// cached; an entry whose source is overwritten, deleted or renamed is collected by the sweeper
// (and at once when the cache is over its size), and the least recently used entries go first
// when the total exceeds maxBytes.
import { Readable } from 'node:stream';
import type { BlobStore } from '../../store/blobs/blob-store.ts';
import type { Derived } from '../../store/db/fds/repos.ts';
import type { FdsStorage } from './storage.ts';

/** A hit refreshes its last-use time at most this often (no write per request). */
const TOUCH_EVERY_MS = 60_000;
const BATCH = 100;

export class FdsDerivedCache {
  constructor(
    private readonly storage: FdsStorage,
    private readonly blobs: () => BlobStore,
    readonly maxBytes: number,
  ) {}

  private get repo() {
    return this.storage.repos.derived;
  }

  /** The cached result and a stream of its bytes, or undefined. */
  async lookup(versionId: string, params: string): Promise<{ row: Derived; body: Readable } | undefined> {
    const row = await this.repo.get(versionId, params);
    if (!row) return undefined;
    let body: Readable;
    try {
      body = row.size === 0 ? Readable.from([]) : await this.blobs().get(row.blob_key);
    } catch {
      return undefined; // collected meanwhile: render again
    }
    if (this.storage.now() - row.used_at > TOUCH_EVERY_MS) await this.repo.touch(versionId, params).catch(() => undefined);
    return { row, body };
  }

  /** Stores a result for a current version (a lost race or a replaced source keeps nothing), then trims. */
  async store(versionId: string, params: string, data: Buffer, contentType: string): Promise<void> {
    if (data.length > this.maxBytes) return;
    const blob = await this.storage.storeBlob(Readable.from([data]));
    const added = await this.repo
      .add({ source_version_id: versionId, params, blob_key: blob.key, size: blob.size, content_type: contentType })
      .catch(() => false);
    if (!added) {
      await this.storage.discard(blob.key);
      return;
    }
    await this.trim();
  }

  /** Drops least recently used entries until the total is within maxBytes. */
  async trim(): Promise<void> {
    for (let total = await this.repo.totalSize(); total > this.maxBytes; ) {
      const rows = await this.repo.oldest(BATCH);
      if (rows.length === 0) return;
      let drop = 0;
      const victims: Derived[] = [];
      for (const r of rows) {
        if (total - drop <= this.maxBytes) break;
        victims.push(r);
        drop += r.size;
      }
      await this.storage.free(await this.repo.remove(victims));
      total = await this.repo.totalSize();
    }
  }

  /** Sweeper pass: entries of versions no longer current, then the size bound. */
  async collect(): Promise<void> {
    for (;;) {
      const rows = await this.repo.orphaned(BATCH);
      if (rows.length > 0) await this.storage.free(await this.repo.remove(rows));
      if (rows.length < BATCH) break;
    }
    await this.trim();
  }
}
