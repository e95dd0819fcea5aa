// The read cache of small blobs (store/blobs/read-cache.ts): what it keeps, what it serves from
// memory (shown by removing the file underneath), its byte budget, and that a delete drops an entry.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { masterKeyOf } from '../../src/store/blobs/blob-cipher.ts';
import { BlobNotFoundError, type BlobStore } from '../../src/store/blobs/blob-store.ts';
import { EncryptedBlobStore } from '../../src/store/blobs/encrypted-blob-store.ts';
import { blobFilePath, FsBlobStore } from '../../src/store/blobs/fs-blob-store.ts';
import { READ_CACHE_MAX_ENTRY, ReadCachedBlobStore } from '../../src/store/blobs/read-cache.ts';
import { tmpDir } from '../helpers/env.ts';

let seq = 0;
const newKey = () => `rc${String(++seq).padStart(8, '0')}${randomBytes(4).toString('hex')}`;

describe('read cache over the filesystem store', () => {
  const dir = tmpDir('opal-read-cache-');
  const root = join(dir.path, 'blobs');
  let fs: FsBlobStore;
  const fileOf = (key: string) => blobFilePath(root, key);
  /** Stores `bytes` under a new key through `store`; returns the key. */
  const put = async (store: BlobStore, bytes: Buffer) => {
    const key = newKey();
    await store.put(key, Readable.from([bytes]));
    return key;
  };
  before(async () => {
    fs = await FsBlobStore.open(root);
  });
  after(async () => {
    await fs.close();
    dir.remove();
  });

  it('a whole small blob read once is then served from memory, whole or in part', async () => {
    const cache = new ReadCachedBlobStore(fs, 1024 * 1024);
    const bytes = randomBytes(4096);
    const key = await put(cache, bytes);
    assert.deepEqual(await cache.read(key, 0, bytes.length), bytes);
    rmSync(fileOf(key));
    assert.deepEqual(await cache.read(key, 0, bytes.length), bytes);
    assert.deepEqual(await cache.read(key, 100, 200), bytes.subarray(100, 300));
    await assert.rejects(fs.read(key, 0, bytes.length), BlobNotFoundError, 'the file is gone: the bytes came from memory');
  });

  it('keeps neither reads that do not start at the first byte nor reads over the entry limit', async () => {
    const cache = new ReadCachedBlobStore(fs, 8 * 1024 * 1024);
    const big = randomBytes(READ_CACHE_MAX_ENTRY + 1);
    const bigKey = await put(cache, big);
    assert.deepEqual(await cache.read(bigKey, 0, big.length), big);
    const small = randomBytes(1000);
    const tailKey = await put(cache, small);
    assert.deepEqual(await cache.read(tailKey, 10, 990), small.subarray(10));
    assert.equal(cache.heldBytes, 0);
    rmSync(fileOf(bigKey));
    rmSync(fileOf(tailKey));
    await assert.rejects(cache.read(bigKey, 0, big.length), BlobNotFoundError);
    await assert.rejects(cache.read(tailKey, 0, 10), BlobNotFoundError);
  });

  it('a read longer than the cached prefix goes to the store', async () => {
    const cache = new ReadCachedBlobStore(fs, 1024 * 1024);
    const bytes = randomBytes(2000);
    const key = await put(cache, bytes);
    assert.deepEqual(await cache.read(key, 0, 100), bytes.subarray(0, 100));
    assert.deepEqual(await cache.read(key, 0, 2000), bytes, 'not cut short to the 100 bytes held');
    rmSync(fileOf(key));
    assert.deepEqual(await cache.read(key, 0, 2000), bytes, 'the whole read replaced the prefix');
  });

  it('a delete drops the entry', async () => {
    const cache = new ReadCachedBlobStore(fs, 1024 * 1024);
    const key = await put(cache, randomBytes(500));
    await cache.read(key, 0, 500);
    assert.ok(cache.heldBytes >= 500);
    await cache.delete(key);
    assert.equal(cache.heldBytes, 0);
    await assert.rejects(cache.read(key, 0, 500), BlobNotFoundError);
  });

  it('holds no more than its budget, dropping the least recently used first', async () => {
    const budget = 3 * 4096 + 3 * 300;
    const cache = new ReadCachedBlobStore(fs, budget);
    const blobs = await Promise.all(
      [0, 1, 2, 3, 4].map(async () => {
        const bytes = randomBytes(4096);
        return { bytes, key: await put(cache, bytes) };
      }),
    );
    for (const b of blobs) await cache.read(b.key, 0, 4096);
    await cache.read(blobs[2]!.key, 0, 4096); // the most recently used now
    await cache.read(blobs[4]!.key, 0, 4096);
    assert.ok(cache.heldBytes <= budget, `${cache.heldBytes} bytes held, budget ${budget}`);
    assert.ok(cache.heldBytes >= 3 * 4096);
    for (const b of blobs) rmSync(fileOf(b.key));
    await assert.rejects(cache.read(blobs[0]!.key, 0, 4096), BlobNotFoundError);
    await assert.rejects(cache.read(blobs[1]!.key, 0, 4096), BlobNotFoundError);
    for (const i of [2, 3, 4]) assert.deepEqual(await cache.read(blobs[i]!.key, 0, 4096), blobs[i]!.bytes);
  });

  it('keeps a small read in memory of its own, not a slice of a shared pool', async () => {
    const cache = new ReadCachedBlobStore(fs, 1024 * 1024);
    const key = await put(cache, randomBytes(100));
    await cache.read(key, 0, 100);
    const again = await cache.read(key, 0, 100);
    assert.equal(again.buffer.byteLength, 100);
  });

  it('caches over a store that has only streams, and over encryption (the plaintext)', async () => {
    const streamsOnly: BlobStore = {
      put: (k, b) => fs.put(k, b),
      get: (k, r, o) => fs.get(k, r, o),
      size: (k) => fs.size(k),
      delete: (k) => fs.delete(k),
      check: () => fs.check(),
      close: async () => undefined,
    };
    const key = masterKeyOf(randomBytes(32));
    for (const inner of [streamsOnly, new EncryptedBlobStore(streamsOnly, { current: key, previous: [] })]) {
      const cache = new ReadCachedBlobStore(inner, 1024 * 1024);
      const bytes = randomBytes(3000);
      const k = await put(cache, bytes);
      assert.deepEqual(await cache.read(k, 0, 3000), bytes);
      rmSync(fileOf(k));
      assert.deepEqual(await cache.read(k, 0, 3000), bytes);
    }
  });
});
