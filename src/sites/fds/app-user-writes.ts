// What an app user (OAuth storage token or SSO serviceToken caller, §2.4–§2.6) may change. The
// bucket's SSO_WRITE lets app users create objects; overwriting, deleting, renaming or finishing
// an upload over an existing object then needs that object to be theirs (or object FULL_CONTROL).
// A bucket WRITE grant ("create / overwrite / delete objects", §7.1) lifts the restriction, and the
// bucket owner (the app's developer) is never restricted. Batch delete and restore-from-trash need
// WRITE. Which operation needs what is said in the operation table (operations.ts, `appUser`).
// Runs before the handler (plugin.ts), and again at commit (replaceCheck: a name created while the
// body streamed in); other callers pass through untouched. A multipart upload belongs to the app
// user who started it: without WRITE, parts, listings, completion and abort are theirs alone
// (uploadOwnerFilter, checkUploadOwner).
import { has, maskFor, PERMISSIONS } from '../../core/fds/acl.ts';
import { FdsError } from '../../core/fds/errors.ts';
import type { Bucket, MayReplace, ObjectVersion, Upload } from '../../store/db/fds/repos.ts';
import { bucketMask } from './access.ts';
import type { FdsCall } from './call.ts';

/**
 * What an app user needs for an operation besides SSO_WRITE: 'own-object' for operations that
 * replace or remove the object named by the path (and, for rename, the destination), 'bucket-write'
 * for batch delete and restore.
 */
export type AppUserRule = 'own-object' | 'bucket-write';

export async function guardAppUserWrite(c: FdsCall, rule: AppUserRule | undefined): Promise<void> {
  if (rule === undefined || c.who.kind !== 'app-user' || c.bucket === undefined) return;
  const b = await c.env.buckets.get(c.bucket);
  if (!b) return; // the handler answers 404
  if (has(bucketMask(c.who, b), PERMISSIONS.WRITE)) return;
  if (rule === 'bucket-write') throw new FdsError('BucketAccessDenied');
  const op = c.op.op;
  const names = [c.object ?? ''];
  if (op === 'renameObject') names.push(c.params.get('renameTo') ?? '');
  const vid = op === 'deleteObject' ? c.params.get('versionId') : undefined;
  for (const name of names) {
    const o = vid ? await c.env.objects.version(b.name, vid) : await c.env.objects.current(b.name, name);
    if (o) checkMayReplace(c, o);
  }
}

function checkMayReplace(c: FdsCall, o: ObjectVersion): void {
  if (o.owner_id === c.who.ownerId) return;
  if (maskFor(o.acl, c.who) === PERMISSIONS.FULL_CONTROL) return;
  throw new FdsError('ObjectAccessDenied');
}

/**
 * The same rule again at commit time (put, copy, multipart complete, and delete and rename too),
 * inside the transaction that replaces the current version: the check above ran before the body streamed in, and meanwhile
 * someone else may have created the name. Undefined when the caller is not restricted.
 */
export function replaceCheck(c: FdsCall, b: Bucket): MayReplace | undefined {
  if (!restricted(c, b)) return undefined;
  return (current) => checkMayReplace(c, current);
}

/** An app user writing through SSO_WRITE only: the owner rule applies to them. */
function restricted(c: FdsCall, b: Bucket): boolean {
  return c.who.kind === 'app-user' && !has(bucketMask(c.who, b), PERMISSIONS.WRITE);
}

/** Whose uploads a `?uploads` listing shows: a restricted app user's own; everyone's otherwise. */
export function uploadOwnerFilter(c: FdsCall, b: Bucket): string | undefined {
  return restricted(c, b) ? (c.who.ownerId ?? '') : undefined;
}

/** Parts, list parts, complete and abort of an upload someone else started: 403 for a restricted app user. */
export function checkUploadOwner(c: FdsCall, b: Bucket, up: Upload): void {
  if (restricted(c, b) && (c.who.ownerId === undefined || up.owner_id !== c.who.ownerId)) throw new FdsError('ObjectAccessDenied');
}
