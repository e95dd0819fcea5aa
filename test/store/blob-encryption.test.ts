// Encryption at rest (store/blobs/encrypted-blob-store.ts) on the filesystem and S3 stores: every
// size around chunk boundaries round-trips, every range reads right, damage and truncation fail,
// rekey rewraps without touching the chunks. The HTTP behaviour is in test/sites/fds/encryption.test.ts.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { BlobIntegrityError, CHUNK_SIZE, HEADER_SIZE, masterKeyOf, storedSizeOf } from '../../src/store/blobs/blob-cipher.ts';
import { BlobNotFoundError } from '../../src/store/blobs/blob-store.ts';
import { EncryptedBlobStore } from '../../src/store/blobs/encrypted-blob-store.ts';
import { blobFilePath, FsBlobStore } from '../../src/store/blobs/fs-blob-store.ts';
import { parseS3Url, S3BlobStore } from '../../src/store/blobs/s3-blob-store.ts';
import { tmpDir } from '../helpers/env.ts';
import { startS3rver } from '../helpers/s3rver.ts';

async function readAll(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Feeds `data` in uneven pieces, so chunking does not depend on how the body arrives. */
function uneven(data: Buffer): Readable {
  const parts: Buffer[] = [];
  for (let at = 0, n = 1; at < data.length; n = (n * 7 + 13) % 50_000) {
    parts.push(data.subarray(at, at + n + 1));
    at += n + 1;
  }
  return Readable.from(parts);
}

const k1 = masterKeyOf(randomBytes(32));
const k2 = masterKeyOf(randomBytes(32));
const SIZES = [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE, 3 * CHUNK_SIZE + 1000];

describe('encrypted blob store on the filesystem', () => {
  const dir = tmpDir('opal-enc-');
  const root = join(dir.path, 'blobs');
  let inner: FsBlobStore;
  let store: EncryptedBlobStore;
  const fileOf = (key: string) => blobFilePath(root, key);
  before(async () => {
    inner = await FsBlobStore.open(root);
    store = new EncryptedBlobStore(inner, { current: k1, previous: [] });
  });
  after(async () => {
    await store.close();
    dir.remove();
  });

  for (const size of SIZES) {
    it(`round-trips ${size} bytes with the plaintext's size and MD5; every boundary range reads right`, async () => {
      const data = randomBytes(size);
      const key = `size-${String(size).padStart(8, '0')}`;
      const put = await store.put(key, uneven(data));
      assert.deepEqual(put, { size, md5: createHash('md5').update(data).digest('hex') });
      const onDisk = readFileSync(fileOf(key));
      assert.equal(onDisk.length, storedSizeOf(size));
      if (size >= 32) assert.equal(onDisk.indexOf(data.subarray(0, 32)), -1, 'plaintext is not on disk');
      assert.equal(await store.size(key), size);
      assert.ok((await readAll(await store.get(key))).equals(data));
      const edges = [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE + 5, size - 2, size - 1].filter(
        (x) => x >= 0 && x < size,
      );
      for (const s of edges) {
        for (const e of edges) {
          if (e < s) continue;
          const want = data.subarray(s, e + 1);
          assert.ok((await readAll(await store.get(key, { start: s, end: e }))).equals(want), `get ${s}-${e}`);
          assert.ok((await store.read(key, s, e - s + 1)).equals(want), `read ${s}-${e}`);
        }
      }
    });
  }

  it('a flipped byte anywhere (header, a chunk, a tag) fails with BlobIntegrityError, never other bytes', async () => {
    const data = randomBytes(3 * CHUNK_SIZE + 10);
    await store.put('flip-00000001', Readable.from([data]));
    const good = readFileSync(fileOf('flip-00000001'));
    for (const at of [3, 14, 40, 70, 84, HEADER_SIZE + 5, HEADER_SIZE + CHUNK_SIZE + 20, good.length - 1]) {
      const bad = Buffer.from(good);
      bad[at] = (bad[at] as number) ^ 0x01;
      writeFileSync(fileOf('flip-00000001'), bad);
      await assert.rejects(async () => readAll(await store.get('flip-00000001')), BlobIntegrityError, `byte ${at}`);
    }
    writeFileSync(fileOf('flip-00000001'), good);
    assert.ok((await readAll(await store.get('flip-00000001'))).equals(data));
  });

  it('truncation at a chunk boundary, a header swapped from another blob and a missing blob are refused', async () => {
    const data = randomBytes(2 * CHUNK_SIZE + 7);
    await store.put('trunc-00000001', Readable.from([data]));
    await store.put('other-00000001', Readable.from([data]));
    const full = readFileSync(fileOf('trunc-00000001'));
    // Drop the last chunk: the remaining layout is that of a 2-chunk blob whose last chunk lacks its final flag.
    truncateSync(fileOf('trunc-00000001'), HEADER_SIZE + 2 * (CHUNK_SIZE + 16));
    await assert.rejects(async () => readAll(await store.get('trunc-00000001')), BlobIntegrityError);
    const swapped = Buffer.concat([readFileSync(fileOf('other-00000001')).subarray(0, HEADER_SIZE), full.subarray(HEADER_SIZE)]);
    writeFileSync(fileOf('trunc-00000001'), swapped);
    await assert.rejects(() => store.read('trunc-00000001', 0, 10), BlobIntegrityError);
    await assert.rejects(() => store.get('absent-00000001'), BlobNotFoundError);
    assert.equal(await store.size('absent-00000001'), undefined);
  });

  it('rekey rewraps under the new key (chunks unchanged), is idempotent, and the old key alone is refused after', async () => {
    const data = randomBytes(CHUNK_SIZE + 99);
    await store.put('rekey-00000001', Readable.from([data]));
    const before = readFileSync(fileOf('rekey-00000001'));
    const rotating = new EncryptedBlobStore(inner, { current: k2, previous: [k1] });
    assert.equal(await rotating.rekey('rekey-00000001'), true);
    assert.equal(await rotating.rekey('rekey-00000001'), false, 'already under the new key');
    assert.equal(await rotating.rekey('gone-00000001'), false, 'a missing blob is skipped');
    const after = readFileSync(fileOf('rekey-00000001'));
    assert.ok(after.subarray(HEADER_SIZE).equals(before.subarray(HEADER_SIZE)), 'chunks copied unchanged');
    assert.ok(!after.subarray(0, HEADER_SIZE).equals(before.subarray(0, HEADER_SIZE)));
    const onlyNew = new EncryptedBlobStore(inner, { current: k2, previous: [] });
    assert.ok((await readAll(await onlyNew.get('rekey-00000001'))).equals(data));
    await assert.rejects(() => store.read('rekey-00000001', 0, 5), /not configured/);
    const keys: string[] = [];
    for await (const k of rotating.keysOf()) keys.push(k);
    assert.ok(keys.includes('rekey-00000001') && keys.includes('size-00000000'));
  });
});

describe('encrypted blob store on S3 (s3rver)', () => {
  let s3: Awaited<ReturnType<typeof startS3rver>>;
  let store: EncryptedBlobStore;
  before(async () => {
    s3 = await startS3rver('opal-enc');
    store = new EncryptedBlobStore(new S3BlobStore(parseS3Url(s3.url('p'))), { current: k1, previous: [] });
  });
  after(async () => {
    await store?.close();
    await s3?.close();
  });

  it('round-trips, reads ranges across chunks (no read(): headers come by ranged GET), lists and rekeys', async () => {
    const data = randomBytes(2 * CHUNK_SIZE + 500);
    await store.put('s3enc-00000001', uneven(data));
    assert.equal(await store.size('s3enc-00000001'), data.length);
    assert.ok((await readAll(await store.get('s3enc-00000001'))).equals(data));
    for (const [s, e] of [
      [CHUNK_SIZE - 3, CHUNK_SIZE + 3],
      [2 * CHUNK_SIZE, data.length - 1],
      [10, 2 * CHUNK_SIZE + 100],
    ] as const) {
      assert.ok((await readAll(await store.get('s3enc-00000001', { start: s, end: e }))).equals(data.subarray(s, e + 1)));
    }
    const rotating = new EncryptedBlobStore(new S3BlobStore(parseS3Url(s3.url('p'))), { current: k2, previous: [k1] });
    const keys: string[] = [];
    for await (const k of rotating.keysOf()) keys.push(k);
    assert.deepEqual(keys, ['s3enc-00000001']);
    assert.equal(await rotating.rekey('s3enc-00000001'), true);
    assert.ok((await readAll(await rotating.get('s3enc-00000001'))).equals(data));
    await rotating.close();
  });
});
