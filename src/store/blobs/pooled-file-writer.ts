// Writes an upload's bytes to a new file through buffers of the shared pool (piece-buffers.ts):
// each piece of the body is copied into the buffer at once and let go, and the buffer is written
// when full, in PIECE-sized writes. A body's pieces (each a new external buffer made by the HTTP
// parser) otherwise stayed referenced until their own write had gone through the threadpool's
// queue; under many large uploads at once that wait outlasted two scavenges, so they were promoted
// and counted against the old generation's limit until a full collection: FDS PUT 1 MiB at 50
// connections ran three or four full collections a second (bench/README.md, issue 10).
// The file is opened exclusively ('wx', created with `mode`), fsynced before the stream finishes,
// and closed when it is destroyed (finished or failed); the caller removes it after a failure.
import { close, fsync, open, write } from 'node:fs';
import { Writable } from 'node:stream';
import { givePieceBuffer, takePieceBuffer } from './piece-buffers.ts';

type Done = (error?: Error | null) => void;

export class PooledFileWriter extends Writable {
  private fd: number | undefined;
  /** The buffer being filled, and how much of it is. */
  private buf: Buffer | undefined;
  private filled = 0;
  /** Where the next write goes in the file. */
  private position = 0;
  /** A write is in flight; what waits for it to return (a destroy's close). */
  private writing = false;
  private afterWrite: (() => void) | undefined;

  constructor(
    private readonly path: string,
    private readonly mode: number,
  ) {
    super();
  }

  override _construct(done: Done): void {
    open(this.path, 'wx', this.mode, (e, fd) => {
      if (e) return done(e);
      this.fd = fd;
      done();
    });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: Done): void {
    this.buf ??= takePieceBuffer();
    const copied = chunk.copy(this.buf, this.filled);
    this.filled += copied;
    if (this.filled < this.buf.length) {
      done();
      return;
    }
    // Full: write it, and copy the rest of the piece into the next buffer now, so that nothing
    // holds the piece while the write waits (the next piece waits for this write: one in flight).
    // A piece is never larger than a buffer (the HTTP parser's reads are 64 KiB at most); a larger
    // one would go on in the writes that follow.
    const full = this.buf;
    this.buf = takePieceBuffer();
    this.filled = 0;
    const rest = chunk.subarray(copied);
    this.flush(full, full.length, (e) => {
      if (e || rest.length === 0) return done(e);
      this._write(rest, 'binary', done);
    });
  }

  override _final(done: Done): void {
    const last = this.buf;
    const sync = (e?: Error | null) => {
      if (e) return done(e);
      fsync(this.fd as number, (se) => done(se));
    };
    if (last && this.filled > 0) {
      this.buf = undefined;
      this.flush(last, this.filled, sync);
    } else sync();
  }

  override _destroy(error: Error | null, done: Done): void {
    if (this.buf) givePieceBuffer(this.buf);
    this.buf = undefined;
    const closeFd = () => {
      if (this.fd === undefined) return done(error);
      const fd = this.fd;
      this.fd = undefined;
      close(fd, (e) => done(error ?? e));
    };
    // A write in flight still uses the descriptor: closing it now could let a new file take its
    // number and receive the rest of that write.
    if (this.writing) this.afterWrite = closeFd;
    else closeFd();
  }

  /**
   * Writes the first `length` bytes of `b` at the current position, then pools `b` (after a failed
   * write it is dropped: nothing says the kernel is done with it).
   */
  private flush(b: Buffer, length: number, done: Done): void {
    this.writing = true;
    let offset = 0;
    const finish = (e: Error | null) => {
      this.writing = false;
      const waiting = this.afterWrite;
      this.afterWrite = undefined;
      if (!e) givePieceBuffer(b);
      waiting?.();
      done(e);
    };
    const next = (e: NodeJS.ErrnoException | null, n: number): void => {
      if (e) {
        finish(e);
        return;
      }
      offset += n;
      this.position += n;
      if (offset < length && !this.afterWrite) write(this.fd as number, b, offset, length - offset, this.position, next);
      else finish(offset < length ? new Error('the writer was destroyed') : null);
    };
    write(this.fd as number, b, 0, length, this.position, next);
  }
}
