// Stream helpers for transfers: MD5 of a file (or a range of it) and a pass-through that hashes
// and counts bytes (for Content-MD5 checks and progress) without holding them.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type Readable, Transform, type TransformCallback } from 'node:stream';

/** Lower-case hex MD5 of a file or of bytes [start, end] (inclusive). */
export async function md5OfFile(path: string, start?: number, end?: number): Promise<string> {
  const h = createHash('md5');
  for await (const chunk of createReadStream(path, { start, end, highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) h.update(chunk);
  return h.digest('hex');
}

/** Pass-through that feeds every chunk to its MD5 (and an optional second hash) and a byte callback. */
export class Meter extends Transform {
  bytes = 0;
  readonly hash: Hash = createHash('md5');

  constructor(
    private readonly onBytes?: (n: number) => void,
    private readonly also?: Hash,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.also?.update(chunk);
    this.bytes += chunk.length;
    this.onBytes?.(chunk.length);
    cb(null, chunk);
  }
}

/** `source.pipe(meter)` that also passes the source's errors on (pipe() alone drops them). */
export function through(source: Readable, meter: Meter): Meter {
  source.on('error', (e) => meter.destroy(e));
  meter.on('close', () => {
    if (!source.readableEnded) source.destroy();
  });
  return source.pipe(meter);
}
