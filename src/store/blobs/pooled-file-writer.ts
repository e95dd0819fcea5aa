// Writes an upload's bytes to a new file through buffers of the shared pool (piece-buffers.ts):
// each piece of the body is copied into the buffer at once and let go, and the buffer is written
// when full. A body's pieces are new external buffers made by node's HTTP parser; written as they
// came, each stayed referenced until its write had gone through the threadpool's queue, and under
// many large uploads at once that wait outlasted the scavenges that lib/scavenge-pacer.ts asks
// for, which then promoted them: copied, they die young (bench/README.md, issue 10, "Large
// uploads"). An upload holds at most two buffers (one being filled, one being written); it takes a
// new one only while fewer than IN_USE_FOR_UPLOADS of the pool's buffers are in use (downloads'
// included), and otherwise writes each piece as it comes (held meanwhile, as before this writer).
// The file is opened exclusively ('wx', created with `mode`), fsynced before the stream finishes,
// and closed when it is destroyed (finished or failed); the caller removes it after a failure.
import { close, fsync, open, write } from 'node:fs';
import { Writable } from 'node:stream';
import { dropPieceBuffer, givePieceBuffer, takePieceBufferIfFree } from './piece-buffers.ts';

type Done = (error?: Error | null) => void;

const destroyedError = () => Object.assign(new Error('the file writer was destroyed'), { code: 'ERR_STREAM_DESTROYED' });

export class PooledFileWriter extends Writable {
  private fd: number | undefined;
  /** The buffer being filled, and how much of it is. */
  private buf: Buffer | undefined;
  private filled = 0;
  /** Where the next write goes in the file. */
  private position = 0;
  /** A write or the sync is in flight on the descriptor; what waits for it to return (a destroy's close). */
  private busy = false;
  private afterIo: (() => void) | undefined;

  constructor(
    private readonly path: string,
    private readonly mode: number,
  ) {
    super();
  }

  override _construct(done: Done): void {
    open(this.path, 'wx', this.mode, (e, fd) => {
      if (e) {
        done(e);
        return;
      }
      this.fd = fd;
      done();
    });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: Done): void {
    if (this.destroyed) {
      done(destroyedError());
      return;
    }
    if (chunk.length === 0) {
      done();
      return;
    }
    this.buf ??= takePieceBufferIfFree();
    if (!this.buf) {
      // IN_USE_FOR_UPLOADS buffers are in use: this piece is written as it is (and held meanwhile).
      this.io(done, undefined, (fd, next) => writeAll(fd, chunk, chunk.length, this.advance(chunk.length), next));
      return;
    }
    const copied = chunk.copy(this.buf, this.filled);
    this.filled += copied;
    if (this.filled < this.buf.length) {
      done();
      return;
    }
    // Full: the rest of the piece goes into the next buffer before the write starts, so that
    // nothing holds the piece while the write waits (the next piece waits for this write: one in
    // flight). A piece larger than a buffer (a whole body handed over at once, say) goes on in
    // the writes that follow.
    const full = this.buf;
    const rest = chunk.subarray(copied);
    this.buf = rest.length > 0 ? takePieceBufferIfFree() : undefined;
    this.filled = this.buf ? rest.copy(this.buf) : 0;
    const pending = rest.subarray(this.filled);
    this.io(
      (e) => {
        if (e || pending.length === 0) done(e);
        else this._write(pending, 'binary', done);
      },
      full,
      (fd, next) => writeAll(fd, full, full.length, this.advance(full.length), next),
    );
  }

  override _final(done: Done): void {
    const last = this.buf;
    const length = this.filled;
    this.buf = undefined;
    this.filled = 0;
    const sync = (e?: Error | null) => {
      if (e) done(e);
      else this.io(done, undefined, (fd, next) => fsync(fd, (se) => next(se)));
    };
    if (last && length > 0) this.io(sync, last, (fd, next) => writeAll(fd, last, length, this.advance(length), next));
    else {
      if (last) givePieceBuffer(last);
      sync();
    }
  }

  override _destroy(error: Error | null, done: Done): void {
    if (this.buf) givePieceBuffer(this.buf);
    this.buf = undefined;
    const closeFd = () => {
      if (this.fd === undefined) {
        done(error);
        return;
      }
      const fd = this.fd;
      this.fd = undefined;
      close(fd, (e) => done(error ?? e));
    };
    // A write or sync in flight still uses the descriptor: closing it now could let a new file
    // take its number and receive the rest of that write.
    if (this.busy) this.afterIo = closeFd;
    else closeFd();
  }

  /** The position for `length` bytes written next, which it then moves past. */
  private advance(length: number): number {
    const at = this.position;
    this.position += length;
    return at;
  }

  /**
   * Runs one operation on the descriptor, marked busy meanwhile. `pooled`, the pool's buffer the
   * operation writes from, goes back to the pool after a success, or when the operation never
   * started, and is dropped after a failure (over-cautious: a failed write is done with its
   * buffer too). Once the writer was destroyed meanwhile, its close runs and the caller is told so
   * (with ERR_STREAM_DESTROYED, which the stream then reports as its error).
   */
  private io(done: Done, pooled: Buffer | undefined, op: (fd: number, next: (e: Error | null) => void) => void): void {
    if (this.fd === undefined || this.destroyed) {
      if (pooled) givePieceBuffer(pooled);
      done(destroyedError());
      return;
    }
    this.busy = true;
    op(this.fd, (e) => {
      this.busy = false;
      if (pooled) {
        if (e) dropPieceBuffer();
        else givePieceBuffer(pooled);
      }
      const waiting = this.afterIo;
      this.afterIo = undefined;
      if (waiting) {
        waiting();
        done(e ?? destroyedError());
      } else done(e);
    });
  }
}

/** Writes the first `length` bytes of `b` at `position`, however many calls that takes. */
function writeAll(fd: number, b: Buffer, length: number, position: number, done: (e: Error | null) => void): void {
  let offset = 0;
  const next = (e: NodeJS.ErrnoException | null, n: number): void => {
    if (e) {
      done(e);
      return;
    }
    if (n === 0) {
      done(new Error(`a write of ${length - offset} bytes wrote nothing`));
      return;
    }
    offset += n;
    if (offset < length) write(fd, b, offset, length - offset, position + offset, next);
    else done(null);
  };
  write(fd, b, 0, length, position, next);
}
