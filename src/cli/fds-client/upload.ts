// Uploads, as the SDKs do them (fds-protocol §5.1, §6): a file below the multipart threshold goes
// in one PUT with Content-Length and Content-MD5 (the server refuses a mismatch); a larger file in
// parts read straight from disk, each part's etag checked against its MD5, retried on transient
// failures, the upload aborted on error; a stream of unknown length (stdin) in one chunked PUT whose
// MD5 is checked against the stored object afterwards.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ChecksumError, FdsError } from './errors.ts';
import type { FdsHttp } from './http.ts';
import { abortMultipart, completeMultipart, headObject, initMultipart, putObject, type UploadMetadata, uploadPart } from './operations.ts';
import { Meter, md5OfFile, through } from './streams.ts';
import type { PutObjectResult, UploadPartResult } from './types.ts';

export const DEFAULT_PART_SIZE = 64 * 1024 * 1024;

export interface UploadOptions extends UploadMetadata {
  /** Files of at least this many bytes go multipart (default: the part size). */
  multipartThreshold?: number;
  partSize?: number;
  /** Attempts per part (default 3, as the Python SDK). */
  partAttempts?: number;
  /** Called with each chunk's length as it is sent. */
  onProgress?: (bytes: number) => void;
}

export interface UploadResult {
  bucket: string;
  object: string;
  size: number;
  md5: string;
  multipart: boolean;
  parts?: number;
  uploadId?: string;
  result: PutObjectResult;
}

/** Network errors worth a retry (a local file error is not). */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

function transient(e: unknown): boolean {
  if (e instanceof FdsError) return e.status === 429 || e.status >= 500;
  if (e instanceof ChecksumError) return true;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && NETWORK_CODES.has(code);
}

/** Uploads a file, multipart when it is at least the threshold. */
export async function uploadFile(c: FdsHttp, bucket: string, object: string, path: string, o: UploadOptions = {}): Promise<UploadResult> {
  const st = await stat(path);
  if (!st.isFile()) throw new Error(`${path} is not a regular file`);
  const partSize = o.partSize ?? DEFAULT_PART_SIZE;
  const threshold = o.multipartThreshold ?? partSize;
  if (st.size >= threshold && st.size > 0) return uploadFileMultipart(c, bucket, object, path, st.size, partSize, o);
  const md5 = await md5OfFile(path);
  const meter = new Meter(o.onProgress);
  const result = await putObject(c, bucket, object, { body: through(createReadStream(path), meter), size: st.size, md5 }, o);
  return { bucket, object, size: st.size, md5, multipart: false, result };
}

async function uploadFileMultipart(
  c: FdsHttp,
  bucket: string,
  object: string,
  path: string,
  size: number,
  partSize: number,
  o: UploadOptions,
): Promise<UploadResult> {
  const init = await initMultipart(c, bucket, object, o);
  let full = createHash('md5');
  const parts: UploadPartResult[] = [];
  try {
    for (let start = 0, n = 1; start < size; start += partSize, n++) {
      const end = Math.min(start + partSize, size) - 1;
      const length = end - start + 1;
      let sentOk = false;
      for (let attempt = 1; !sentOk; attempt++) {
        let sent = 0;
        // The whole-object MD5 continues from a copy, kept only if this attempt succeeds.
        const fullAttempt = full.copy();
        const meter = new Meter((b) => {
          sent += b;
          o.onProgress?.(b);
        }, fullAttempt);
        try {
          const part = await uploadPart(c, bucket, init.objectName, init.uploadId, n, {
            body: through(createReadStream(path, { start, end, highWaterMark: 1024 * 1024 }), meter),
            size: length,
          });
          const md5 = meter.hash.digest('hex');
          if (part.etag && part.etag.toLowerCase() !== md5)
            throw new ChecksumError(`part ${n}: server etag ${part.etag} differs from MD5 ${md5}`);
          parts.push({ partNumber: part.partNumber ?? n, etag: part.etag, partSize: part.partSize ?? length });
          full = fullAttempt;
          sentOk = true;
        } catch (e) {
          o.onProgress?.(-sent);
          if (attempt >= (o.partAttempts ?? 3) || !transient(e)) throw e;
        }
      }
    }
    const result = await completeMultipart(c, bucket, init.objectName, init.uploadId, parts, o);
    const md5 = full.digest('hex');
    await checkStoredMd5(c, bucket, init.objectName, md5);
    return { bucket, object: init.objectName, size, md5, multipart: true, parts: parts.length, uploadId: init.uploadId, result };
  } catch (e) {
    await abortMultipart(c, bucket, init.objectName, init.uploadId).catch(() => undefined);
    throw e;
  }
}

/** Uploads a stream of unknown length (stdin) in one chunked PUT, then checks the stored MD5. */
export async function uploadStream(
  c: FdsHttp,
  bucket: string,
  object: string,
  input: Readable,
  o: UploadOptions = {},
): Promise<UploadResult> {
  const meter = new Meter(o.onProgress);
  const result = await putObject(c, bucket, object, { body: through(input, meter) }, o);
  const md5 = meter.hash.digest('hex');
  await checkStoredMd5(c, bucket, object, md5);
  return { bucket, object, size: meter.bytes, md5, multipart: false, result };
}

async function checkStoredMd5(c: FdsHttp, bucket: string, object: string, md5: string): Promise<void> {
  const h = await headObject(c, bucket, object);
  const stored = h?.['content-md5'];
  if (typeof stored === 'string' && stored !== '' && stored.toLowerCase() !== md5) {
    throw new ChecksumError(`stored object ${bucket}/${object} has MD5 ${stored}, sent bytes have ${md5}`);
  }
}
