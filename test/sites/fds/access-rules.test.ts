// The permission rules of src/sites/fds/access.ts (fds-protocol §2.6, §7.1, §10) through real
// HTTP, each with the exact FDS error it answers: owners keep full control of their buckets and
// objects without any grant naming them; object ACLs are administered by the object's owner, a
// bucket FULL_CONTROL or an object FULL_CONTROL grant; a missing bucket is 404 before any
// permission answer and the addressed bucket's quota counts the request; callers without an owner
// id (anonymous) create nothing, even where ALL_USERS may write. Then the rules a server-signed URL
// meets behind checkServerScope (which lets it run only reads of its version), checked directly.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ANONYMOUS } from '../../../src/core/fds/acl.ts';
import { FdsError } from '../../../src/core/fds/errors.ts';
import { canReadObject, checkBucketAdmin, checkListBucket, checkObjectAdmin, checkWrite } from '../../../src/sites/fds/access.ts';
import { serverIdentity } from '../../../src/sites/fds/auth/identities.ts';
import type { FdsCall } from '../../../src/sites/fds/call.ts';
import { dbBackends } from '../../helpers/env.ts';
import { type FdsFixture, startFds } from '../../helpers/fds-fixture.ts';

const grant = (id: string, permission: string, type = 'USER') => ({ grantee: { id }, type, permission });
const policyBody = (...grants: ReturnType<typeof grant>[]) => JSON.stringify({ accessControlList: grants });

/** The FDS error body (fds-protocol §10). */
const error = (code: number, name: string, message: string) => ({ code, error: name, message });
const BUCKET_DENIED = error(403, 'BucketAccessDenied', 'Bucket Access Denied');
const OBJECT_DENIED = error(403, 'ObjectAccessDenied', 'Object Access Denied');

async function answer(r: Response): Promise<{ status: number; body: unknown }> {
  const text = await r.text();
  return { status: r.status, body: text === '' ? '' : JSON.parse(text) };
}

for (const backend of dbBackends()) {
  describe(`FDS access rules (${backend})`, () => {
    let f: FdsFixture;
    const denied = async (r: Response, body: typeof BUCKET_DENIED, what: string) => {
      assert.deepEqual(await answer(r), { status: 403, body }, what);
    };
    before(async () => {
      f = await startFds({ backend });
    });
    after(() => f.close());

    it('a bucket owner keeps full control after deleting its own FULL_CONTROL grant', async () => {
      const B = 'owner-no-grant';
      await f.owner.ok('PUT', `/${B}`);
      await f.owner.ok('PUT', `/${B}/kept`, { body: 'kept' });
      await f.owner.ok('PUT', `/${B}?acl&action=delete`, { body: policyBody(grant(f.ownerKey.developerId, 'FULL_CONTROL')) });
      const p = await f.owner.json<{ accessControlList: unknown[] }>('GET', `/${B}?acl`);
      assert.deepEqual(p.accessControlList, []);
      // List, write, configure: all on ownership alone.
      const list = await f.owner.json<{ objects: Array<{ name: string }> }>('GET', `/${B}?prefix=`);
      assert.deepEqual(
        list.objects.map((o) => o.name),
        ['kept'],
      );
      await f.owner.ok('PUT', `/${B}/new`, { body: 'new' });
      await f.owner.ok('PUT', `/${B}?acl`, { body: policyBody(grant('someone', 'READ')) });
      // The other developer still gets nothing.
      await denied(await f.other.send('GET', `/${B}?prefix=`), BUCKET_DENIED, 'list by another developer');
    });

    it('an object owner keeps reading and administering its object after deleting its own grant', async () => {
      const B = 'writer-no-grant';
      await f.owner.ok('PUT', `/${B}`);
      // The other developer may only write here: no READ, no READ_OBJECTS, no FULL_CONTROL.
      await f.owner.ok('PUT', `/${B}?acl`, { body: policyBody(grant(f.otherKey.developerId, 'WRITE')) });
      await f.other.ok('PUT', `/${B}/mine`, { body: 'written by other' });
      await f.other.ok('PUT', `/${B}/mine?acl&action=delete`, { body: policyBody(grant(f.otherKey.developerId, 'FULL_CONTROL')) });
      const p = await f.other.json<{ owner: { id: string }; accessControlList: unknown[] }>('GET', `/${B}/mine?acl`);
      assert.deepEqual(p, { owner: { id: f.otherKey.developerId }, accessControlList: [] });
      assert.equal(await (await f.other.ok('GET', `/${B}/mine`)).text(), 'written by other');
      assert.equal((await f.other.send('HEAD', `/${B}/mine`)).status, 200);
      // An object the other developer does not own stays closed to it.
      await f.owner.ok('PUT', `/${B}/owners`, { body: 'owner' });
      await denied(await f.other.send('GET', `/${B}/owners`), OBJECT_DENIED, 'read of the owner’s object');
      await denied(await f.other.send('GET', `/${B}/owners?acl`), OBJECT_DENIED, 'ACL of the owner’s object');
    });

    it('object ACLs: the bucket owner (bucket FULL_CONTROL) and an object FULL_CONTROL grantee administer them', async () => {
      const B = 'object-admins';
      await f.owner.ok('PUT', `/${B}`);
      await f.owner.ok('PUT', `/${B}?acl`, { body: policyBody(grant(f.otherKey.developerId, 'WRITE')) });
      // The bucket owner administers an object it does not own (its grant list names only the writer).
      await f.other.ok('PUT', `/${B}/by-other`, { body: 'o' });
      const p = await f.owner.json<{ owner: { id: string } }>('GET', `/${B}/by-other?acl`);
      assert.equal(p.owner.id, f.otherKey.developerId);
      await f.owner.ok('PUT', `/${B}/by-other?acl`, { body: policyBody(grant('ALL_USERS', 'READ', 'GROUP')) });
      assert.equal(await (await f.anon.send('GET', `/${B}/by-other`)).text(), 'o');
      // FULL_CONTROL on one object, nothing on the bucket but WRITE: that object's ACL only.
      await f.owner.ok('PUT', `/${B}/granted`, { body: 'g' });
      await f.owner.ok('PUT', `/${B}/closed`, { body: 'c' });
      await denied(await f.other.send('GET', `/${B}/granted?acl`), OBJECT_DENIED, 'before the grant');
      await f.owner.ok('PUT', `/${B}/granted?acl`, { body: policyBody(grant(f.otherKey.accessKeyId, 'FULL_CONTROL')) });
      await f.other.ok('GET', `/${B}/granted?acl`);
      await f.other.ok('PUT', `/${B}/granted?acl`, { body: policyBody(grant('ALL_USERS', 'READ', 'GROUP')) });
      assert.equal(await (await f.anon.send('GET', `/${B}/granted`)).text(), 'g');
      await denied(await f.other.send('GET', `/${B}/closed?acl`), OBJECT_DENIED, 'another object');
      await denied(await f.other.send('GET', `/${B}?acl`), BUCKET_DENIED, 'the bucket ACL');
    });

    it('denials name what was denied: listing and writing a bucket are Bucket Access Denied', async () => {
      const B = 'denials';
      await f.owner.ok('PUT', `/${B}`);
      await f.owner.ok('PUT', `/${B}/o`, { body: 'o' });
      await denied(await f.other.send('GET', `/${B}?prefix=`), BUCKET_DENIED, 'list');
      await denied(await f.other.send('PUT', `/${B}/o`, { body: 'x' }), BUCKET_DENIED, 'put');
      await denied(await f.other.send('DELETE', `/${B}/o`), BUCKET_DENIED, 'delete');
      await denied(await f.other.send('GET', `/${B}/o`), OBJECT_DENIED, 'get');
      assert.equal(await (await f.owner.ok('GET', `/${B}/o`)).text(), 'o');
    });

    it('a missing bucket is 404 Bucket Not Found before any permission answer', async () => {
      for (const [method, target] of [
        ['GET', '/no-such-bucket?prefix='],
        ['GET', '/no-such-bucket?acl'],
        ['PUT', '/no-such-bucket/o'],
        ['GET', '/no-such-bucket/o'],
      ] as const) {
        for (const client of [f.owner, f.other]) {
          const r = await client.send(method, target, method === 'PUT' ? { body: 'x' } : {});
          assert.deepEqual(
            await answer(r),
            { status: 404, body: error(404, 'BucketNotFound', 'Bucket Not Found: no-such-bucket') },
            target,
          );
        }
      }
    });

    it('the addressed bucket’s quota counts the request (429 Too Many Requests)', async () => {
      const B = 'quota-counted';
      await f.owner.ok('PUT', `/${B}`);
      await f.owner.ok('PUT', `/${B}/o`, { body: 'o' });
      await f.owner.ok('PUT', `/${B}?quota`, { body: JSON.stringify({ quotas: [{ type: 'QPS', action: 'GetObject', value: 0 }] }) });
      const r = await f.owner.send('GET', `/${B}/o`);
      assert.equal(r.status, 429);
      assert.equal(((await r.json()) as { error: string }).error, 'TooManyRequests');
    });

    it('anonymous callers create nothing, even where ALL_USERS may write', async () => {
      const B = 'anon-writable';
      await f.owner.ok('PUT', `/${B}`);
      await f.owner.ok('PUT', `/${B}?acl`, { body: policyBody(grant('ALL_USERS', 'WRITE', 'GROUP')) });
      await denied(await f.anon.send('PUT', `/${B}/anon`, { body: 'x' }), BUCKET_DENIED, 'put');
      await denied(await f.anon.send('PUT', `/${B}/anon-mp?uploads`, { body: '' }), BUCKET_DENIED, 'multipart init');
      await denied(await f.anon.send('DELETE', '/trash/anything'), BUCKET_DENIED, 'trash delete');
      const list = await f.owner.json<{ objects: unknown[] }>('GET', `/${B}?prefix=`);
      assert.deepEqual(list.objects, []);
      const uploads = await f.t.ctx.db.kysely.selectFrom('fds_uploads').select('upload_id').where('bucket', '=', B).execute();
      assert.deepEqual(uploads, []);
    });

    it('a server-signed identity is refused writes, listings and administration even under ALL_USERS FULL_CONTROL', async () => {
      // checkServerScope stops such a URL before any of these run; these are the checks behind it.
      const B = 'server-bound';
      await f.owner.ok('PUT', `/${B}`);
      await f.owner.ok('PUT', `/${B}?acl`, { body: policyBody(grant('ALL_USERS', 'FULL_CONTROL', 'GROUP')) });
      await f.owner.ok('PUT', `/${B}/o`, { body: 'one', headers: { 'x-xiaomi-acl': 'PUBLIC_READ' } });
      await f.owner.ok('PUT', `/${B}/o?acl`, { body: policyBody(grant('ALL_USERS', 'FULL_CONTROL', 'GROUP')) });
      const { buckets, objects } = f.t.ctx.services.fds.repos;
      const b = await buckets.get(B);
      const o = await objects.current(B, 'o');
      assert.ok(b && o);
      const anonCall = { who: ANONYMOUS } as FdsCall;
      // Anonymous callers pass every check here (ALL_USERS), so the refusals below are the server identity's own.
      checkWrite(anonCall, b);
      checkListBucket(anonCall, b);
      checkBucketAdmin(anonCall, b);
      checkObjectAdmin(anonCall, b, o);
      assert.equal(canReadObject(anonCall, b, o), true);
      const server = { who: serverIdentity(o.version_id) } as FdsCall;
      const refusal = (code: string) => (e: unknown) => e instanceof FdsError && e.code === code;
      assert.throws(() => checkWrite(server, b), refusal('BucketAccessDenied'));
      assert.throws(() => checkListBucket(server, b), refusal('BucketAccessDenied'));
      assert.throws(() => checkBucketAdmin(server, b), refusal('BucketAccessDenied'));
      assert.throws(() => checkObjectAdmin(server, b, o), refusal('ObjectAccessDenied'));
      // It reads its own version and no other, whatever the ACLs allow everyone else.
      assert.equal(canReadObject(server, b, o), true);
      assert.equal(canReadObject({ who: serverIdentity('another-version') } as FdsCall, b, o), false);
    });
  });
}
