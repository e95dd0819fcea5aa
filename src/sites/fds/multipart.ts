// Multipart upload (fds-protocol §6): init (PUT ?uploads, or POST /{b}/?uploads with a generated
// name), parts (no minimum size; a re-upload replaces), complete (each listed part once, at most
// 10,000, concatenated in part-number order into one blob, full-object MD5, metadata from init
// overridden by the complete request), abort, and the Go SDK's list uploads / list parts.
import { Readable } from 'node:stream';
import { FdsError } from '../../core/fds/errors.ts';
import { metaFromHeaders } from '../../core/fds/metadata.ts';
import { checkObjectName } from '../../core/fds/names.ts';
import { CompleteMultipartBody, parsePartList } from '../../core/fds/part-list.ts';
import {
  InitMultipartUploadResult,
  ListMultipartUploadsResult,
  PutObjectResult,
  UploadPartResult,
  UploadPartResultList,
} from '../../core/fds/responses.ts';
import { newObjectName, newUploadId } from '../../services/fds/ids.ts';
import type { Bucket, Upload } from '../../store/db/fds/repos.ts';
import { checkWrite, creatorOf, requireBucket } from './access.ts';
import { checkUploadOwner, replaceCheck, uploadOwnerFilter } from './app-user-writes.ts';
import type { FdsCall } from './call.ts';
import { normalizeMd5 } from './env.ts';
import { uploadBody, uploadLength } from './java-md5-trailer.ts';
import { newVersion } from './objects.ts';
import { sendEmpty, sendJson } from './replies.ts';
import { putObjectResult } from './results.ts';
import { concatStreams, readJsonBody } from './streams.ts';

/** The Java SDK sends this on every control call; it is not the object's type (§6.1). */
const JAVA_CONTROL_TYPE = /^application\/json;\s*charset=utf-8$/i;

async function init(c: FdsCall, name: string): Promise<void> {
  const b = await requireBucket(c);
  checkWrite(c, b);
  checkObjectName(name);
  const meta = metaFromHeaders(c.headers);
  const givenType = c.header('content-type');
  const upload: Upload = {
    upload_id: newUploadId(),
    bucket: b.name,
    name,
    owner_id: creatorOf(c),
    content_type: givenType && !JAVA_CONTROL_TYPE.test(givenType) ? meta.contentType : null,
    meta: meta.headers,
    created_at: c.env.now(),
  };
  await c.env.uploads.create(upload);
  sendJson(c, InitMultipartUploadResult, { bucketName: b.name, objectName: name, uploadId: upload.upload_id });
}

export const initMultipart = (c: FdsCall) => init(c, c.object ?? '');
export const postInitMultipart = (c: FdsCall) => init(c, newObjectName());

/** The upload named by `uploadId`, when it is this path's and the caller may work on it. */
async function requireUpload(c: FdsCall, b: Bucket): Promise<Upload> {
  const id = c.params.get('uploadId') ?? '';
  const up = id ? await c.env.uploads.get(id) : undefined;
  if (!up || up.bucket !== c.bucket || up.name !== c.object) throw new FdsError('MultipartUploadExpired', 'no such upload');
  checkUploadOwner(c, b, up);
  return up;
}

export async function uploadPart(c: FdsCall): Promise<void> {
  const b = await requireBucket(c);
  checkWrite(c, b);
  const raw = c.params.get('partNumber') ?? '';
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 10000) throw new FdsError('InvalidPartNumberOrSize');
  const partNumber = Number(raw);
  const up = await requireUpload(c, b);
  const blob = await c.env.storeBlob(uploadBody(c), normalizeMd5(c.header('content-md5')), uploadLength(c));
  const stored = await c.env.uploads
    .putPart({
      upload_id: up.upload_id,
      part_number: partNumber,
      blob_key: blob.key,
      size: blob.size,
      md5: blob.md5,
      created_at: c.env.now(),
    })
    .catch(async (e: unknown) => {
      await c.env.discard(blob.key);
      throw e;
    });
  if (!stored) {
    await c.env.discard(blob.key);
    throw new FdsError('MultipartUploadExpired', 'the upload was completed or aborted meanwhile');
  }
  sendJson(c, UploadPartResult, { partNumber, etag: blob.md5, partSize: blob.size });
}

export async function completeMultipart(c: FdsCall): Promise<void> {
  const b = await requireBucket(c);
  checkWrite(c, b);
  const up = await requireUpload(c, b);
  const body = await readJsonBody(c.body, CompleteMultipartBody);
  const listed = parsePartList(body?.uploadPartResultList);
  const parts = new Map((await c.env.uploads.parts(up.upload_id)).map((p) => [p.part_number, p]));
  const chosen = listed.map((entry) => {
    const p = parts.get(entry.partNumber);
    if (!p) throw new FdsError('InvalidPartNumberOrSize', `part ${entry.partNumber} was not uploaded`);
    if (entry.etag !== undefined && entry.etag !== p.md5)
      throw new FdsError('InvalidPartNumberOrSize', `etag of part ${entry.partNumber} does not match`);
    return p;
  });
  const stream =
    chosen.length === 0
      ? Readable.from([])
      : concatStreams(chosen.map((p) => () => (p.size === 0 ? Promise.resolve(Readable.from([])) : c.env.ctx.blobs.get(p.blob_key))));
  const blob = await c.env.storeBlob(
    stream,
    undefined,
    chosen.reduce((n, p) => n + p.size, 0),
  );
  // Metadata: init's, overridden by what the complete request carries.
  const now = metaFromHeaders(c.headers);
  const givenType = c.header('content-type');
  const contentType = givenType && givenType.trim() !== '' ? now.contentType : (up.content_type ?? now.contentType);
  const v = newVersion(c, b.name, up.name, blob, { contentType, headers: { ...up.meta, ...now.headers } });
  const done = await c.env.uploads.complete(up.upload_id, v, replaceCheck(c, b)).catch(async (e: unknown) => {
    await c.env.discard(blob.key);
    throw e;
  });
  if (!done) {
    await c.env.discard(blob.key);
    throw new FdsError('MultipartUploadExpired', 'the upload was completed or aborted meanwhile');
  }
  await c.env.free(done.freed);
  sendJson(c, PutObjectResult, await putObjectResult(c, b.name, up.name, done.previous, v.version_id));
}

export async function abortMultipart(c: FdsCall): Promise<void> {
  const b = await requireBucket(c);
  checkWrite(c, b);
  const up = await requireUpload(c, b);
  const freed = await c.env.uploads.abort(up.upload_id);
  if (freed) await c.env.free(freed);
  sendEmpty(c);
}

export async function listParts(c: FdsCall): Promise<void> {
  const b = await requireBucket(c);
  checkWrite(c, b);
  const up = await requireUpload(c, b);
  const parts = await c.env.uploads.parts(up.upload_id);
  sendJson(c, UploadPartResultList, {
    uploadPartResultList: parts.map((p) => ({ partNumber: p.part_number, etag: p.md5, partSize: p.size, lastModified: p.created_at })),
  });
}

/** Uploads listed per answer (markers are not supported: a truncated answer says so). */
const UPLOADS_PAGE = 1000;

export async function listUploads(c: FdsCall): Promise<void> {
  const b = await requireBucket(c);
  checkWrite(c, b);
  const prefix = c.params.get('prefix') ?? '';
  const uploads = await c.env.uploads.list(b.name, prefix, UPLOADS_PAGE + 1, uploadOwnerFilter(c, b));
  sendJson(c, ListMultipartUploadsResult, {
    bucketName: b.name,
    prefix,
    delimiter: c.params.get('delimiter') ?? '',
    maxKeys: UPLOADS_PAGE,
    marker: c.params.get('marker') ?? '',
    isTruncated: uploads.length > UPLOADS_PAGE,
    nextMarker: null,
    commonPrefixes: [],
    uploads: uploads.slice(0, UPLOADS_PAGE).map((u) => ({ objectName: u.name, uploadId: u.upload_id, uploadParts: [] })),
  });
}
