// Large bodies sent from the filesystem store through reused buffers (FsBlobStore.openForSend,
// store/blobs/piece-buffers.ts): exact bytes for whole blobs and ranges across pieces, nothing
// left open after a failure, the buffer reused by the next answer.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { truncateSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { BlobNotFoundError } from '../../src/store/blobs/blob-store.ts';
import { blobFilePath, FsBlobStore } from '../../src/store/blobs/fs-blob-store.ts';
import { idlePieceBuffers, PIECE, trimIdlePieceBuffers } from '../../src/store/blobs/piece-buffers.ts';
import { openUnderSettled, tmpDir } from '../helpers/env.ts';

/** A destination that copies what it is given (the sender reuses its buffer) and notes the buffers. */
function collector(opts: { failAfter?: number } = {}): { out: Writable; bytes: () => Buffer; buffers: Set<ArrayBufferLike> } {
  const parts: Buffer[] = [];
  const buffers = new Set<ArrayBufferLike>();
  let n = 0;
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      buffers.add(chunk.buffer);
      if (opts.failAfter !== undefined && ++n > opts.failAfter) return cb(new Error('client went away'));
      parts.push(Buffer.from(chunk));
      // Answer later, as a socket does, so that a reused buffer would show in the copies.
      setImmediate(cb);
    },
  });
  return { out, bytes: () => Buffer.concat(parts), buffers };
}

/** A destination whose first write never calls back (as an HTTP answer whose socket is gone); `written` once it is asked to. */
function stuckDestination(): { out: Writable; written: Promise<void> } {
  let writing: () => void = () => undefined;
  const written = new Promise<void>((r) => {
    writing = r;
  });
  return { out: new Writable({ write: () => writing() }), written };
}

describe('filesystem store: sending large blobs', () => {
  const dir = tmpDir('opal-blob-send-');
  const root = join(dir.path, 'blobs');
  let store: FsBlobStore;
  const data = randomBytes(3 * PIECE + 1000);
  const key = '0a0bsend00000000blob';
  before(async () => {
    store = await FsBlobStore.open(root);
    await store.put(key, Readable.from([data]));
  });
  after(async () => {
    await store.close();
    dir.remove();
  });

  it('sends whole blobs and ranges across pieces byte for byte, and ends the destination', async () => {
    for (const [start, end] of [
      [0, data.length - 1],
      [PIECE - 5, 2 * PIECE + 5],
      [data.length - 10, data.length - 1],
      [7, 7],
    ] as const) {
      const c = collector();
      const finished = new Promise((resolve) => c.out.on('finish', resolve));
      await (await store.openForSend(key, { start, end })).sendTo(c.out);
      await finished;
      assert.ok(c.bytes().equals(data.subarray(start, end + 1)), `${start}-${end}`);
    }
  });

  it('reuses one buffer from answer to answer', async () => {
    const a = collector();
    await (await store.openForSend(key, { start: 0, end: data.length - 1 })).sendTo(a.out);
    const b = collector();
    await (await store.openForSend(key, { start: 0, end: data.length - 1 })).sendTo(b.out);
    assert.equal(a.buffers.size, 1, 'every piece of one answer goes through one buffer');
    assert.equal(b.buffers.size, 1);
    assert.equal([...b.buffers][0], [...a.buffers][0], 'the next answer takes the same buffer (the same memory)');
    assert.ok(idlePieceBuffers() >= 1);
  });

  it('lets the idle buffers go after a period with no download', async () => {
    await (await store.openForSend(key, { start: 0, end: 9 })).sendTo(collector().out);
    assert.ok(idlePieceBuffers() >= 1);
    trimIdlePieceBuffers(); // a download since the last check: kept
    assert.ok(idlePieceBuffers() >= 1);
    trimIdlePieceBuffers(); // none since: let go
    assert.equal(idlePieceBuffers(), 0);
  });

  it('an absent blob is BlobNotFoundError', async () => {
    await assert.rejects(store.openForSend('0a0bnothere00000000', { start: 0, end: 9 }), BlobNotFoundError);
  });

  it('a failed write or a blob shorter than asked rejects, and leaves no descriptor open', async () => {
    const c = collector({ failAfter: 1 });
    c.out.on('error', () => undefined);
    await assert.rejects((await store.openForSend(key, { start: 0, end: data.length - 1 })).sendTo(c.out), /client went away/);
    const short = '0a0bshort0000000blob';
    await store.put(short, Readable.from([data]));
    truncateSync(blobFilePath(root, short), PIECE);
    await assert.rejects((await store.openForSend(short, { start: 0, end: data.length - 1 })).sendTo(collector().out), /shorter/);
    const unsent = await store.openForSend(key, { start: 0, end: 9 });
    unsent.close();
    unsent.close();
    assert.deepEqual(await openUnderSettled(root), []);
  });

  it('a destination closed while a write is under way stops the send and closes the blob', async () => {
    // As an HTTP answer whose socket is gone: the write's callback never comes, only 'close'.
    const { out, written } = stuckDestination();
    out.on('error', () => undefined);
    const sending = (await store.openForSend(key, { start: 0, end: data.length - 1 })).sendTo(out);
    await written;
    out.destroy();
    let timer: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      sending.then(
        () => 'resolved',
        (e: NodeJS.ErrnoException) => e.code,
      ),
      new Promise((r) => {
        timer = setTimeout(r, 2000, 'hangs');
      }),
    ]);
    clearTimeout(timer);
    // The code replies.ts takes for a client that went away (not logged as a failure).
    assert.equal(settled, 'ERR_STREAM_PREMATURE_CLOSE');
    assert.deepEqual(await openUnderSettled(root), []);
  });

  it("an answer that never closes (queued behind another on its connection) stops on the connection's close", async () => {
    // What Node does to the second of two pipelined answers when the client leaves: its writes
    // wait for a socket it never gets, and only the connection closes.
    const { out, written } = stuckDestination();
    const connection = new EventEmitter();
    const sending = (await store.openForSend(key, { start: 0, end: data.length - 1 })).sendTo(out, connection);
    await written;
    connection.emit('close');
    await assert.rejects(sending, { code: 'ERR_STREAM_PREMATURE_CLOSE' });
    assert.deepEqual(await openUnderSettled(root), []);
    // A connection gone before the first write stops the send at once.
    const gone = Object.assign(new EventEmitter(), { destroyed: true });
    await assert.rejects((await store.openForSend(key, { start: 0, end: 9 })).sendTo(new Writable({ write: () => undefined }), gone), {
      code: 'ERR_STREAM_PREMATURE_CLOSE',
    });
    assert.deepEqual(await openUnderSettled(root), []);
  });
});
