// Bucket operations (fds-protocol §4, §5.8, §5.9, §8.4): create, delete, exists, list, authorized
// list, info, object listing (and the /trash listing), batch delete.
import type { Static } from '@sinclair/typebox/type';
import { cannedAcl, mergeAcl, ownerAcl } from '../../core/fds/acl.ts';
import { FdsError } from '../../core/fds/errors.ts';
import { checked, DeleteObjectsBody } from '../../core/fds/json-input.ts';
import { ListingBuilder, type ListRequest, listingResult, parseMaxKeys, planListing } from '../../core/fds/listing.ts';
import { rawMeta } from '../../core/fds/metadata.ts';
import { checkBucketName, TRASH_BUCKET } from '../../core/fds/names.ts';
import {
  BucketInfo,
  DeleteObjectsResult,
  ListAllAuthorizedBucketsResult,
  ListAllBucketsResult,
  ListObjectsResult,
  type ObjectBean,
} from '../../core/fds/responses.ts';
import { newBucket } from '../../store/db/fds/columns.ts';
import type { Bucket, ObjectVersion } from '../../store/db/fds/repos.ts';
import { bucketMask, checkBucketAdmin, checkListBucket, checkWrite, creatorOf, requireBucket } from './access.ts';
import { audit, type FdsCall } from './call.ts';
import { factsOf } from './objects.ts';
import { sendEmpty, sendJson } from './replies.ts';
import { readJson } from './streams.ts';

export async function createBucket(c: FdsCall): Promise<void> {
  const name = c.bucket ?? '';
  checkBucketName(name);
  // Buckets belong to developers (fds-protocol §4.1: the owner is the creator's developerId): an
  // app user (storage token, serviceToken) would otherwise squat names developers mean to use.
  if (c.who.kind !== 'developer') throw new FdsError('BucketAccessDenied');
  const owner = creatorOf(c);
  let acl = ownerAcl(owner);
  const canned = c.header('x-xiaomi-acl');
  if (canned) acl = mergeAcl(acl, cannedAcl(canned).bucket);
  if (!(await c.env.buckets.create(newBucket(name, owner, c.env.now(), acl)))) throw new FdsError('BucketAlreadyExists', name);
  await audit(c, 'fds.bucket_created', name, { owner });
  sendEmpty(c);
}

/** DELETE bucket (§4.2): owner only; 409 while live objects remain; versions, trash and uploads are purged. */
export async function deleteBucket(c: FdsCall): Promise<void> {
  const b = await requireBucket(c);
  checkBucketAdmin(c, b);
  await c.env.free(await c.env.buckets.purge(b.name));
  await audit(c, 'fds.bucket_deleted', b.name);
  sendEmpty(c);
}

/** HEAD /{b} (§4.3): 200 or 404, no body, for any caller. */
export async function headBucket(c: FdsCall): Promise<void> {
  if (c.bucket === undefined || !(await c.env.buckets.get(c.bucket))) throw new FdsError('BucketNotFound', c.bucket);
  sendEmpty(c);
}

function bucketEntry(b: Bucket) {
  return { name: b.name, creationTime: b.created_at, orgId: b.owner_id };
}

function owner(c: FdsCall): { id: string; displayName: string } {
  const id = c.who.ownerId ?? '';
  return { id, displayName: c.who.displayName };
}

export async function listBuckets(c: FdsCall): Promise<void> {
  const rows = c.who.ownerId === undefined ? [] : await c.env.buckets.list(c.who.ownerId);
  sendJson(c, ListAllBucketsResult, { owner: owner(c), buckets: rows.map(bucketEntry) });
}

export async function listAuthorizedBuckets(c: FdsCall): Promise<void> {
  const rows = c.who.kind === 'anonymous' ? [] : await c.env.buckets.listNotOwnedBy(c.who.ownerId);
  const mine = rows.filter((b) => bucketMask(c.who, b) !== 0);
  sendJson(c, ListAllAuthorizedBucketsResult, { buckets: mine.map(bucketEntry) });
}

export async function bucketInfo(c: FdsCall): Promise<void> {
  const b = await requireBucket(c);
  if (bucketMask(c.who, b) === 0) throw new FdsError('BucketAccessDenied');
  const stats = await c.env.buckets.stats(b.name);
  sendJson(c, BucketInfo, {
    name: b.name,
    creationTime: b.created_at,
    usedSpace: stats.usedSpace,
    numObjects: stats.numObjects,
    allowOutsideAccess: false,
    enableSSE: false,
    orgId: b.owner_id,
  });
}

function listRequest(c: FdsCall): ListRequest {
  return {
    prefix: c.params.get('prefix') ?? '',
    delimiter: c.params.get('delimiter') ?? '',
    marker: c.params.get('marker') ?? '',
    maxKeys: parseMaxKeys(c.params.get('maxKeys')),
  };
}

function wantsMeta(c: FdsCall): boolean {
  const v = c.params.get('withMetaData');
  return v !== undefined && v !== 'null' && v !== 'false';
}

function objectBean(o: ObjectVersion, name: string, withMeta: boolean): Static<typeof ObjectBean> {
  const facts = factsOf(o);
  return {
    name,
    size: o.size,
    owner: { id: o.owner_id, displayName: o.owner_id },
    etag: o.md5,
    lastModified: new Date(o.created_at).toISOString(),
    uploadTime: o.created_at,
    versionId: o.version_id,
    ...(withMeta ? { metadataBean: { rawMeta: rawMeta(facts) } } : {}),
  };
}

/**
 * Pages through names in [start, end) with `fetch`, feeding the listing builder; a rolled-up
 * common prefix makes the scan jump past every name under it.
 */
async function buildPage<R>(
  bucket: string,
  req: ListRequest,
  fetch: (from: string, end: string | undefined, limit: number) => Promise<R[]>,
  nameOf: (r: R) => string,
  bean: (r: R) => Static<typeof ObjectBean>,
) {
  const plan = planListing(bucket, req);
  const builder = new ListingBuilder<Static<typeof ObjectBean>>(plan);
  let from = plan.start;
  for (;;) {
    const rows = await fetch(from, plan.end, 500);
    for (const r of rows) {
      const name = nameOf(r);
      if (name < from) continue;
      const res = builder.add(name, bean(r));
      if (res.kind === 'full') return builder;
      if (res.kind === 'skip') from = res.from;
    }
    const last = rows[rows.length - 1];
    if (rows.length < 500 || last === undefined) return builder;
    const after = `${nameOf(last)}\u0000`;
    if (after > from) from = after;
  }
}

/** GET /{b}?prefix=… (§5.9), and GET /trash?prefix=… for the caller's trash (§8.4). */
export async function listObjects(c: FdsCall): Promise<void> {
  const req = listRequest(c);
  const withMeta = wantsMeta(c);
  if (c.bucket === TRASH_BUCKET) {
    const ownerId = c.who.ownerId;
    if (ownerId === undefined) throw new FdsError('BucketAccessDenied');
    const builder = await buildPage(
      TRASH_BUCKET,
      req,
      (from, end, limit) => c.env.trash.list(ownerId, from, end, limit),
      (t) => t.trash_name,
      (t) => objectBean(t.obj, t.trash_name, withMeta),
    );
    sendJson(c, ListObjectsResult, listingResult(TRASH_BUCKET, req, builder, withMeta));
    return;
  }
  const b = await requireBucket(c);
  checkListBucket(c, b);
  const builder = await buildPage(
    b.name,
    req,
    (from, end, limit) => c.env.objects.listCurrent(b.name, from, end, limit),
    (o) => o.name,
    (o) => objectBean(o, o.name, withMeta),
  );
  sendJson(c, ListObjectsResult, listingResult(b.name, req, builder, withMeta));
}

/** PUT /{b}?deleteObjects (§5.8): dedupe, null/"" fail, missing names are not failures, ≤1000. */
export async function deleteObjects(c: FdsCall): Promise<void> {
  const b = await requireBucket(c);
  checkWrite(c, b);
  const body = checked(DeleteObjectsBody, await readJson(c.body));
  const toTrash = c.params.get('enableTrash') !== 'false';
  const failures: Static<typeof DeleteObjectsResult> = [];
  const seen = new Set<unknown>();
  for (const name of body) {
    if (seen.has(name)) continue;
    seen.add(name);
    if (typeof name !== 'string' || name === '') {
      failures.push({ object_name: typeof name === 'string' ? name : null, error_code: 400, error_description: 'Invalid Object Name' });
      continue;
    }
    await c.env.objects.deleteCurrent(b.name, name, toTrash ? b.owner_id : undefined);
  }
  sendJson(c, DeleteObjectsResult, failures);
}
