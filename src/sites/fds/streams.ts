// Body streams: the Java SDK's MD5-trailer mode (fds-protocol §5.1: body = content || MD5(content),
// 16 raw bytes, signalled by `x-xiaomi-meta-md5-attached-stream: 1`), bounded JSON bodies, and
// concatenation of blobs (multipart complete, copy) without buffering.
import { createHash } from 'node:crypto';
import { PassThrough, type Readable, Transform, type TransformCallback } from 'node:stream';
import { FdsError } from '../../core/fds/errors.ts';

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

/** Reads a whole (small) body; larger than `limit` is an Invalid Request. */
export async function readSmallBody(body: Readable, limit = 8 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new FdsError('InvalidRequest', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON body; empty → undefined. */
export async function readJson(body: Readable, limit?: number): Promise<unknown> {
  const text = (await readSmallBody(body, limit)).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new FdsError('InvalidRequest', 'body is not valid JSON');
  }
}

/** One stream that plays the given streams one after the other (opened lazily). */
export function concatStreams(open: Array<() => Promise<Readable>>): Readable {
  const out = new PassThrough();
  (async () => {
    for (const o of open) {
      const s = await o();
      for await (const chunk of s) {
        if (out.destroyed) {
          s.destroy();
          return;
        }
        if (!out.write(chunk)) {
          await new Promise<void>((r) => {
            const done = () => {
              out.off('drain', done);
              out.off('close', done);
              r();
            };
            out.on('drain', done);
            out.on('close', done);
          });
        }
      }
    }
    out.end();
  })().catch((e: unknown) => out.destroy(e as Error));
  return out;
}
