// Object operations (fds-protocol §5, §8): put, post, get (Range), head, metadata, delete (to
// trash, or for good), rename, copy, restore, set metadata, version ids. Bodies stream straight
// into the blob store; metadata is committed only once the blob is durable.
import { Readable } from 'node:stream';
import { cannedAcl, mergeAcl, ownerAcl } from '../../core/fds/acl.ts';
import { antiStealingValid, isAntiStealingConfig } from '../../core/fds/anti-stealing.ts';
import { FdsError } from '../../core/fds/errors.ts';
import { CopyObjectBody, checked, SetMetaDataBody } from '../../core/fds/json-input.ts';
import {
  isHeaderValue,
  metadataHeaders,
  metaFromHeaders,
  metaFromRaw,
  type ObjectMeta,
  type StoredObjectFacts,
} from '../../core/fds/metadata.ts';
import { checkObjectName, TRASH_BUCKET } from '../../core/fds/names.ts';
import { resolveRange } from '../../core/fds/range.ts';
import { PutObjectResult, VersionIds } from '../../core/fds/responses.ts';
import { userContentHeaders } from '../../core/fds/user-content.ts';
import { newObjectName, newVersionId } from '../../services/fds/ids.ts';
import { type ByteRange, readBytes } from '../../store/blobs/blob-store.ts';
import { READ_CACHE_MAX_ENTRY } from '../../store/blobs/read-cache.ts';
import type { Bucket, ObjectVersion } from '../../store/db/fds/repos.ts';
import { canReadObject, checkReadObject, checkWrite, creatorOf, requireBucket } from './access.ts';
import { replaceCheck } from './app-user-writes.ts';
import type { FdsCall } from './call.ts';
import { normalizeMd5, type StoredBlob } from './env.ts';
import { uploadBody, uploadLength } from './java-md5-trailer.ts';
import { chargeBytes } from './quota.ts';
import { type Body, sendCased, sendEmpty, sendJson } from './replies.ts';
import { putObjectResult } from './results.ts';
import { readJson } from './streams.ts';

export function factsOf(o: ObjectVersion): StoredObjectFacts {
  return {
    size: o.size,
    md5: o.md5,
    uploadTime: o.created_at,
    meta: { contentType: o.content_type, headers: o.meta },
    versionId: o.version_id,
    ownerId: o.owner_id,
  };
}

/** A new version of `name` with the caller as owner. */
export function newVersion(
  c: FdsCall,
  bucket: string,
  name: string,
  blob: { key: string; size: number; md5: string },
  meta: ObjectMeta,
): ObjectVersion {
  const creator = creatorOf(c);
  let acl = ownerAcl(creator);
  const canned = c.header('x-xiaomi-acl');
  if (canned) acl = mergeAcl(acl, cannedAcl(canned).object);
  const now = c.env.now();
  return {
    version_id: newVersionId(now),
    bucket,
    name,
    is_current: 1,
    size: blob.size,
    md5: blob.md5,
    content_type: meta.contentType,
    meta: meta.headers,
    acl,
    owner_id: creator,
    blob_key: blob.key,
    storage_class: c.header('x-xiaomi-storage-class') ?? null,
    created_at: now,
    noncurrent_at: null,
  };
}

async function storeObject(c: FdsCall, b: Bucket, name: string): Promise<void> {
  checkWrite(c, b);
  if (c.header('x-xiaomi-acl')) cannedAcl(c.header('x-xiaomi-acl') ?? ''); // validate before reading the body
  const blob = await c.env.storeBlob(uploadBody(c), normalizeMd5(c.header('content-md5')), uploadLength(c));
  await commitNewVersion(c, b, name, blob, metaFromHeaders(c.headers));
}

/** Makes a stored blob the current version of `name` (the blob is discarded if that fails); answers PutObjectResult. */
export async function commitNewVersion(c: FdsCall, b: Bucket, name: string, blob: StoredBlob, meta: ObjectMeta): Promise<void> {
  let v: ObjectVersion;
  let previous: string | undefined;
  try {
    v = newVersion(c, b.name, name, blob, meta);
    previous = await c.env.objects.commit(v, replaceCheck(c, b));
  } catch (e) {
    await c.env.discard(blob.key);
    throw e;
  }
  sendJson(c, PutObjectResult, await putObjectResult(c, b.name, name, previous, v.version_id));
}

export async function putObject(c: FdsCall): Promise<void> {
  const name = c.object ?? '';
  checkObjectName(name);
  await storeObject(c, await requireBucket(c), name);
}

export async function postObject(c: FdsCall): Promise<void> {
  await storeObject(c, await requireBucket(c), newObjectName());
}

/** The version a GET/HEAD/metadata call addresses (current, `versionId`, or a trash entry). */
export async function addressed(c: FdsCall): Promise<{ b: Bucket | undefined; o: ObjectVersion }> {
  const name = c.object ?? '';
  if (c.bucket === TRASH_BUCKET) {
    const owner = c.who.ownerId;
    const t = owner === undefined ? undefined : await c.env.trash.entry(owner, name);
    const o = t ? await c.env.objects.version(t.bucket, t.version_id) : undefined;
    if (!o) throw new FdsError('ObjectNotFound');
    return { b: undefined, o };
  }
  const b = await requireBucket(c);
  let vid = c.params.get('versionId');
  const bound = c.who.kind === 'server' ? c.who.boundVersionId : undefined;
  if (c.who.kind === 'server') {
    // A server-signed URL reads its own version (even after an overwrite), and only while it exists.
    if (bound === undefined || (vid && vid !== bound)) throw new FdsError('ObjectAccessDenied');
    vid = bound;
  }
  const o = vid ? await c.env.objects.version(b.name, vid) : await c.env.objects.current(b.name, name);
  if (!o || o.name !== name) throw new FdsError('ObjectNotFound');
  if (!antiStealingAllows(c, b)) checkReadObject(c, b, o);
  return { b, o };
}

/** An anonymous GET with a valid anti-stealing `sign`/`t` pair (§5.12) reads like a public object. */
function antiStealingAllows(c: FdsCall, b: Bucket): boolean {
  const sign = c.params.get('sign');
  const t = c.params.get('t');
  if (c.who.kind !== 'anonymous' || !sign || !t || c.method !== 'GET') return false;
  const cfg = b.configs.antiStealingLink?.body;
  return isAntiStealingConfig(cfg) && antiStealingValid(cfg, b.name, c.object ?? '', sign, t, c.env.now());
}

function objectHeaders(o: ObjectVersion): Record<string, string> {
  const h = metadataHeaders(factsOf(o));
  if (o.storage_class) h['x-xiaomi-storage-class'] = o.storage_class;
  return h;
}

const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'Content-Type',
  'response-cache-control': 'Cache-Control',
  'response-content-encoding': 'Content-Encoding',
  'response-content-disposition': 'Content-Disposition',
  'response-expires': 'Expires',
};

/**
 * The object's headers for a GET/HEAD answer: the `response-*` overrides of a signed request
 * (presigned URL, signature, storage token, SSO; an anonymous reader may not change how a public
 * object is served), then the browser-safety headers of core/fds/user-content.ts.
 */
function servedHeaders(c: FdsCall, b: Bucket | undefined, o: ObjectVersion): Record<string, string> {
  const h = objectHeaders(o);
  let dispositionAsked = false;
  if (c.who.kind !== 'anonymous') {
    for (const [param, header] of Object.entries(RESPONSE_OVERRIDES)) {
      const v = c.params.get(param);
      if (!v || !isHeaderValue(v)) continue;
      h[header] = v;
      if (header === 'Content-Disposition') dispositionAsked = true;
    }
  }
  const safe = userContentHeaders({
    contentType: h['Content-Type'] ?? '',
    disposition: h['Content-Disposition'],
    dispositionAsked,
    website: b !== undefined && b.configs.website !== undefined,
  });
  return { ...h, ...safe };
}

/**
 * The body of a GET. Bodies up to READ_CACHE_MAX_ENTRY bytes are read into one buffer with one
 * read (BlobStore.read) and sent whole; an object this small is read whole even for a range, so
 * that the node's read cache (store/blobs/read-cache.ts) serves its next GETs. Larger ones are
 * sent through reused buffers where the store can (BlobStore.openForSend), else streamed.
 */
async function bodyOf(c: FdsCall, o: ObjectVersion, range: ByteRange | undefined, length: number): Promise<Body | undefined> {
  const blobs = c.env.ctx.blobs;
  if (o.size === 0) return undefined;
  if (o.size <= READ_CACHE_MAX_ENTRY) {
    const whole = await readBytes(blobs, o.blob_key, 0, o.size);
    return range ? whole.subarray(range.start, range.end + 1) : whole;
  }
  if (length <= READ_CACHE_MAX_ENTRY && range) return readBytes(blobs, o.blob_key, range.start, length);
  if (blobs.openForSend) return blobs.openForSend(o.blob_key, range ?? { start: 0, end: o.size - 1 });
  return blobs.get(o.blob_key, range);
}

export async function getObject(c: FdsCall): Promise<void> {
  const { b, o } = await addressed(c);
  const range = resolveRange(c.header('range'), o.size);
  const length = range ? range.end - range.start + 1 : o.size;
  if (b) await chargeBytes(c, b, length);
  // The headers first: nothing may fail between opening the body and handing it to sendCased.
  const h = servedHeaders(c, b, o);
  h['Accept-Ranges'] = 'bytes';
  if (range) {
    h['Content-Range'] = `bytes ${range.start}-${range.end}/${o.size}`;
    h['Content-Length'] = String(range.end - range.start + 1);
  } else {
    h['Content-Length'] = String(o.size);
  }
  sendCased(c, range ? 206 : 200, h, await bodyOf(c, o, range, length));
}

export async function headObject(c: FdsCall): Promise<void> {
  const { b, o } = await addressed(c);
  sendCased(c, 200, { ...servedHeaders(c, b, o), 'Content-Length': String(o.size) });
}

export async function getObjectMetadata(c: FdsCall): Promise<void> {
  const { o } = await addressed(c);
  sendCased(c, 200, { ...objectHeaders(o), 'Content-Length': '0' });
}

/** DELETE object (§5.10): to the bucket owner's trash unless `enableTrash=false`; `versionId` removes that version. */
export async function deleteObject(c: FdsCall): Promise<void> {
  const name = c.object ?? '';
  if (c.bucket === TRASH_BUCKET) {
    const keys = await c.env.trash.purge(creatorOf(c), name);
    if (!keys) throw new FdsError('ObjectNotFound');
    await c.env.free(keys);
    sendEmpty(c);
    return;
  }
  const b = await requireBucket(c);
  checkWrite(c, b);
  const vid = c.params.get('versionId');
  if (vid) {
    const o = await c.env.objects.version(b.name, vid);
    if (!o || o.name !== name) throw new FdsError('ObjectNotFound');
    await c.env.free(await c.env.objects.deleteVersions([vid]));
    c.reply.header('object-version-id', vid);
    sendEmpty(c);
    return;
  }
  const toTrash = c.params.get('enableTrash') !== 'false';
  const deleted = await c.env.objects.deleteCurrent(b.name, name, toTrash ? b.owner_id : undefined, replaceCheck(c, b));
  if (!deleted) throw new FdsError('ObjectNotFound');
  c.reply.header('object-version-id', deleted);
  sendEmpty(c);
}

export async function renameObject(c: FdsCall): Promise<void> {
  const b = await requireBucket(c);
  checkWrite(c, b);
  const dst = c.params.get('renameTo') ?? '';
  checkObjectName(dst);
  if (!(await c.env.objects.rename(b.name, c.object ?? '', dst, replaceCheck(c, b)))) throw new FdsError('ObjectNotFound');
  sendEmpty(c);
}

/** Copy (§5.7): body `{"srcBucketName","srcObjectName"}`; READ on the source, WRITE on the destination. */
export async function copyObject(c: FdsCall): Promise<void> {
  const name = c.object ?? '';
  checkObjectName(name);
  const b = await requireBucket(c);
  checkWrite(c, b);
  const body = checked(CopyObjectBody, await readJson(c.body));
  const sb = await requireBucket(c, body.srcBucketName);
  const src = await c.env.objects.current(sb.name, body.srcObjectName);
  if (!src) throw new FdsError('ObjectNotFound');
  checkReadObject(c, sb, src);
  const facts = factsOf(src);
  const stream = src.size === 0 ? Readable.from([]) : await c.env.ctx.blobs.get(src.blob_key);
  const blob = await c.env.storeBlob(stream, undefined, src.size);
  await commitNewVersion(c, b, name, blob, facts.meta);
}

/** Restore from trash (§8.4): the newest trash entry becomes current again. */
export async function restoreObject(c: FdsCall): Promise<void> {
  const b = await requireBucket(c);
  checkWrite(c, b);
  if (!(await c.env.trash.restore(b.owner_id, b.name, c.object ?? ''))) throw new FdsError('ObjectNotFound');
  sendEmpty(c);
}

/** `PUT ?setMetaData` body `{"rawMeta":{...}}`: replaces the current version's metadata. */
export async function setObjectMetadata(c: FdsCall): Promise<void> {
  const b = await requireBucket(c);
  checkWrite(c, b);
  const o = await c.env.objects.current(b.name, c.object ?? '');
  if (!o) throw new FdsError('ObjectNotFound');
  const meta = metaFromRaw(checked(SetMetaDataBody, await readJson(c.body)).rawMeta);
  await c.env.objects.change(o.version_id, () => ({ content_type: meta.contentType, meta: meta.headers }));
  sendEmpty(c);
}

/**
 * `GET ?versionIds` (§8.2): non-current version ids, newest first — only those the caller could
 * read (an app user sees its own, not the versions other owners left under the same name).
 */
export async function listVersionIds(c: FdsCall): Promise<void> {
  const b = await requireBucket(c);
  const name = c.object ?? '';
  const cur = await c.env.objects.current(b.name, name);
  if (cur) checkReadObject(c, b, cur);
  else checkWrite(c, b);
  const versions = await c.env.objects.nonCurrent(b.name, name);
  sendJson(
    c,
    VersionIds,
    versions.filter((o) => canReadObject(c, b, o)).map((o) => o.version_id),
  );
}
