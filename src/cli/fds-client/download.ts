// Downloads: the object streams to a file (written beside it under a temporary name and renamed
// into place only when complete and verified) or to any writable (stdout). A full download's MD5 is
// checked against the object's Content-MD5.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ChecksumError } from './errors.ts';
import type { FdsHttp } from './http.ts';
import { getObject } from './operations.ts';
import { Meter } from './streams.ts';

export interface DownloadOptions {
  /** `bytes=N-` or `bytes=N-M`. */
  range?: string;
  /** Called once the size is known (Content-Length of the response). */
  onStart?: (bytes: number | undefined) => void;
  onProgress?: (bytes: number) => void;
}

export interface DownloadResult {
  bucket: string;
  object: string;
  size: number;
  md5: string;
  contentType: string | undefined;
  /** False for a ranged download (no whole-object MD5 to compare). */
  verified: boolean;
}

async function downloadTo(
  c: FdsHttp,
  bucket: string,
  object: string,
  out: Writable,
  o: DownloadOptions,
  end: boolean,
): Promise<DownloadResult> {
  const res = await getObject(c, bucket, object, o.range);
  const len = Number(res.headers['content-length']);
  o.onStart?.(Number.isFinite(len) ? len : undefined);
  const meter = new Meter(o.onProgress);
  await pipeline(res.body, meter, out, { end });
  const md5 = meter.hash.digest('hex');
  const stored = res.headers['content-md5'];
  const verified = res.status === 200 && typeof stored === 'string' && stored !== '';
  if (verified && stored.toLowerCase() !== md5) throw new ChecksumError(`downloaded bytes have MD5 ${md5}, the object has ${stored}`);
  if (Number.isFinite(len) && meter.bytes !== len) throw new ChecksumError(`received ${meter.bytes} of ${len} bytes`);
  const type = res.headers['content-type'];
  return { bucket, object, size: meter.bytes, md5, contentType: type, verified };
}

/** Streams an object into a file; the file appears only once the download is complete and verified. */
export async function downloadFile(
  c: FdsHttp,
  bucket: string,
  object: string,
  path: string,
  o: DownloadOptions = {},
): Promise<DownloadResult> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.part`);
  try {
    const r = await downloadTo(c, bucket, object, createWriteStream(tmp, { flags: 'wx' }), o, true);
    await rename(tmp, path);
    return r;
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Streams an object into a writable that is left open (stdout). */
export function downloadStream(
  c: FdsHttp,
  bucket: string,
  object: string,
  out: Writable,
  o: DownloadOptions = {},
): Promise<DownloadResult> {
  return downloadTo(c, bucket, object, out, o, false);
}
