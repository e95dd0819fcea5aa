// The small object operations of fds-protocol §5.13 that Opal answers without a CDN, an archive
// tier or an internal network of its own: each checks the bucket, the object and the caller's
// permission as its real counterpart would, and answers what the SDKs parse.
//  - `PUT ?prefetch` / `?refresh` (CDN): object WRITE (bucket WRITE, or SSO_WRITE for app users);
//    the body (Java: the cdnUri as JSON, JS: a presigned URL as text, PY: `""`) is read and
//    ignored; the answer is the JSON number `0`, because Java parses a Long.
//  - `PUT ?setOutsideAccess=true|false`: object ACL admin; Opal has no internal network, so an
//    object is reachable from outside exactly as its ACL allows; the call is accepted and audited.
//  - `PUT ?restoreArchive`: bucket WRITE; ARCHIVE objects are always readable in Opal.
import { FdsError } from '../../core/fds/errors.ts';
import { CdnOperationResult } from '../../core/fds/responses.ts';
import type { Bucket, ObjectVersion } from '../../store/db/fds/repos.ts';
import { checkObjectAdmin, checkWrite, requireBucket } from './access.ts';
import { audit, type FdsCall } from './call.ts';
import { sendEmpty, sendJson } from './replies.ts';
import { readSmallBody } from './streams.ts';

async function currentObject(c: FdsCall): Promise<{ b: Bucket; o: ObjectVersion }> {
  const b = await requireBucket(c);
  const o = await c.env.objects.current(b.name, c.object ?? '');
  if (!o) throw new FdsError('ObjectNotFound');
  return { b, o };
}

export async function cdnOperation(c: FdsCall): Promise<void> {
  const { b } = await currentObject(c);
  checkWrite(c, b);
  await readSmallBody(c.body, 64 * 1024);
  sendJson(c, CdnOperationResult, 0);
}

export async function setObjectOutsideAccess(c: FdsCall): Promise<void> {
  const value = c.params.get('setOutsideAccess') ?? '';
  if (value !== 'true' && value !== 'false') throw new FdsError('InvalidRequest', 'setOutsideAccess takes true or false');
  const { b, o } = await currentObject(c);
  checkObjectAdmin(c, b, o);
  await audit(c, 'fds.object_outside_access', `${b.name}/${o.name}`, { allow: value === 'true' });
  sendEmpty(c);
}

export async function restoreArchive(c: FdsCall): Promise<void> {
  const { b } = await currentObject(c);
  checkWrite(c, b);
  sendEmpty(c);
}
