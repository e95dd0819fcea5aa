// What every blob store reports of a put (blob-store.ts PutResult): the bytes that went through,
// counted and MD5-hashed on the way, in one pass-through stream. The bytes of every upload to a
// file or an S3 object pass here, so they are also counted for the scavenges their pieces need
// (lib/scavenge-pacer.ts); an encrypted upload passes twice (its plaintext, then its sealed bytes),
// and small objects kept as rows (small-blob-store.ts, 64 KiB at most each) not at all.
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { paceUpload } from '../../lib/scavenge-pacer.ts';
import type { PutResult } from './blob-store.ts';

export class CountingHash extends Transform {
  private size = 0;
  private readonly md5 = createHash('md5');

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.size += chunk.length;
    this.md5.update(chunk);
    paceUpload(chunk.length);
    cb(null, chunk);
  }

  /** Size and lower-case hex MD5 of everything that passed; call once the stream has ended. */
  result(): PutResult {
    return { size: this.size, md5: this.md5.digest('hex') };
  }
}
