// Bucket and object operations over the signing transport, each sending what the SDKs send
// (fds-protocol §4, §5, §6): one function per operation, no buffering of object bytes.
import type { Readable } from 'node:stream';
import type { FdsHttp, FdsResponse } from './http.ts';
import type {
  DeleteObjectsFailure,
  InitMultipartUploadResult,
  ListBucketsResult,
  ListObjectsResult,
  PutObjectResult,
  UploadPartResult,
} from './types.ts';

/** Metadata sent with a put or multipart init/complete. */
export interface UploadMetadata {
  contentType?: string;
  /** User metadata; keys without the `x-xiaomi-meta-` prefix. */
  meta?: Record<string, string>;
}

export function metadataHeaders(m: UploadMetadata = {}): Record<string, string> {
  const h: Record<string, string> = {};
  if (m.contentType) h['content-type'] = m.contentType;
  for (const [k, v] of Object.entries(m.meta ?? {})) h[`x-xiaomi-meta-${k.toLowerCase()}`] = v;
  return h;
}

const q = encodeURIComponent;

export function createBucket(c: FdsHttp, bucket: string): Promise<FdsResponse> {
  return c.empty({ method: 'PUT', bucket });
}

export function deleteBucket(c: FdsHttp, bucket: string): Promise<FdsResponse> {
  return c.empty({ method: 'DELETE', bucket });
}

export async function listBuckets(c: FdsHttp): Promise<ListBucketsResult> {
  const r = await c.json<ListBucketsResult>({ method: 'GET' });
  return { owner: r.owner, buckets: r.buckets ?? [] };
}

export interface ListOptions {
  prefix?: string;
  /** '/' rolls names up into common prefixes; '' lists flat. */
  delimiter?: string;
  marker?: string;
  maxKeys?: number;
}

export function listObjectsPage(c: FdsHttp, bucket: string, o: ListOptions = {}): Promise<ListObjectsResult> {
  let query = `prefix=${q(o.prefix ?? '')}&delimiter=${q(o.delimiter ?? '/')}`;
  if (o.marker) query += `&marker=${q(o.marker)}`;
  if (o.maxKeys) query += `&maxKeys=${o.maxKeys}`;
  return c.json<ListObjectsResult>({ method: 'GET', bucket, query });
}

/** Every page of a listing, following `nextMarker` while `truncated`. */
export async function* listObjects(c: FdsHttp, bucket: string, o: ListOptions = {}): AsyncGenerator<ListObjectsResult> {
  let marker = o.marker;
  for (;;) {
    const page = await listObjectsPage(c, bucket, { ...o, ...(marker ? { marker } : {}) });
    yield page;
    if (!page.truncated || !page.nextMarker || page.nextMarker === marker) return;
    marker = page.nextMarker;
  }
}

/** HEAD an object: its headers, or undefined when it does not exist (404). */
export async function headObject(c: FdsHttp, bucket: string, object: string): Promise<FdsResponse['headers'] | undefined> {
  try {
    return (await c.empty({ method: 'HEAD', bucket, object })).headers;
  } catch (e) {
    if ((e as { status?: number }).status === 404) return undefined;
    throw e;
  }
}

/** GET an object; the caller consumes `body`. `range` is a `bytes=` header value. */
export function getObject(c: FdsHttp, bucket: string, object: string, range?: string): Promise<FdsResponse> {
  return c.send({ method: 'GET', bucket, object, ...(range ? { headers: { range } } : {}) });
}

export interface PutBody {
  body: Buffer | Readable;
  /** Required for a stream unless it is to be sent chunked. */
  size?: number;
  /** Lower-case hex MD5 for the Content-MD5 header (the server rejects a mismatch). */
  md5?: string;
}

export function putObject(c: FdsHttp, bucket: string, object: string, b: PutBody, m: UploadMetadata = {}): Promise<PutObjectResult> {
  return c.json<PutObjectResult>({
    method: 'PUT',
    bucket,
    object,
    headers: { ...metadataHeaders(m), ...(b.md5 ? { 'content-md5': b.md5 } : {}) },
    body: b.body,
    ...(b.size !== undefined ? { contentLength: b.size } : {}),
  });
}

/** DELETE an object; to trash unless `permanent`. Resolves with the deleted version id, if any. */
export async function deleteObject(c: FdsHttp, bucket: string, object: string, permanent = false): Promise<string | undefined> {
  const r = await c.empty({ method: 'DELETE', bucket, object, ...(permanent ? { query: 'enableTrash=false' } : {}) });
  const v = r.headers['object-version-id'];
  return typeof v === 'string' ? v : undefined;
}

/** Batch delete (≤ 1000 names); resolves with the failures the server reports. */
export function deleteObjects(c: FdsHttp, bucket: string, names: string[], permanent = false): Promise<DeleteObjectsFailure[]> {
  return c
    .json<DeleteObjectsFailure[]>({
      method: 'PUT',
      bucket,
      query: permanent ? 'deleteObjects&enableTrash=false' : 'deleteObjects',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(names),
    })
    .then((r) => r ?? []);
}

export function initMultipart(c: FdsHttp, bucket: string, object: string, m: UploadMetadata = {}): Promise<InitMultipartUploadResult> {
  return c.json<InitMultipartUploadResult>({ method: 'PUT', bucket, object, query: 'uploads', headers: metadataHeaders(m) });
}

export function uploadPart(
  c: FdsHttp,
  bucket: string,
  object: string,
  uploadId: string,
  partNumber: number,
  b: PutBody,
): Promise<UploadPartResult> {
  return c.json<UploadPartResult>({
    method: 'PUT',
    bucket,
    object,
    query: `uploadId=${q(uploadId)}&partNumber=${partNumber}`,
    headers: b.md5 ? { 'content-md5': b.md5 } : {},
    body: b.body,
    ...(b.size !== undefined ? { contentLength: b.size } : {}),
  });
}

export function completeMultipart(
  c: FdsHttp,
  bucket: string,
  object: string,
  uploadId: string,
  parts: UploadPartResult[],
  m: UploadMetadata = {},
): Promise<PutObjectResult> {
  return c.json<PutObjectResult>({
    method: 'PUT',
    bucket,
    object,
    query: `uploadId=${q(uploadId)}`,
    headers: metadataHeaders(m),
    body: JSON.stringify({ uploadPartResultList: parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag, partSize: p.partSize })) }),
  });
}

export function abortMultipart(c: FdsHttp, bucket: string, object: string, uploadId: string): Promise<FdsResponse> {
  return c.empty({ method: 'DELETE', bucket, object, query: `uploadId=${q(uploadId)}` });
}
