// What an app user (OAuth storage token or SSO serviceToken caller, §2.4–§2.6) may change. The
// bucket's SSO_WRITE lets app users create objects; overwriting, deleting, renaming or finishing
// an upload over an existing object then needs that object to be theirs (or object FULL_CONTROL).
// A bucket WRITE grant ("create / overwrite / delete objects", §7.1) lifts the restriction, and the
// bucket owner (the app's developer) is never restricted. Batch delete and restore-from-trash need
// WRITE. Runs before the handler (plugin.ts), and again at commit (replaceCheck: a name created
// while the body streamed in); other callers pass through untouched.
import { has, maskFor, PERMISSIONS } from '../../core/fds/acl.ts';
import { FdsError } from '../../core/fds/errors.ts';
import type { BucketRow, ObjectRow } from '../../store/db/fds-repo.ts';
import { bucketMask, parseAcl } from './access.ts';
import type { FdsCall } from './call.ts';

/** Operations that replace or remove the object named by the path. */
const OBJECT_WRITES = new Set([
  'putObject',
  'deleteObject',
  'renameObject',
  'copyObject',
  'initMultipart',
  'uploadPart',
  'completeMultipart',
  'abortMultipart',
  'setObjectMetadata',
]);
const NEEDS_WRITE = new Set(['deleteObjects', 'restoreObject']);

export async function guardAppUserWrite(c: FdsCall): Promise<void> {
  if (c.who.kind !== 'app-user' || c.bucket === undefined) return;
  const op = c.op.op;
  if (!OBJECT_WRITES.has(op) && !NEEDS_WRITE.has(op)) return;
  const b = await c.env.repo.getBucket(c.bucket);
  if (!b) return; // the handler answers 404
  if (has(bucketMask(c.who, b), PERMISSIONS.WRITE)) return;
  if (NEEDS_WRITE.has(op)) throw new FdsError('BucketAccessDenied');
  const names = [c.object ?? ''];
  if (op === 'renameObject') names.push(c.params.get('renameTo') ?? '');
  const vid = op === 'deleteObject' ? c.params.get('versionId') : undefined;
  for (const name of names) {
    const o = vid ? await c.env.repo.version(b.name, vid) : await c.env.repo.current(b.name, name);
    if (o) checkMayReplace(c, o);
  }
}

function checkMayReplace(c: FdsCall, o: ObjectRow): void {
  if (o.owner_id === c.who.ownerId) return;
  if (maskFor(parseAcl(o.acl), c.who) === PERMISSIONS.FULL_CONTROL) return;
  throw new FdsError('ObjectAccessDenied');
}

/**
 * The same rule again at commit time (put, copy, multipart complete, and delete and rename too),
 * inside the transaction that replaces the current version: the check above ran before the body streamed in, and meanwhile
 * someone else may have created the name. Undefined when the caller is not restricted.
 */
export function replaceCheck(c: FdsCall, b: BucketRow): ((current: ObjectRow) => void) | undefined {
  if (c.who.kind !== 'app-user' || has(bucketMask(c.who, b), PERMISSIONS.WRITE)) return undefined;
  return (current) => checkMayReplace(c, current);
}
