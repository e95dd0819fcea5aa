// The filesystem store's upload writer (store/blobs/pooled-file-writer.ts): the exact bytes for
// bodies of every shape around the pool's piece size, a new file only, the pool's buffers given
// back after a finished, refused or destroyed upload, a destroy while a write is in flight (no
// error, the bytes in flight in the file whole, nothing written after it), and uploads past the
// pool's limit of buffers in use writing their pieces as they come.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, describe, it } from 'node:test';
import {
  givePieceBuffer,
  IN_USE_FOR_UPLOADS,
  idlePieceBuffers,
  PIECE,
  pieceBuffersInUse,
  takePieceBuffer,
  trimIdlePieceBuffers,
} from '../../src/store/blobs/piece-buffers.ts';
import { PooledFileWriter } from '../../src/store/blobs/pooled-file-writer.ts';
import { tmpDir } from '../helpers/env.ts';

/** `data` cut into pieces of `size` bytes (the last one shorter). */
function pieces(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

const closed = (w: PooledFileWriter) => new Promise<void>((resolve) => (w.closed ? resolve() : w.once('close', () => resolve())));

describe('pooled file writer', () => {
  const dir = tmpDir('opal-pooled-writer-');
  let n = 0;
  const newPath = () => join(dir.path, `file-${n++}`);
  after(() => dir.remove());

  it('writes the exact bytes for bodies around the piece size, in any cut', async () => {
    for (const size of [0, 1, PIECE - 1, PIECE, PIECE + 1, 3 * PIECE + 17]) {
      const data = randomBytes(size);
      // As the HTTP parser cuts a body (64 KiB), in odd small cuts, and in one piece larger than a buffer.
      for (const cut of [64 * 1024, 1000, Math.max(1, size)]) {
        const path = newPath();
        await pipeline(Readable.from(pieces(data, cut)), new PooledFileWriter(path, 0o600));
        assert.ok(readFileSync(path).equals(data), `${size} bytes cut into ${cut}`);
        assert.equal(statSync(path).mode & 0o777, 0o600);
      }
    }
  });

  it('creates a new file only: an existing one is refused and left as it was', async () => {
    const path = newPath();
    writeFileSync(path, 'before');
    const inUse = pieceBuffersInUse();
    await assert.rejects(pipeline(Readable.from([Buffer.from('after')]), new PooledFileWriter(path, 0o600)), { code: 'EEXIST' });
    assert.equal(readFileSync(path, 'utf8'), 'before');
    assert.equal(pieceBuffersInUse(), inUse);
  });

  it('past the limit of buffers in use, an upload writes its pieces as they come: the same bytes, no buffer taken', async () => {
    assert.equal(pieceBuffersInUse(), 0, 'nothing held by the tests before');
    const held: Buffer[] = [];
    while (pieceBuffersInUse() < IN_USE_FOR_UPLOADS) held.push(takePieceBuffer());
    try {
      const data = randomBytes(2 * PIECE + 333);
      const path = newPath();
      let most = 0;
      async function* body() {
        for (const p of pieces(data, 64 * 1024)) {
          most = Math.max(most, pieceBuffersInUse());
          yield p;
        }
      }
      await pipeline(Readable.from(body()), new PooledFileWriter(path, 0o600));
      assert.ok(readFileSync(path).equals(data));
      assert.equal(most, IN_USE_FOR_UPLOADS, 'no buffer taken while the body went through');
      assert.equal(pieceBuffersInUse(), IN_USE_FOR_UPLOADS);
    } finally {
      for (const b of held) givePieceBuffer(b);
    }
  });

  it('gives its buffers back to the pool when it finishes, and when it is destroyed mid-body', async () => {
    trimIdlePieceBuffers();
    trimIdlePieceBuffers(); // twice: the first call only notes that nothing was taken since
    assert.equal(idlePieceBuffers(), 0);
    const inUse = pieceBuffersInUse();
    await pipeline(Readable.from(pieces(randomBytes(2 * PIECE + 5), 64 * 1024)), new PooledFileWriter(newPath(), 0o600));
    assert.equal(pieceBuffersInUse(), inUse);
    const afterFinish = idlePieceBuffers();
    assert.ok(afterFinish >= 1 && afterFinish <= 2, `${afterFinish} buffers back after a finished upload`);

    const w = new PooledFileWriter(newPath(), 0o600);
    await new Promise<void>((resolve, reject) => w.write(randomBytes(1000), (e) => (e ? reject(e) : resolve())));
    assert.equal(idlePieceBuffers(), afterFinish - 1, 'the upload holds one buffer');
    w.destroy();
    await closed(w);
    assert.equal(idlePieceBuffers(), afterFinish, 'and gives it back when destroyed');
    assert.equal(pieceBuffersInUse(), inUse);
  });

  it('the limit reached and left again in the middle of a body: the bytes in order, every buffer given back', async () => {
    const inUse = pieceBuffersInUse();
    const data = randomBytes(3 * PIECE + 777);
    const held: Buffer[] = [];
    let sent = 0;
    async function* body() {
      // Cuts that never line up with a buffer's end; the pool runs dry after 100 KB and fills
      // again after 400 KB, with a buffer partly filled each time.
      for (const p of pieces(data, 1000)) {
        if (sent >= 100_000 && sent < 400_000) while (pieceBuffersInUse() < IN_USE_FOR_UPLOADS) held.push(takePieceBuffer());
        if (sent >= 400_000) for (const b of held.splice(0)) givePieceBuffer(b);
        sent += p.length;
        yield p;
      }
    }
    const path = newPath();
    try {
      await pipeline(Readable.from(body()), new PooledFileWriter(path, 0o600));
    } finally {
      for (const b of held.splice(0)) givePieceBuffer(b);
    }
    assert.ok(readFileSync(path).equals(data));
    assert.equal(pieceBuffersInUse(), inUse);
  });

  it('an empty piece is no write: with and without a buffer', async () => {
    const held: Buffer[] = [];
    for (const dry of [false, true]) {
      if (dry) while (pieceBuffersInUse() < IN_USE_FOR_UPLOADS) held.push(takePieceBuffer());
      const path = newPath();
      const w = new PooledFileWriter(path, 0o600);
      await pipeline(Readable.from([Buffer.from('ab'), Buffer.alloc(0), Buffer.from('c')], { objectMode: true }), w);
      assert.equal(readFileSync(path, 'utf8'), 'abc', dry ? 'pieces written as they come' : 'through a buffer');
    }
    for (const b of held) givePieceBuffer(b);
  });

  it('destroyed while a write is in flight: no error, and the write in flight goes through whole', async () => {
    const path = newPath();
    const w = new PooledFileWriter(path, 0o600);
    const errors: Error[] = [];
    w.on('error', (e) => errors.push(e));
    // Once the file is open (a first, empty write waits for that).
    await new Promise<void>((resolve, reject) => w.write(Buffer.alloc(0), (e) => (e ? reject(e) : resolve())));
    const data = randomBytes(PIECE);
    // A full buffer: its write starts now, and the destroy comes while it is on the threadpool.
    w.write(data);
    w.destroy();
    await closed(w);
    assert.deepEqual(errors, []);
    assert.ok(readFileSync(path).equals(data), 'the write in flight went through whole, into this file');
  });

  it('destroyed while a piece larger than a buffer is being written: nothing after the write in flight, no buffer kept', async () => {
    const inUse = pieceBuffersInUse();
    const path = newPath();
    const w = new PooledFileWriter(path, 0o600);
    w.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => w.write(Buffer.alloc(0), (e) => (e ? reject(e) : resolve())));
    // One piece of two buffers and more (a whole body handed over at once): the first buffer's
    // write starts, the rest waits for it; the destroy comes meanwhile.
    const data = randomBytes(2 * PIECE + 5);
    w.write(data);
    w.destroy();
    await closed(w);
    // A moment for anything that would still run after the close (it used to write on a closed descriptor).
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(readFileSync(path).equals(data.subarray(0, PIECE)), 'the first buffer only');
    assert.equal(pieceBuffersInUse(), inUse);
  });
});
