// Small blobs in the embedded database (issue 10; docs/storage.md, "Small objects"). A blob of up to
// SMALL_BLOB_MAX bytes is one row of fds_small_blobs, written by one statement: the database's
// group commit makes it durable together with its neighbours' writes (one fsync of the log for
// many uploads), where a file costs an open, a write, a sync, a close, a rename and its
// directory's sync. A larger body goes on to the file store as it arrives. MinIO keeps small
// objects inline in their metadata for the same reason.
//
// Reads look for the row first and then for a file, so blobs written before this store (or
// larger ones) are found where they are. Keys are unique, and a row changes only when `opal fds
// rekey` rewraps it (PutOptions.replace), in place.
import { hash } from 'node:crypto';
import { finished, PassThrough, Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { PreparedQuery } from '../db/prepared.ts';
import type { Database } from '../db/schema.ts';
import {
  assertBlobKey,
  type BlobSender,
  type BlobStore,
  BlobStoreFullError,
  type ByteRange,
  isNoSpace,
  type PutOptions,
  type PutResult,
  readBytes,
} from './blob-store.ts';
import { writeOut } from './fs-blob-store.ts';
import { READ_CACHE_MAX_ENTRY } from './read-cache.ts';

/** The largest blob kept in the database (the read cache's largest entry, READ_CACHE_MAX_ENTRY). */
export const SMALL_BLOB_MAX = READ_CACHE_MAX_ENTRY;

/** A new row (a put under a key that holds a row already replaces its bytes, as a file would be). */
const insertRow = new PreparedQuery<{ key: string; data: Buffer }>(['key', 'data'], (db, p) =>
  db
    .insertInto('fds_small_blobs')
    .values({ blob_key: p.key, data: p.data })
    .onConflict((oc) => oc.column('blob_key').doUpdateSet((eb) => ({ data: eb.ref('excluded.data') }))),
);
/** New bytes for a row being replaced (PutOptions.replace); changes nothing once the row is gone. */
const updateRow = new PreparedQuery<{ key: string; data: Buffer }>(['key', 'data'], (db, p) =>
  db.updateTable('fds_small_blobs').set({ data: p.data }).where('blob_key', '=', p.key),
);
const selectRow = new PreparedQuery<{ key: string }, { data: Buffer }>(['key'], (db, p) =>
  db.selectFrom('fds_small_blobs').select('data').where('blob_key', '=', p.key),
);
const deleteRow = new PreparedQuery<{ key: string }>(['key'], (db, p) => db.deleteFrom('fds_small_blobs').where('blob_key', '=', p.key));

/** SQLite's "database or disk is full" (SQLITE_FULL and its extended codes). */
function isDatabaseFull(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  return (typeof code === 'string' && code.startsWith('SQLITE_FULL')) || isNoSpace(e);
}

type Collected = { over: false; chunks: Buffer[]; size: number } | { over: true; chunks: Buffer[] };

/**
 * Reads `body` until it ends or holds more than `max` bytes. Past `max` the body is paused with
 * what was read. An error of the body, even one it met before this call (a transform that failed
 * at its end while nobody read it yet), or its premature close rejects.
 */
function collect(body: Readable, max: number): Promise<Collected> {
  return new Promise<Collected>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer | string) => {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(b);
      size += b.length;
      if (size > max) {
        body.off('data', onData);
        stopWatching();
        body.pause();
        resolve({ over: true, chunks });
      }
    };
    const stopWatching = finished(body, (e) => {
      body.off('data', onData);
      stopWatching();
      if (e) reject(e);
      else resolve({ over: false, chunks, size });
    });
    body.on('data', onData);
  });
}

/** The collected head, then the rest of `body`, as one stream (an error of `body` ends it too). */
function rejoin(head: Buffer[], body: Readable): Readable {
  const out = new PassThrough();
  for (const c of head) out.write(c);
  const stopWatching = finished(body, (e) => {
    stopWatching();
    if (e) out.destroy(e);
  });
  body.pipe(out);
  return out;
}

export class SmallBlobStore implements BlobStore {
  /**
   * @param files where larger blobs (and those written before) are
   * @param db the embedded database (its writes are durable when they resolve)
   */
  constructor(
    private readonly files: BlobStore,
    private readonly db: Kysely<Database>,
    private readonly max: number = SMALL_BLOB_MAX,
  ) {}

  async put(key: string, body: Readable, options?: PutOptions): Promise<PutResult> {
    assertBlobKey(key);
    // A blob is replaced where it is: a file by a file (so no old file stays behind), a row by a
    // row (the new bytes may be a little larger: a header and tags around the same plaintext).
    const replacing = options?.replace === true && (await this.row(key)) !== undefined;
    if (options?.replace === true && !replacing) return this.files.put(key, body, options);
    if (!replacing && options?.size !== undefined && options.size > this.max) return this.files.put(key, body, options);
    const got = await collect(body, replacing ? 2 * this.max : this.max);
    if (got.over) {
      // A row is never replaced by a file: a crash between the two would leave the old row, which
      // reads find first. (A sealed replacement of a row is at most a header and tags larger.)
      if (replacing) throw new Error(`blob ${key}: a replacement of a small blob is over ${2 * this.max} bytes`);
      // The size told, if any, was wrong: the file store is not told one.
      return this.files.put(key, rejoin(got.chunks, body));
    }
    const data = got.chunks.length === 1 ? (got.chunks[0] as Buffer) : Buffer.concat(got.chunks, got.size);
    try {
      // A replacement does not bring back a row freed meanwhile (the sweeper may run beside rekey).
      if (replacing) await updateRow.execute(this.db, { key, data });
      else await insertRow.execute(this.db, { key, data });
    } catch (e) {
      throw isDatabaseFull(e) ? new BlobStoreFullError(e) : e;
    }
    return { size: data.length, md5: hash('md5', data, 'hex') };
  }

  /** The blob's bytes if it is a row here. */
  private async row(key: string): Promise<Buffer | undefined> {
    assertBlobKey(key);
    return (await selectRow.first(this.db, { key }))?.data;
  }

  async get(key: string, range?: ByteRange, options?: { readSize?: number }): Promise<Readable> {
    const data = await this.row(key);
    if (!data) return this.files.get(key, range, options);
    return Readable.from([range ? data.subarray(range.start, range.end + 1) : data]);
  }

  async read(key: string, start: number, length: number): Promise<Buffer> {
    const data = await this.row(key);
    if (!data) return readBytes(this.files, key, start, length);
    if (start + length > data.length) throw new Error(`blob ${key} is shorter than ${start + length} bytes`);
    return data.subarray(start, start + length);
  }

  async openForSend(key: string, range: ByteRange): Promise<BlobSender> {
    const data = await this.row(key);
    if (!data) {
      if (this.files.openForSend) return this.files.openForSend(key, range);
      throw new Error('the file store cannot open blobs for sending');
    }
    if (range.end >= data.length) throw new Error(`blob ${key} is shorter than ${range.end + 1} bytes`);
    const bytes = data.subarray(range.start, range.end + 1);
    return {
      close: () => undefined,
      sendTo: async (out, connection) => {
        await writeOut(out, bytes, connection);
        out.end();
      },
    };
  }

  async size(key: string): Promise<number | undefined> {
    const data = await this.row(key);
    return data ? data.length : this.files.size(key);
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    await deleteRow.execute(this.db, { key });
    await this.files.delete(key);
  }

  async *list(): AsyncIterable<string> {
    for (const r of await this.db.selectFrom('fds_small_blobs').select('blob_key').execute()) yield r.blob_key;
    if (this.files.list) yield* this.files.list();
  }

  check(): Promise<void> {
    return this.files.check();
  }

  close(): Promise<void> {
    return this.files.close();
  }
}
