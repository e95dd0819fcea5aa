// ACL operations (fds-protocol §7.3): get returns the policy (owner + grant list); set merges
// (OR of bits per "id:TYPE"); `action=delete` clears bits and drops empty grants.
import { type AclMap, mergeAcl, parsePolicy, policy, removeAcl } from '../../core/fds/acl.ts';
import { FdsError } from '../../core/fds/errors.ts';
import { AccessControlPolicy } from '../../core/fds/responses.ts';
import { checkBucketAdmin, checkObjectAdmin, requireBucket } from './access.ts';
import { audit, type FdsCall } from './call.ts';
import { sendEmpty, sendJson } from './replies.ts';
import { readJson } from './streams.ts';

/** The grants of the request body, and how they change a stored ACL. */
async function grantChange(c: FdsCall, remove: boolean) {
  const grants = parsePolicy((await readJson(c.body)) ?? {});
  const apply = (acl: AclMap) => (remove ? removeAcl(acl, grants) : mergeAcl(acl, grants));
  const detail = { grants: Object.fromEntries(grants) };
  return { apply, detail };
}

export async function getBucketAcl(c: FdsCall): Promise<void> {
  const b = await requireBucket(c);
  checkBucketAdmin(c, b);
  sendJson(c, AccessControlPolicy, policy(b.owner_id, b.acl));
}

export async function putBucketAcl(c: FdsCall, remove: boolean): Promise<void> {
  const b = await requireBucket(c);
  checkBucketAdmin(c, b);
  const { apply, detail } = await grantChange(c, remove);
  if (!(await c.env.buckets.change(b.name, (now) => ({ acl: apply(now.acl) })))) throw new FdsError('BucketNotFound', b.name);
  await audit(c, remove ? 'fds.bucket_acl_removed' : 'fds.bucket_acl_granted', b.name, detail);
  sendEmpty(c);
}

async function target(c: FdsCall) {
  const b = await requireBucket(c);
  const vid = c.params.get('versionId');
  const o = vid ? await c.env.objects.version(b.name, vid) : await c.env.objects.current(b.name, c.object ?? '');
  if (!o || o.name !== c.object) throw new FdsError('ObjectNotFound');
  checkObjectAdmin(c, b, o);
  return o;
}

export async function getObjectAcl(c: FdsCall): Promise<void> {
  const o = await target(c);
  sendJson(c, AccessControlPolicy, policy(o.owner_id, o.acl));
}

export async function putObjectAcl(c: FdsCall, remove: boolean): Promise<void> {
  const o = await target(c);
  const { apply, detail } = await grantChange(c, remove);
  if (!(await c.env.objects.change(o.version_id, (now) => ({ acl: apply(now.acl) })))) throw new FdsError('ObjectNotFound');
  await audit(c, remove ? 'fds.object_acl_removed' : 'fds.object_acl_granted', `${o.bucket}/${o.name}`, detail);
  sendEmpty(c);
}
