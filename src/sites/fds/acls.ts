// ACL operations (fds-protocol §7.3): get returns the policy (owner + grant list); set merges
// (OR of bits per "id:TYPE"); `action=delete` clears bits and drops empty grants.
import { mergeAcl, parsePolicy, policy, removeAcl } from '../../core/fds/acl.ts';
import { FdsError } from '../../core/fds/errors.ts';
import { checkBucketAdmin, checkObjectAdmin, parseAcl, requireBucket } from './access.ts';
import { audit, type FdsCall, sendEmpty, sendJson } from './call.ts';
import { readJson } from './streams.ts';

export async function getBucketAcl(c: FdsCall): Promise<void> {
  const b = await requireBucket(c);
  checkBucketAdmin(c, b);
  sendJson(c, policy(b.owner_id, parseAcl(b.acl)));
}

export async function putBucketAcl(c: FdsCall, remove: boolean): Promise<void> {
  const b = await requireBucket(c);
  checkBucketAdmin(c, b);
  const grants = parsePolicy((await readJson(c.body)) ?? {});
  const apply = (json: string) => JSON.stringify(remove ? removeAcl(parseAcl(json), grants) : mergeAcl(parseAcl(json), grants));
  if (!(await c.env.repo.changeBucketAcl(b.name, apply))) throw new FdsError('BucketNotFound', b.name);
  await audit(c, remove ? 'fds.bucket_acl_removed' : 'fds.bucket_acl_granted', b.name, { grants: Object.fromEntries(grants) });
  sendEmpty(c);
}

async function target(c: FdsCall) {
  const b = await requireBucket(c);
  const vid = c.params.get('versionId');
  const o = vid ? await c.env.repo.version(b.name, vid) : await c.env.repo.current(b.name, c.object ?? '');
  if (!o || o.name !== c.object) throw new FdsError('ObjectNotFound');
  checkObjectAdmin(c, b, o);
  return o;
}

export async function getObjectAcl(c: FdsCall): Promise<void> {
  const o = await target(c);
  sendJson(c, policy(o.owner_id, parseAcl(o.acl)));
}

export async function putObjectAcl(c: FdsCall, remove: boolean): Promise<void> {
  const o = await target(c);
  const grants = parsePolicy((await readJson(c.body)) ?? {});
  const apply = (json: string) => JSON.stringify(remove ? removeAcl(parseAcl(json), grants) : mergeAcl(parseAcl(json), grants));
  if (!(await c.env.repo.changeObjectAcl(o.version_id, apply))) throw new FdsError('ObjectNotFound');
  await audit(c, remove ? 'fds.object_acl_removed' : 'fds.object_acl_granted', `${o.bucket}/${o.name}`, {
    grants: Object.fromEntries(grants),
  });
  sendEmpty(c);
}
