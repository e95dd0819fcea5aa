// Streaming both ways through the chunked format of blob-cipher.ts, holding one chunk at a time.
import { Transform, type TransformCallback } from 'node:stream';
import { type BlobHeader, BlobIntegrityError, type Layout, openChunk, sealChunk } from './blob-cipher.ts';

/** Collects incoming buffers and hands out exact-size pieces (one chunk's worth at a time). */
class Pending {
  private parts: Buffer[] = [];
  length = 0;

  add(b: Buffer): void {
    if (b.length === 0) return;
    this.parts.push(b);
    this.length += b.length;
  }

  /** The first `n` bytes (n ≤ length): a view of the first part when it holds them, else a copy of just those. */
  take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    this.length -= n;
    const first = this.parts[0] as Buffer;
    if (first.length >= n) {
      if (first.length === n) this.parts.shift();
      else this.parts[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const p = this.parts[0] as Buffer;
      const used = Math.min(p.length, n - at);
      p.copy(out, at, 0, used);
      at += used;
      if (used === p.length) this.parts.shift();
      else this.parts[0] = p.subarray(used);
    }
    return out;
  }
}

/** Plaintext in, header then sealed chunks out. A chunk is held back until it is known whether it is the last. */
export class SealStream extends Transform {
  private readonly pending = new Pending();
  private index = 0;

  constructor(
    header: Buffer,
    private readonly h: BlobHeader,
  ) {
    super();
    this.push(header);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.pending.add(chunk);
    while (this.pending.length > this.h.chunkSize) {
      this.push(sealChunk(this.h, this.index++, false, this.pending.take(this.h.chunkSize)));
    }
    cb();
  }

  override _flush(cb: TransformCallback): void {
    cb(null, sealChunk(this.h, this.index, true, this.pending.take(this.pending.length)));
  }
}

/**
 * Stored bytes of chunks `first`…`lastWanted` in, the plaintext bytes [skip, skip + take) of them
 * out. Each chunk is authenticated before any of its bytes leave; a failure, a short or an
 * overlong input ends the stream with BlobIntegrityError.
 */
export class OpenStream extends Transform {
  private readonly pending = new Pending();
  private index: number;
  private skip: number;
  private left: number;

  constructor(
    private readonly blobKey: string,
    private readonly h: BlobHeader,
    private readonly layout: Layout,
    first: number,
    private readonly lastWanted: number,
    skip: number,
    take: number,
  ) {
    super();
    this.index = first;
    this.skip = skip;
    this.left = take;
  }

  private drain(): void {
    while (this.index <= this.lastWanted) {
      const need = this.layout.lengthOf(this.index);
      if (this.pending.length < need) return;
      const plain = openChunk(this.blobKey, this.h, this.index, this.index === this.layout.last, this.pending.take(need));
      this.index++;
      const from = Math.min(this.skip, plain.length);
      this.skip -= from;
      const out = plain.subarray(from, from + this.left);
      this.left -= out.length;
      if (out.length > 0) this.push(out);
    }
    if (this.pending.length > 0) throw new BlobIntegrityError(this.blobKey, 'longer than its layout');
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.pending.add(chunk);
    try {
      this.drain();
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    if (this.index <= this.lastWanted || this.left > 0) cb(new BlobIntegrityError(this.blobKey, `truncated at chunk ${this.index}`));
    else cb();
  }
}
