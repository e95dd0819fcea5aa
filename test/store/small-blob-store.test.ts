// Small blobs in the embedded database (store/blobs/small-blob-store.ts): which blobs become rows
// and which files, a body longer than it said or than the limit, bodies that fail before or
// after the limit, replacement in place (rekey), listing, and sending a row's range; a row is
// acknowledged only once the log's sync is done, and a full database is a full blob store.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Kysely, sql } from 'kysely';
import { BlobNotFoundError, BlobStoreFullError } from '../../src/store/blobs/blob-store.ts';
import { blobFilePath, FsBlobStore } from '../../src/store/blobs/fs-blob-store.ts';
import { SMALL_BLOB_MAX, SmallBlobStore } from '../../src/store/blobs/small-blob-store.ts';
import { type Db, openDb } from '../../src/store/db/connect.ts';
import { migrate } from '../../src/store/db/migrate.ts';
import type { Database } from '../../src/store/db/schema.ts';
import { SqliteStoreDialect } from '../../src/store/db/sqlite-dialect.ts';
import { tmpDir } from '../helpers/env.ts';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** `body` in pieces of `piece` bytes. */
function pieces(body: Buffer, piece: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += piece) parts.push(body.subarray(i, i + piece));
  return Readable.from(parts);
}

async function readAll(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('small blobs in the embedded database', () => {
  const dir = tmpDir('opal-small-blob-store-');
  const root = join(dir.path, 'blobs');
  let db: Db;
  let store: SmallBlobStore;
  const isRow = async (key: string) =>
    (await db.kysely.selectFrom('fds_small_blobs').select('blob_key').where('blob_key', '=', key).executeTakeFirst()) !== undefined;
  const isFile = (key: string) => existsSync(blobFilePath(root, key));
  const tmpFiles = () => readdirSync(join(root, 'tmp'), { recursive: true, withFileTypes: true }).filter((d) => d.isFile());

  before(async () => {
    db = await openDb({ dataDir: dir.path });
    await migrate(db);
    store = new SmallBlobStore(await FsBlobStore.open(root), db.kysely);
  });
  after(async () => {
    await store.close();
    await db.close();
    dir.remove();
  });

  it('a body up to SMALL_BLOB_MAX is a row, with or without its size told; a larger one a file', async () => {
    const small = randomBytes(4096);
    assert.deepEqual(await store.put('small-told-1', Readable.from([small]), { size: small.length }), { size: 4096, md5: md5(small) });
    assert.deepEqual(await store.put('small-untold-1', pieces(small, 1000)), { size: 4096, md5: md5(small) });
    const edge = randomBytes(SMALL_BLOB_MAX);
    await store.put('small-edge-1', pieces(edge, 16 * 1024));
    const big = randomBytes(SMALL_BLOB_MAX + 1);
    await store.put('big-told-1', Readable.from([big]), { size: big.length });
    for (const key of ['small-told-1', 'small-untold-1', 'small-edge-1']) {
      assert.ok(await isRow(key), key);
      assert.ok(!isFile(key), key);
    }
    assert.ok(!(await isRow('big-told-1')));
    assert.ok(isFile('big-told-1'));
    assert.deepEqual(await readAll(await store.get('small-told-1')), small);
    assert.deepEqual(await readAll(await store.get('small-edge-1')), edge);
    assert.deepEqual(await readAll(await store.get('big-told-1')), big);
    assert.equal(await store.size('small-edge-1'), SMALL_BLOB_MAX);
  });

  it('the size told decides before the body is read: over the limit, a file however short the body', async () => {
    await store.put('told-large-1', Readable.from([Buffer.from('tiny')]), { size: SMALL_BLOB_MAX + 1 });
    assert.ok(!(await isRow('told-large-1')));
    assert.ok(isFile('told-large-1'));
  });

  it('a body that grows past the limit, its size untold or understated, goes on to a file whole', async () => {
    const body = randomBytes(3 * SMALL_BLOB_MAX + 123);
    for (const [key, options] of [
      ['grown-untold-1', undefined],
      ['grown-understated-1', { size: 10 }],
    ] as const) {
      assert.deepEqual(await store.put(key, pieces(body, 30_000), options), { size: body.length, md5: md5(body) }, key);
      assert.ok(!(await isRow(key)), key);
      assert.ok(isFile(key), key);
      assert.deepEqual(await readAll(await store.get(key)), body, key);
    }
  });

  it('a body that failed before the put (a trailer check at its end) rejects with its error and leaves nothing', async () => {
    const failing = new Transform({
      transform: (c, _e, cb) => cb(null, c),
      flush: (cb) => cb(new Error('trailer does not match')),
    });
    failing.on('error', () => undefined);
    failing.end(Buffer.from('short body'));
    await new Promise((r) => setImmediate(r));
    assert.ok(failing.destroyed, 'the body failed before the put began');
    await assert.rejects(store.put('failed-before-1', failing), /trailer does not match/);
    assert.ok(!(await isRow('failed-before-1')));
    assert.equal(await store.size('failed-before-1'), undefined);
  });

  it('a body that fails before or after the limit leaves no row, no file and no temporary file', async () => {
    for (const [key, before] of [
      ['fails-small-1', 1000],
      ['fails-large-1', SMALL_BLOB_MAX + 5000],
    ] as const) {
      const body = new PassThrough();
      body.write(randomBytes(before));
      const put = store.put(key, body);
      setImmediate(() => body.destroy(new Error('client went away')));
      await assert.rejects(put, /client went away/, key);
      assert.ok(!(await isRow(key)), key);
      assert.ok(!isFile(key), key);
    }
    assert.deepEqual(tmpFiles(), []);
  });

  it('a replacement (rekey) stays where the blob is: a row a row, a file a file', async () => {
    await store.put('replace-row-1', Readable.from([Buffer.from('old row bytes')]));
    const longer = randomBytes(SMALL_BLOB_MAX + 100); // a header and tags may make it a little larger
    await store.put('replace-row-1', Readable.from([longer]), { replace: true });
    assert.ok(await isRow('replace-row-1'));
    assert.deepEqual(await readAll(await store.get('replace-row-1')), longer);
    // Never a row replaced by a file (a crash between the two would leave the old row, read first).
    await assert.rejects(store.put('replace-row-1', pieces(randomBytes(3 * SMALL_BLOB_MAX), 30_000), { replace: true }), /replacement/);
    assert.deepEqual(await readAll(await store.get('replace-row-1')), longer);
    assert.ok(!isFile('replace-row-1'));

    const big = randomBytes(SMALL_BLOB_MAX + 1);
    await store.put('replace-file-1', Readable.from([big]));
    await store.put('replace-file-1', Readable.from([Buffer.from('now small')]), { replace: true });
    assert.ok(!(await isRow('replace-file-1')), 'no row beside the file');
    assert.ok(isFile('replace-file-1'));
    assert.equal((await readAll(await store.get('replace-file-1'))).toString(), 'now small');
  });

  it('reads, sends and deletes rows; lists rows and files', async () => {
    const body = Buffer.from('0123456789abcdefghij');
    await store.put('rows-read-1', Readable.from([body]));
    assert.equal((await store.read('rows-read-1', 5, 5)).toString(), '56789');
    await assert.rejects(store.read('rows-read-1', 15, 10), /shorter than 25 bytes/);
    assert.equal((await readAll(await store.get('rows-read-1', { start: 10, end: 12 }))).toString(), 'abc');
    const out = new PassThrough();
    const sent = readAll(out);
    await (await store.openForSend('rows-read-1', { start: 3, end: 7 })).sendTo(out);
    assert.equal((await sent).toString(), '34567');
    // A connection already gone: the send settles (rejects) instead of waiting for ever.
    const gone = Object.assign(new PassThrough(), { destroyed: true });
    await assert.rejects((await store.openForSend('rows-read-1', { start: 0, end: 3 })).sendTo(new PassThrough(), gone), /closed/);
    const keys = new Set<string>();
    for await (const k of store.list()) keys.add(k);
    for (const k of ['rows-read-1', 'small-told-1', 'big-told-1', 'grown-untold-1']) assert.ok(keys.has(k), k);
    await store.delete('rows-read-1');
    assert.ok(!(await isRow('rows-read-1')));
    await assert.rejects(store.read('rows-read-1', 0, 1), BlobNotFoundError);
    await store.delete('big-told-1');
    assert.ok(!isFile('big-told-1'));
  });
});

describe('small blobs: durability and a full database', () => {
  const dir = tmpDir('opal-small-blob-sync-');
  after(() => dir.remove());

  it('a row is acknowledged only once the log sync that follows its commit is done', async () => {
    let armed = false;
    const gates: Array<() => void> = [];
    const dataSync = async (fh: FileHandle) => {
      if (armed) await new Promise<void>((r) => gates.push(r));
      await fh.datasync();
    };
    const kysely = new Kysely<Database>({ dialect: new SqliteStoreDialect({ path: join(dir.path, 'gated.db'), dataSync }) });
    await migrate({ kysely, dialect: 'sqlite', readFence: () => () => Promise.resolve(), close: () => kysely.destroy() });
    const store = new SmallBlobStore(await FsBlobStore.open(join(dir.path, 'blobs')), kysely);
    try {
      armed = true;
      let done = false;
      const put = store.put('gated-row-1', Readable.from([Buffer.from('held until synced')])).then((r) => {
        done = true;
        return r;
      });
      while (gates.length === 0) await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(done, false, 'not acknowledged while the sync waits');
      armed = false;
      for (const g of gates.splice(0)) g();
      assert.equal((await put).size, 17);
    } finally {
      await store.close();
      await kysely.destroy();
    }
  });

  it('a full database refuses the put as a full blob store and keeps nothing', async () => {
    const db = await openDb({ dataDir: dir.path, sqliteFile: 'full.db' });
    await migrate(db);
    const store = new SmallBlobStore(await FsBlobStore.open(join(dir.path, 'blobs-full')), db.kysely);
    try {
      const pages = (await sql<{ page_count: number }>`PRAGMA page_count`.execute(db.kysely)).rows[0]?.page_count ?? 0;
      await sql.raw(`PRAGMA max_page_count = ${pages + 2}`).execute(db.kysely);
      await assert.rejects(store.put('full-row-1', Readable.from([randomBytes(60_000)])), BlobStoreFullError);
      assert.equal(await store.size('full-row-1'), undefined);
    } finally {
      await store.close();
      await db.close();
    }
  });
});
