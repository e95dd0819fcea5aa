// Galaxy-V2 quirk, the Java SDK's MD5 mode (fds-protocol §5.1, §6.2): with
// `x-xiaomi-meta-md5-attached-stream: 1` the body is content || MD5(content), 16 raw bytes,
// usually chunked. The trailer is stripped and checked (mismatch: 400 Checksum Does Not Match)
// and only the content is stored; the header itself is kept as user metadata (Java reads it back).
import { createHash } from 'node:crypto';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { FdsError } from '../../core/fds/errors.ts';
import type { FdsCall } from './call.ts';

/** Passes all but the last 16 bytes through and checks that they are the MD5 of what passed. */
export class Md5TrailerStripper extends Transform {
  private held: Buffer = Buffer.alloc(0);
  private readonly md5 = createHash('md5');

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const all = this.held.length === 0 ? chunk : Buffer.concat([this.held, chunk]);
    if (all.length <= 16) {
      this.held = all;
      cb();
      return;
    }
    const out = all.subarray(0, all.length - 16);
    this.held = Buffer.from(all.subarray(all.length - 16));
    this.md5.update(out);
    cb(null, out);
  }

  override _flush(cb: TransformCallback): void {
    if (this.held.length !== 16 || !this.md5.digest().equals(this.held)) {
      cb(new FdsError('ChecksumDoesNotMatch', 'the MD5 trailer does not match the content'));
      return;
    }
    cb();
  }
}

/** The body of an upload (put, post, part): the content, with the Java MD5 trailer stripped and checked when announced. */
export function uploadBody(c: Pick<FdsCall, 'header' | 'body'>): Readable {
  const trailer = c.header('x-xiaomi-meta-md5-attached-stream');
  if (trailer === undefined || trailer.trim() !== '1') return c.body;
  const stripper = new Md5TrailerStripper();
  // The consumer (the blob store's pipeline) reports errors; late duplicates must not go uncaught.
  stripper.on('error', () => undefined);
  c.body.on('error', (e) => stripper.destroy(e));
  return c.body.pipe(stripper);
}

/** The upload's declared length (Content-Length), an upper bound of what uploadBody yields; undefined if chunked. */
export function uploadLength(c: Pick<FdsCall, 'header'>): number | undefined {
  const v = c.header('content-length');
  return v !== undefined && /^\d{1,15}$/.test(v) ? Number(v) : undefined;
}
