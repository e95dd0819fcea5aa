// Permission evaluation (fds-protocol §2.6, §7.1): owners do everything; others get the OR of the
// masks of every grant that names them. Denials are 403 "Bucket Access Denied" / "Object Access Denied".
import { type FdsIdentity, has, maskFor, PERMISSIONS } from '../../core/fds/acl.ts';
import { FdsError } from '../../core/fds/errors.ts';
import type { Bucket, ObjectVersion } from '../../store/db/fds/repos.ts';
import type { FdsCall } from './call.ts';
import { enforceQuota } from './quota.ts';

export function ownsBucket(who: FdsIdentity, b: Bucket): boolean {
  return who.ownerId !== undefined && who.ownerId === b.owner_id;
}

export function bucketMask(who: FdsIdentity, b: Bucket): number {
  return ownsBucket(who, b) ? PERMISSIONS.FULL_CONTROL : maskFor(b.acl, who);
}

function deny(kind: 'bucket' | 'object'): never {
  throw new FdsError(kind === 'bucket' ? 'BucketAccessDenied' : 'ObjectAccessDenied');
}

/** Bucket not found (404) before any permission answer; the bucket's quotas count the request (quota.ts). */
export async function requireBucket(c: FdsCall, name = c.bucket): Promise<Bucket> {
  const b = name === undefined ? undefined : await c.env.buckets.get(name);
  if (!b) throw new FdsError('BucketNotFound', name);
  if (name === c.bucket) await enforceQuota(c, b);
  return b;
}

export function checkListBucket(c: FdsCall, b: Bucket): void {
  if (c.who.readOnly || !has(bucketMask(c.who, b), PERMISSIONS.READ)) deny('bucket');
}

/** put / post / delete / rename / multipart / batch delete / restore (§2.6). */
export function checkWrite(c: FdsCall, b: Bucket): void {
  if (c.who.readOnly) deny('bucket');
  const m = bucketMask(c.who, b);
  if (has(m, PERMISSIONS.WRITE)) return;
  if (c.who.ssoWrite && has(m, PERMISSIONS.SSO_WRITE)) return;
  deny('bucket');
}

/** Bucket ACL and configuration: owner or FULL_CONTROL. */
export function checkBucketAdmin(c: FdsCall, b: Bucket): void {
  if (c.who.readOnly || bucketMask(c.who, b) !== PERMISSIONS.FULL_CONTROL) deny('bucket');
}

function ownsObject(who: FdsIdentity, o: ObjectVersion): boolean {
  return who.ownerId !== undefined && who.ownerId === o.owner_id;
}

/**
 * get / head / metadata: object READ or bucket READ_OBJECTS. A server-signed URL reads only the
 * version it is bound to.
 */
export function canReadObject(c: FdsCall, b: Bucket, o: ObjectVersion): boolean {
  if (c.who.kind === 'server') return c.who.boundVersionId !== undefined && c.who.boundVersionId === o.version_id;
  if (ownsObject(c.who, o)) return true;
  if (has(bucketMask(c.who, b), PERMISSIONS.READ_OBJECTS)) return true;
  return has(maskFor(o.acl, c.who), PERMISSIONS.READ);
}

export function checkReadObject(c: FdsCall, b: Bucket, o: ObjectVersion): void {
  if (!canReadObject(c, b, o)) deny('object');
}

/** A URL this server signed reads its one object version and does nothing else (operations.ts marks those reads). */
export function checkServerScope(c: FdsCall, serverSigned: boolean | undefined): void {
  if (c.who.kind === 'server' && !serverSigned) deny('object');
}

/** Object ACL: owner, object FULL_CONTROL, or bucket FULL_CONTROL. */
export function checkObjectAdmin(c: FdsCall, b: Bucket, o: ObjectVersion): void {
  if (c.who.readOnly) deny('object');
  if (ownsObject(c.who, o)) return;
  if (bucketMask(c.who, b) === PERMISSIONS.FULL_CONTROL) return;
  if (maskFor(o.acl, c.who) === PERMISSIONS.FULL_CONTROL) return;
  deny('object');
}

/** Callers without an owner id (anonymous, server presign) cannot create things. */
export function creatorOf(c: FdsCall): string {
  const id = c.who.creatorId ?? c.who.ownerId;
  if (id === undefined) deny('bucket');
  return id;
}
