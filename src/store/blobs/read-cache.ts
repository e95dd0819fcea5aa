// Small blobs kept in memory (OPAL_FDS_READ_CACHE_MB): a GET of a small object answered from here
// makes no open, read or close. Blob keys are generated once and their bytes never change (a new
// object version is a new blob, and rekeying changes only how the bytes are wrapped), so an entry
// can never be stale: it needs no invalidation on any node, and a deleted blob's entry is only
// unreachable, since every GET still reads the object's metadata first. Entries are dropped when
// this node deletes the blob and, least recently used first, past the byte budget.

import type { Readable } from 'node:stream';
import { LRUCache } from 'lru-cache';
import { type BlobSender, type BlobStore, type ByteRange, type PutOptions, type PutResult, readBytes } from './blob-store.ts';

/** Reads of up to this many bytes from the start of a blob are cached. */
export const READ_CACHE_MAX_ENTRY = 64 * 1024;

/** What an entry costs beyond its bytes (key, buffer object, the LRU's slots), roughly. */
const ENTRY_OVERHEAD = 200;

export class ReadCachedBlobStore implements BlobStore {
  private readonly entries: LRUCache<string, Buffer>;
  readonly list?: () => AsyncIterable<string>;
  readonly openForSend?: (key: string, range: ByteRange) => Promise<BlobSender>;

  constructor(
    private readonly inner: BlobStore,
    budgetBytes: number,
  ) {
    this.entries = new LRUCache<string, Buffer>({
      maxSize: budgetBytes,
      sizeCalculation: (b, key) => b.length + key.length + ENTRY_OVERHEAD,
    });
    const list = inner.list?.bind(inner);
    if (list) this.list = list;
    const openForSend = inner.openForSend?.bind(inner);
    if (openForSend) this.openForSend = openForSend;
  }

  /** Bytes held, as the budget counts them. */
  get heldBytes(): number {
    return this.entries.calculatedSize;
  }

  put(key: string, body: Readable, options?: PutOptions): Promise<PutResult> {
    return this.inner.put(key, body, options);
  }

  get(key: string, range?: ByteRange, options?: { readSize?: number }): Promise<Readable> {
    return this.inner.get(key, range, options);
  }

  /**
   * `length` bytes from `start`: from a cached prefix of the blob when it covers them, else from
   * the store (a read from the start of at most READ_CACHE_MAX_ENTRY bytes is then kept). The
   * buffer may be shared with other readers: never write into it.
   */
  async read(key: string, start: number, length: number): Promise<Buffer> {
    const hit = this.entries.get(key);
    if (hit && start + length <= hit.length) return hit.subarray(start, start + length);
    const bytes = await readBytes(this.inner, key, start, length);
    if (start === 0 && length <= READ_CACHE_MAX_ENTRY && bytes.length === length) this.entries.set(key, ownCopy(bytes));
    return bytes;
  }

  size(key: string): Promise<number | undefined> {
    return this.inner.size(key);
  }

  async delete(key: string): Promise<void> {
    await this.inner.delete(key);
    // After the store's delete: a read that began before it may have cached the bytes meanwhile.
    this.entries.delete(key);
  }

  check(): Promise<void> {
    return this.inner.check();
  }

  close(): Promise<void> {
    this.entries.clear();
    return this.inner.close();
  }
}

/**
 * A buffer that owns its memory: a small Buffer.allocUnsafe() is a slice of a shared 8 KiB pool,
 * and keeping it would keep the whole pool alive unaccounted.
 */
function ownCopy(b: Buffer): Buffer {
  if (b.byteOffset === 0 && b.buffer.byteLength === b.length) return b;
  const own = Buffer.allocUnsafeSlow(b.length);
  b.copy(own);
  return own;
}
