// The same blob suite on the filesystem store and on an S3-compatible server (s3rver, in process).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { BlobNotFoundError, type BlobStore } from '../../src/store/blobs/blob-store.ts';
import { FsBlobStore } from '../../src/store/blobs/fs-blob-store.ts';
import { parseS3Url, S3BlobStore } from '../../src/store/blobs/s3-blob-store.ts';
import { SmallBlobStore } from '../../src/store/blobs/small-blob-store.ts';
import { openDb } from '../../src/store/db/connect.ts';
import { migrate } from '../../src/store/db/migrate.ts';
import { tmpDir } from '../helpers/env.ts';
import { startS3rver } from '../helpers/s3rver.ts';

async function readAll(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function md5Of(r: Readable): Promise<{ md5: string; size: number }> {
  const h = createHash('md5');
  let size = 0;
  for await (const c of r) {
    h.update(c as Buffer);
    size += (c as Buffer).length;
  }
  return { md5: h.digest('hex'), size };
}

/** A stream of `total` pseudo-random bytes in 64 KiB chunks; `hash` holds their MD5 once read. */
function randomStream(total: number): { stream: Readable; digest: () => string } {
  const h = createHash('md5');
  let sent = 0;
  const block = randomBytes(64 * 1024);
  const stream = new Readable({
    read() {
      if (sent >= total) return this.push(null);
      const n = Math.min(block.length, total - sent);
      // Vary every chunk so that a misplaced chunk changes the digest.
      const chunk = Buffer.from(block.subarray(0, n));
      chunk.writeUInt32BE(sent >>> 0, 0);
      sent += n;
      h.update(chunk);
      this.push(chunk);
    },
  });
  return { stream, digest: () => h.digest('hex') };
}

/** A stream that sends some bytes and then fails. */
function failingStream(): Readable {
  let n = 0;
  return new Readable({
    read() {
      n++;
      if (n <= 3) this.push(randomBytes(16 * 1024));
      else this.destroy(new Error('client went away'));
    },
  });
}

/** The files under a filesystem store's tmp/ (uploads in progress, or left behind). */
function tmpFilesUnder(root: string): string[] {
  return readdirSync(join(root, 'tmp'), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => d.name);
}

interface Backend {
  name: string;
  open(): Promise<{ store: BlobStore; tmpFiles?: () => string[]; close(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'filesystem',
    async open() {
      const dir = tmpDir('opal-blobs-');
      const root = join(dir.path, 'blobs');
      const store = await FsBlobStore.open(root);
      return {
        store,
        tmpFiles: () => tmpFilesUnder(root),
        async close() {
          await store.close();
          dir.remove();
        },
      };
    },
  },
  {
    name: 'filesystem, small blobs in SQLite',
    async open() {
      const dir = tmpDir('opal-small-blobs-');
      const root = join(dir.path, 'blobs');
      const db = await openDb({ dataDir: dir.path });
      await migrate(db);
      const store = new SmallBlobStore(await FsBlobStore.open(root), db.kysely);
      return {
        store,
        tmpFiles: () => tmpFilesUnder(root),
        async close() {
          await store.close();
          await db.close();
          dir.remove();
        },
      };
    },
  },
  {
    name: 's3 (s3rver)',
    async open() {
      const s3 = await startS3rver('opal-test');
      const store = new S3BlobStore(parseS3Url(s3.url('some/prefix')));
      return {
        store,
        async close() {
          await store.close();
          await s3.close();
        },
      };
    },
  },
];

for (const backend of backends) {
  describe(`blob store on ${backend.name}`, () => {
    let b: Awaited<ReturnType<Backend['open']>>;
    before(async () => {
      b = await backend.open();
    });
    after(async () => {
      await b?.close();
    });

    it('is reachable', async () => {
      await b.store.check();
    });

    it('puts, gets, sizes and deletes a blob', async () => {
      const body = Buffer.from('hello, opal blobs\n'.repeat(100));
      const r = await b.store.put('key-00000001', Readable.from([body.subarray(0, 700), body.subarray(700)]));
      assert.deepEqual(r, { size: body.length, md5: createHash('md5').update(body).digest('hex') });
      assert.equal(await b.store.size('key-00000001'), body.length);
      assert.deepEqual(await readAll(await b.store.get('key-00000001')), body);
      await b.store.delete('key-00000001');
      assert.equal(await b.store.size('key-00000001'), undefined);
      await assert.rejects(b.store.get('key-00000001'), BlobNotFoundError);
      // Deleting an absent key is fine.
      await b.store.delete('key-00000001');
    });

    it('stores an empty blob', async () => {
      const r = await b.store.put('key-empty-1', Readable.from([]));
      assert.deepEqual(r, { size: 0, md5: 'd41d8cd98f00b204e9800998ecf8427e' });
      assert.equal(await b.store.size('key-empty-1'), 0);
      assert.equal((await readAll(await b.store.get('key-empty-1'))).length, 0);
    });

    it('reads byte ranges (inclusive ends)', async () => {
      const body = Buffer.from('0123456789abcdefghij');
      await b.store.put('key-range-1', Readable.from([body]));
      // (A range ending at byte 0 is left out: s3rver 3.7 reads `end: 0` as "to the end".)
      assert.equal((await readAll(await b.store.get('key-range-1', { start: 0, end: 1 }))).toString(), '01');
      assert.equal((await readAll(await b.store.get('key-range-1', { start: 3, end: 3 }))).toString(), '3');
      assert.equal((await readAll(await b.store.get('key-range-1', { start: 5, end: 9 }))).toString(), '56789');
      assert.equal((await readAll(await b.store.get('key-range-1', { start: 15, end: 19 }))).toString(), 'fghij');
    });

    it('reads a small blob or a range of it in one buffer where the store can (read)', {
      skip: !backend.name.startsWith('filesystem') && 'filesystem store only',
    }, async () => {
      const read = b.store.read?.bind(b.store);
      assert.ok(read, 'the filesystem store reads small blobs in one go');
      const body = Buffer.from('0123456789abcdefghij');
      await b.store.put('key-read-1', Readable.from([body]));
      assert.equal((await read('key-read-1', 0, 20)).toString(), '0123456789abcdefghij');
      assert.equal((await read('key-read-1', 5, 5)).toString(), '56789');
      await assert.rejects(read('key-read-1', 15, 10), /shorter than 25 bytes/);
      await assert.rejects(read('key-read-none', 0, 1), BlobNotFoundError);
    });

    it('replaces a blob written again under the same key', async () => {
      await b.store.put('key-over-1', Readable.from([Buffer.from('first version')]));
      await b.store.put('key-over-1', Readable.from([Buffer.from('second')]));
      assert.equal((await readAll(await b.store.get('key-over-1'))).toString(), 'second');
      assert.equal(await b.store.size('key-over-1'), 6);
    });

    it('a failing input stream leaves nothing behind', async () => {
      await assert.rejects(b.store.put('key-fail-01', failingStream()), /client went away/);
      assert.equal(await b.store.size('key-fail-01'), undefined);
      await assert.rejects(b.store.get('key-fail-01'), BlobNotFoundError);
      if (b.tmpFiles) assert.deepEqual(b.tmpFiles(), []);
    });

    it('refuses keys outside [A-Za-z0-9_-]{8,128}', async () => {
      for (const key of ['../../etc/passwd', 'short', 'a/b/c/d/e/f', `k${'x'.repeat(128)}`, 'key with space']) {
        await assert.rejects(b.store.put(key, Readable.from([Buffer.from('x')])), /invalid blob key/, key);
        await assert.rejects(b.store.get(key), /invalid blob key/, key);
      }
    });

    it('streams a 20 MiB blob in and out with a matching MD5', async () => {
      const total = 20 * 1024 * 1024;
      const src = randomStream(total);
      const r = await b.store.put('key-large-20m', src.stream);
      const expected = src.digest();
      assert.deepEqual(r, { size: total, md5: expected });
      assert.equal(await b.store.size('key-large-20m'), total);
      assert.deepEqual(await md5Of(await b.store.get('key-large-20m')), { md5: expected, size: total });
      const tail = await readAll(await b.store.get('key-large-20m', { start: total - 10, end: total - 1 }));
      assert.equal(tail.length, 10);
      await b.store.delete('key-large-20m');
    });

    if (backend.name === 'filesystem') {
      it("opening a store leaves another live process's uploads alone and removes a dead one's", async () => {
        const root = join(tmpDir('opal-blobs-tmp-').path, 'blobs');
        const first = await FsBlobStore.open(root);
        // An upload in progress in this (live) process…
        let push: (c: Buffer | null) => void = () => undefined;
        const slow = new Readable({ read() {} });
        push = (c) => slow.push(c);
        push(Buffer.from('part one, '));
        const pending = first.put('key-inflight', slow);
        // …and the leftovers of a process that no longer runs.
        const dead = join(root, 'tmp', '999999999.leftover');
        mkdirSync(dead);
        writeFileSync(join(dead, 'key-dead-1.x'), 'partial');
        const second = await FsBlobStore.open(root);
        assert.equal(existsSync(dead), false, 'dead process leftovers removed');
        push(Buffer.from('part two'));
        push(null);
        assert.equal((await pending).size, 18);
        assert.equal((await readAll(await second.get('key-inflight'))).toString(), 'part one, part two');
        await first.close();
        await second.close();
        assert.deepEqual(readdirSync(join(root, 'tmp')), []);
      });

      it('a read in progress finishes when the blob is deleted meanwhile', async () => {
        const total = 4 * 1024 * 1024;
        const src = randomStream(total);
        await b.store.put('key-del-read', src.stream);
        const expected = src.digest();
        const stream = await b.store.get('key-del-read');
        const h = createHash('md5');
        let size = 0;
        let deleted = false;
        for await (const c of stream) {
          h.update(c as Buffer);
          size += (c as Buffer).length;
          if (!deleted) {
            deleted = true;
            await b.store.delete('key-del-read');
            assert.equal(await b.store.size('key-del-read'), undefined);
          }
        }
        assert.ok(deleted);
        assert.equal(size, total);
        assert.equal(h.digest('hex'), expected);
        await assert.rejects(b.store.get('key-del-read'), BlobNotFoundError);
      });
    }
  });
}
