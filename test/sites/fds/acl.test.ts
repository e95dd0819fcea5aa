// ACLs and the identity model through real HTTP (fds-protocol §7, §2.6): merge and delete
// semantics, grants naming an access key or a developer id, groups, anonymous access, denials.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { antiStealingSign } from '../../../src/core/fds/anti-stealing.ts';
import { type FdsFixture, startFds } from '../../helpers/fds-fixture.ts';

interface Policy {
  owner: { id: string };
  accessControlList: Array<{ grantee: { id: string }; permission: string; type: string }>;
}

const grant = (id: string, permission: string, type = 'USER') => ({ grantee: { id }, type, permission });
const policyBody = (...grants: ReturnType<typeof grant>[]) => JSON.stringify({ owner: { id: 'ignored' }, accessControlList: grants });
const entries = (p: Policy) => p.accessControlList.map((g) => `${g.grantee.id}:${g.type}:${g.permission}`).sort();

describe('FDS ACLs', () => {
  let f: FdsFixture;
  const B = 'acl-bucket';
  before(async () => {
    f = await startFds({ buckets: [B] });
  });
  after(() => f.close());

  it('GET ?acl=true before any set returns the owner’s FULL_CONTROL grant', async () => {
    const p = await f.owner.json<Policy>('GET', `/${B}?acl=true`);
    assert.equal(p.owner.id, f.ownerKey.developerId);
    assert.deepEqual(entries(p), [`${f.ownerKey.developerId}:USER:FULL_CONTROL`]);
  });

  it('PY test_bucket_acl: merge, one entry per grantee, and an app_id grant authorizes that developer’s key', async () => {
    await f.owner.ok('PUT', `/${B}?acl=true`, {
      body: policyBody(
        grant('111', 'READ'),
        grant('109901', 'FULL_CONTROL'),
        grant('123456', 'SSO_WRITE'),
        grant(f.otherKey.developerId, 'FULL_CONTROL'),
      ),
    });
    const p = await f.owner.json<Policy>('GET', `/${B}?acl=true`);
    const by = (id: string) => p.accessControlList.filter((g) => g.grantee.id === id).map((g) => g.permission);
    assert.deepEqual(by('111'), ['READ']);
    assert.deepEqual(by('109901'), ['FULL_CONTROL']);
    assert.deepEqual(by('123456'), ['SSO_WRITE']);
    // The ACL client (another developer, granted through its developer id) writes, lists, deletes.
    await f.other.ok('PUT', `/${B}/acl-client-obj`, { body: 'x' });
    const list = await f.other.json<{ objects: Array<{ name: string; owner: { id: string } }> }>(
      'GET',
      `/${B}?prefix=acl-client&delimiter=%2F`,
    );
    assert.deepEqual(
      list.objects.map((o) => [o.name, o.owner.id]),
      [['acl-client-obj', f.otherKey.developerId]],
    );
    assert.equal((await f.other.send('HEAD', `/${B}`)).status, 200);
    assert.equal((await f.owner.send('HEAD', `/${B}/acl-client-obj`)).status, 200);
    await f.other.ok('DELETE', `/${B}/acl-client-obj`);
  });

  it('merging ORs bits; action=delete clears them and drops empty grants', async () => {
    // A bucket of its own, with grants as PY test_bucket_acl leaves them.
    const B = 'acl-merge';
    await f.owner.ok('PUT', `/${B}`);
    await f.owner.ok('PUT', `/${B}?acl=true`, {
      body: policyBody(grant('111', 'READ'), grant('109901', 'FULL_CONTROL'), grant('123456', 'SSO_WRITE')),
    });
    await f.owner.ok('PUT', `/${B}?acl`, {
      body: policyBody(grant('111', 'WRITE')),
      headers: { 'content-type': 'application/json; charset=UTF-8' },
    });
    let p = await f.owner.json<Policy>('GET', `/${B}?acl`);
    assert.deepEqual(
      p.accessControlList.filter((g) => g.grantee.id === '111').map((g) => g.permission),
      ['READ', 'WRITE'],
    );
    await f.owner.ok('PUT', `/${B}?acl&action=delete`, { body: policyBody(grant('111', 'READ')) });
    await f.owner.ok('PUT', `/${B}?acl=true&action=delete`, {
      body: policyBody(grant('123456', 'SSO_WRITE'), grant('109901', 'FULL_CONTROL')),
    });
    p = await f.owner.json<Policy>('GET', `/${B}?acl`);
    assert.ok(!entries(p).some((e) => e.startsWith('123456') || e.startsWith('109901')));
    assert.deepEqual(
      p.accessControlList.filter((g) => g.grantee.id === '111').map((g) => g.permission),
      ['WRITE'],
    );
    const bad = await f.owner.send('PUT', `/${B}?acl`, { body: policyBody(grant('x', 'EVERYTHING')) });
    assert.equal(bad.status, 400);
    // ACL changes are audited with the acting key and the grants, never a secret.
    const events = await f.t.ctx.services.audit.list({ type: 'fds.bucket_acl_removed' });
    assert.ok(events.some((e) => e.subject === B && e.actor === f.ownerKey.accessKeyId && e.detail.includes('111:USER')));
    assert.ok(!JSON.stringify(events).includes(f.ownerKey.accessSecret));
  });

  it('only the owner or FULL_CONTROL may read or change a bucket ACL', async () => {
    await f.owner.ok('PUT', '/acl-private');
    const r = await f.other.send('GET', '/acl-private?acl');
    assert.equal(r.status, 403);
    assert.match(await r.text(), /Bucket Access Denied/);
    assert.equal(
      (await f.other.send('PUT', '/acl-private?acl', { body: policyBody(grant(f.otherKey.accessKeyId, 'FULL_CONTROL')) })).status,
      403,
    );
  });

  it('Java testSetWriteWithSSO: SSO_WRITE is listed as one grant and does not let a signed key write', async () => {
    await f.owner.ok('PUT', '/acl-sso');
    await f.owner.ok('PUT', '/acl-sso?acl', { body: policyBody(grant(f.otherKey.accessKeyId, 'SSO_WRITE')) });
    const p = await f.owner.json<Policy>('GET', '/acl-sso?acl');
    assert.ok(entries(p).includes(`${f.otherKey.accessKeyId}:USER:SSO_WRITE`));
    const w = await f.other.send('PUT', '/acl-sso/x', { body: 'x' });
    assert.equal(w.status, 403);
  });

  it('PY test_object_acl / Java testGetObjectAcl: one grant on a fresh object; a grant to the access key lets it read', async () => {
    // A bucket of its own on which the other developer holds FULL_CONTROL (as after PY test_bucket_acl).
    const B = 'acl-objects';
    await f.owner.ok('PUT', `/${B}`);
    await f.owner.ok('PUT', `/${B}?acl=true`, { body: policyBody(grant(f.otherKey.developerId, 'FULL_CONTROL')) });
    await f.owner.ok('PUT', `/${B}/test1`, { body: 'object acl' });
    const fresh = await f.owner.json<Policy>('GET', `/${B}/test1?acl=true`);
    assert.equal(fresh.accessControlList.length, 1);
    assert.deepEqual(entries(fresh), [`${f.ownerKey.developerId}:USER:FULL_CONTROL`]);
    // The other developer holds FULL_CONTROL on this bucket, so it reads.
    assert.equal((await f.other.send('GET', `/${B}/test1`)).status, 200);
    await f.owner.ok('PUT', '/acl-obj');
    await f.owner.ok('PUT', '/acl-obj/test1', { body: 'object acl' });
    const before = await f.other.send('GET', '/acl-obj/test1');
    assert.equal(before.status, 403);
    assert.match(await before.text(), /Access Denied/);
    await f.owner.ok('PUT', '/acl-obj/test1?acl=true', { body: policyBody(grant(f.otherKey.accessKeyId, 'READ')) });
    const after = await f.other.send('GET', '/acl-obj/test1');
    assert.equal(after.status, 200);
    assert.equal(await after.text(), 'object acl');
    // READ on the object is not WRITE on the bucket, nor control of the object's ACL.
    assert.equal((await f.other.send('PUT', '/acl-obj/test1', { body: 'x' })).status, 403);
    assert.equal((await f.other.send('GET', '/acl-obj/test1?acl')).status, 403);
    assert.equal((await f.other.send('GET', '/acl-obj?prefix=')).status, 403);
  });

  it('Java testBucketReadObjectsAcl: READ_OBJECTS on the bucket opens every object', async () => {
    await f.owner.ok('PUT', '/acl-ro');
    await f.owner.ok('PUT', '/acl-ro/a', { body: 'a' });
    const before = await f.other.send('GET', '/acl-ro/a');
    assert.equal(before.status, 403);
    assert.match(await before.text(), /Access Denied/);
    await f.owner.ok('PUT', '/acl-ro?acl', { body: policyBody(grant(f.otherKey.accessKeyId, 'READ_OBJECTS')) });
    assert.equal((await f.other.send('GET', '/acl-ro/a')).status, 200);
    assert.equal((await f.other.send('GET', '/acl-ro/a?metadata')).status, 200);
  });

  it('bucket READ lists but opens no object; bucket READ_OBJECTS opens objects but does not list', async () => {
    for (const b of ['acl-sep-r', 'acl-sep-ro']) {
      await f.owner.ok('PUT', `/${b}`);
      await f.owner.ok('PUT', `/${b}/o`, { body: 'secret' });
    }
    await f.owner.ok('PUT', '/acl-sep-r?acl', { body: policyBody(grant(f.otherKey.accessKeyId, 'READ')) });
    assert.equal((await f.other.send('GET', '/acl-sep-r?prefix=')).status, 200);
    for (const target of ['/acl-sep-r/o', '/acl-sep-r/o?metadata']) {
      const r = await f.other.send('GET', target);
      assert.equal(r.status, 403, target);
      assert.match(await r.text(), /Object Access Denied/);
    }
    await f.owner.ok('PUT', '/acl-sep-ro?acl', { body: policyBody(grant(f.otherKey.accessKeyId, 'READ_OBJECTS')) });
    assert.equal((await f.other.send('GET', '/acl-sep-ro/o')).status, 200);
    assert.equal((await f.other.send('GET', '/acl-sep-ro?prefix=')).status, 403);
  });

  it('bucket WRITE writes objects but administers nothing; FULL_CONTROL administers ACLs and configurations', async () => {
    const B = 'acl-sep-w';
    await f.owner.ok('PUT', `/${B}`);
    await f.owner.ok('PUT', `/${B}?acl`, { body: policyBody(grant(f.otherKey.accessKeyId, 'WRITE')) });
    assert.equal((await f.other.send('PUT', `/${B}/written`, { body: 'w' })).status, 200);
    const lifecycle = JSON.stringify({ rules: [{ enabled: true, prefix: 'tmp/', actions: { expiration: { days: 1 } } }] });
    const admin = [
      ['GET', `/${B}?acl`, undefined],
      ['PUT', `/${B}?acl`, policyBody(grant(f.otherKey.accessKeyId, 'FULL_CONTROL'))],
      ['PUT', `/${B}?lifecycle=true`, lifecycle],
      ['GET', `/${B}?lifecycle=`, undefined],
    ] as const;
    for (const [method, target, body] of admin) {
      const r = await f.other.send(method, target, body === undefined ? {} : { body });
      assert.equal(r.status, 403, `${method} ${target} with WRITE`);
      assert.match(await r.text(), /Bucket Access Denied/);
    }
    assert.equal((await f.other.send('DELETE', `/${B}`)).status, 403, 'DELETE bucket with WRITE');
    await f.owner.ok('PUT', `/${B}?acl`, { body: policyBody(grant(f.otherKey.accessKeyId, 'FULL_CONTROL')) });
    for (const [method, target, body] of admin) {
      const r = await f.other.send(method, target, body === undefined ? {} : { body });
      assert.equal(r.status, 200, `${method} ${target} with FULL_CONTROL`);
    }
  });

  it('set_public / set_private: ALL_USERS grants let anonymous callers read', async () => {
    await f.owner.ok('PUT', '/acl-pub');
    await f.owner.ok('PUT', '/acl-pub/o', { body: 'public' });
    await f.owner.ok('PUT', '/acl-pub/p', { body: 'also' });
    assert.equal((await f.anon.send('GET', '/acl-pub/o')).status, 403);
    await f.owner.ok('PUT', '/acl-pub/o?acl=true', { body: policyBody(grant('ALL_USERS', 'READ', 'GROUP')) });
    const g = await f.anon.send('GET', '/acl-pub/o');
    assert.equal(g.status, 200);
    assert.equal(await g.text(), 'public');
    assert.equal((await f.anon.send('GET', '/acl-pub/p')).status, 403);
    await f.owner.ok('PUT', '/acl-pub/o?acl=true&action=delete', { body: policyBody(grant('ALL_USERS', 'READ', 'GROUP')) });
    assert.equal((await f.anon.send('GET', '/acl-pub/o')).status, 403);
    // Bucket-wide: READ_OBJECTS for ALL_USERS.
    await f.owner.ok('PUT', '/acl-pub?acl=true', { body: policyBody(grant('ALL_USERS', 'READ_OBJECTS', 'GROUP')) });
    assert.equal((await f.anon.send('GET', '/acl-pub/p')).status, 200);
    assert.equal((await f.anon.send('PUT', '/acl-pub/new', { body: 'x' })).status, 403);
    assert.equal((await f.anon.send('GET', '/acl-pub?prefix=')).status, 403);
  });

  it('AUTHENTICATED_USERS matches any signed caller but not anonymous ones; canned x-xiaomi-acl on put', async () => {
    await f.owner.ok('PUT', '/acl-auth');
    await f.owner.ok('PUT', '/acl-auth?acl', { body: policyBody(grant('AUTHENTICATED_USERS', 'READ', 'GROUP')) });
    assert.equal((await f.other.send('GET', '/acl-auth?prefix=')).status, 200);
    assert.equal((await f.anon.send('GET', '/acl-auth?prefix=')).status, 403);
    await f.owner.ok('PUT', '/acl-auth/canned', { body: 'c', headers: { 'x-xiaomi-acl': 'PUBLIC_READ' } });
    assert.equal((await f.anon.send('GET', '/acl-auth/canned')).status, 200);
  });

  it('anti-stealing links (§5.12): an anonymous GET with a valid sign and future t reads a private object', async () => {
    await f.owner.ok('PUT', '/acl-asl');
    await f.owner.ok('PUT', '/acl-asl/dir/p.jpg', { body: 'picture' });
    const t = Math.floor(Date.now() / 1000 + 600).toString(16);
    const sign = antiStealingSign('primary-key', 'acl-asl', 'dir/p.jpg', t);
    assert.equal((await f.anon.send('GET', `/acl-asl/dir/p.jpg?sign=${sign}&t=${t}`)).status, 403, 'not enabled yet');
    await f.owner.ok('PUT', '/acl-asl?antiStealingLink=', {
      body: JSON.stringify({ enabled: true, primaryKey: 'primary-key', secondaryKey: 'second-key' }),
    });
    const ok = await f.anon.send('GET', `/acl-asl/dir/p.jpg?sign=${sign}&t=${t}`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), 'picture');
    const second = antiStealingSign('second-key', 'acl-asl', 'dir/p.jpg', t, true);
    assert.equal((await f.anon.send('GET', `/acl-asl/dir/p.jpg?sign=${second}&t=${t}`)).status, 200);
    const past = Math.floor(Date.now() / 1000 - 10).toString(16);
    assert.equal(
      (await f.anon.send('GET', `/acl-asl/dir/p.jpg?sign=${antiStealingSign('primary-key', 'acl-asl', 'dir/p.jpg', past)}&t=${past}`))
        .status,
      403,
    );
    assert.equal((await f.anon.send('GET', `/acl-asl/dir/p.jpg?sign=${'0'.repeat(32)}&t=${t}`)).status, 403);
  });
});
