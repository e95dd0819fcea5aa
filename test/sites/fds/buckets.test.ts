// Buckets through real HTTP (fds-protocol §4): create, exists, list, info, delete; what the Python
// and Java SDKs send and read.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dbBackends } from '../../helpers/env.ts';
import { type FdsFixture, startFds } from '../../helpers/fds-fixture.ts';

for (const backend of dbBackends()) {
  describe(`FDS buckets (${backend})`, () => {
    let f: FdsFixture;
    before(async () => {
      f = await startFds({ backend });
    });
    after(() => f.close());

    it('HEAD 404 → PUT 200 → HEAD 200 → DELETE 200 → HEAD 404 (PY test_normal_bucket)', async () => {
      assert.equal((await f.owner.send('HEAD', '/test-python-20261121235033')).status, 404);
      assert.equal((await f.owner.send('PUT', '/test-python-20261121235033')).status, 200);
      const head = await f.owner.send('HEAD', '/test-python-20261121235033');
      assert.equal(head.status, 200);
      assert.equal(await head.text(), '');
      const del = await f.owner.send('DELETE', '/test-python-20261121235033');
      assert.equal(del.status, 200);
      assert.equal(await del.text(), '');
      assert.equal((await f.owner.send('HEAD', '/test-python-20261121235033')).status, 404);
    });

    it('Java create sends the JSON string "{}" with a JSON content type; the body is ignored', async () => {
      const r = await f.owner.send('PUT', '/javabucket-1612345678901', {
        body: '"{}"',
        headers: { 'content-type': 'application/json; charset=UTF-8', 'x-xiaomi-request-id': 'abcd1234_42' },
      });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('x-xiaomi-request-id'), 'abcd1234_42');
    });

    it('a taken name is 409 Bucket Already Exists, for the owner and for others', async () => {
      await f.owner.ok('PUT', '/taken');
      const again = await f.owner.send('PUT', '/taken');
      assert.equal(again.status, 409);
      assert.match(await again.text(), /Bucket Already Exists/);
      assert.equal((await f.other.send('PUT', '/taken')).status, 409);
    });

    it('rejects invalid and reserved names (trash, healthz, readyz, metrics)', async () => {
      for (const name of ['trash', 'healthz', 'readyz', 'metrics', 'openapi.json', 'Upper', '-dash', 'a%20b']) {
        const r = await f.owner.send('PUT', `/${name}`);
        assert.equal(r.status, 400, name);
        assert.match(await r.text(), /Invalid Bucket Name/);
      }
      // /healthz is still the health check.
      const h = await fetch(`${f.t.fdsUrl}/healthz`);
      assert.equal(h.status, 200);
    });

    it('GET / lists the caller developer’s buckets with owner and creationTime', async () => {
      await f.owner.ok('PUT', '/listed-a');
      await f.other.ok('PUT', '/listed-other');
      const r = await f.owner.json<{ owner: { id: string; displayName: string }; buckets: Array<{ name: string; creationTime: number }> }>(
        'GET',
        '/',
      );
      assert.equal(r.owner.id, f.ownerKey.developerId);
      assert.equal(r.owner.displayName, 'owner-dev');
      const names = r.buckets.map((b) => b.name);
      assert.ok(names.includes('listed-a'));
      assert.ok(!names.includes('listed-other'));
      assert.equal(typeof r.buckets[0]?.creationTime, 'number');
    });

    it('apps of one developer share its buckets', async () => {
      const { SdkClient } = await import('../../helpers/fds-sdk.ts');
      const { seedFdsKey } = await import('../../helpers/seed.ts');
      const second = new SdkClient(f.t.fdsUrl, await seedFdsKey(f.t.ctx, 'owner-dev'));
      await f.owner.ok('PUT', '/shared-bucket');
      await second.ok('PUT', '/shared-bucket/x', { body: 'x' });
      const r = await second.json<{ buckets: Array<{ name: string }> }>('GET', '/');
      assert.ok(r.buckets.some((b) => b.name === 'shared-bucket'));
      await f.owner.ok('DELETE', '/shared-bucket/x');
    });

    it('GET /{b} with no list parameters is bucket info (Java getBucketInfo, Go Get_Bucket)', async () => {
      await f.owner.ok('PUT', '/info-bucket');
      await f.owner.ok('PUT', '/info-bucket/a', { body: '12345' });
      await f.owner.ok('PUT', '/info-bucket/b', { body: '123' });
      const r = await f.owner.json<Record<string, unknown>>('GET', '/info-bucket');
      assert.equal(r.name, 'info-bucket');
      assert.equal(r.numObjects, 2);
      assert.equal(r.usedSpace, 8);
      assert.equal(r.allowOutsideAccess, false);
      assert.equal(r.orgId, f.ownerKey.developerId);
      assert.equal(typeof r.creationTime, 'number');
      assert.ok(!('storageClass' in r));
    });

    it('DELETE of a missing bucket is 404; of a non-empty bucket 409; others may not delete', async () => {
      assert.equal((await f.owner.send('DELETE', '/no-such-bucket')).status, 404);
      await f.owner.ok('PUT', '/full-bucket');
      await f.owner.ok('PUT', '/full-bucket/o', { body: 'x' });
      assert.equal((await f.owner.send('DELETE', '/full-bucket')).status, 409);
      const denied = await f.other.send('DELETE', '/full-bucket');
      assert.equal(denied.status, 403);
      assert.match(await denied.text(), /Access Denied/);
      // Deleted objects (trash, versions) and unfinished uploads do not block deletion, and are
      // purged with it: their bytes are freed.
      await f.owner.ok('PUT', '/full-bucket/o', { body: 'version 2' });
      const up = await f.owner.json<{ uploadId: string }>('PUT', '/full-bucket/u?uploads');
      await f.owner.ok('PUT', `/full-bucket/u?uploadId=${up.uploadId}&partNumber=1`, { body: 'part' });
      const db = f.t.ctx.db.kysely;
      const keys = [
        ...(await db.selectFrom('fds_objects').select('blob_key').where('bucket', '=', 'full-bucket').execute()),
        ...(await db.selectFrom('fds_parts').select('blob_key').where('upload_id', '=', up.uploadId).execute()),
      ].map((r) => r.blob_key);
      assert.equal(keys.length, 3);
      await f.owner.ok('DELETE', '/full-bucket/o');
      await f.owner.ok('DELETE', '/full-bucket');
      for (const k of keys) assert.equal(await f.t.ctx.blobs.size(k), undefined);
      assert.deepEqual(await db.selectFrom('fds_objects').select('version_id').where('bucket', '=', 'full-bucket').execute(), []);
      assert.equal((await f.owner.send('HEAD', '/full-bucket')).status, 404);
      const trash = await f.owner.json<{ objects: unknown[] }>('GET', '/trash?prefix=full-bucket/&delimiter=');
      assert.deepEqual(trash.objects, []);
    });

    it('GET /?authorizedBuckets lists buckets where the caller has a grant', async () => {
      await f.owner.ok('PUT', '/granted');
      await f.owner.ok('PUT', '/granted?acl', {
        body: JSON.stringify({ accessControlList: [{ grantee: { id: f.otherKey.accessKeyId }, permission: 'READ', type: 'USER' }] }),
      });
      for (const q of ['authorizedBuckets=true', 'authorizedBuckets']) {
        const r = await f.other.json<{ buckets: Array<{ name: string; orgId: string }> }>('GET', `/?${q}`);
        const g = r.buckets.find((b) => b.name === 'granted');
        assert.ok(g, q);
        assert.equal(g.orgId, f.ownerKey.developerId);
        assert.ok(!r.buckets.some((b) => b.name === 'taken'));
      }
    });

    it('concurrent ACL grants on one bucket are all kept (merge under concurrency)', async () => {
      await f.owner.ok('PUT', '/acl-race');
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          f.owner.ok('PUT', '/acl-race?acl', {
            body: JSON.stringify({ accessControlList: [{ grantee: { id: `g${i}` }, permission: 'READ', type: 'USER' }] }),
          }),
        ),
      );
      const p = await f.owner.json<{ accessControlList: Array<{ grantee: { id: string } }> }>('GET', '/acl-race?acl');
      assert.equal(p.accessControlList.length, 13);
    });

    it('concurrent ?lifecycle=rule additions get distinct ids and are all kept', async () => {
      await f.owner.ok('PUT', '/rule-race');
      await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          f.owner.ok('PUT', '/rule-race?lifecycle=rule', {
            body: JSON.stringify({ enabled: true, prefix: `p${i}/`, actions: { expiration: { days: 1 } } }),
          }),
        ),
      );
      const cfg = await f.owner.json<{ rules: Array<{ id: string; prefix: string }> }>('GET', '/rule-race?lifecycle=');
      assert.deepEqual(cfg.rules.map((r) => r.id).sort(), ['1', '2', '3', '4', '5', '6']);
      assert.equal(new Set(cfg.rules.map((r) => r.prefix)).size, 6);
    });

    it('a PUT whose body is still streaming when its bucket is deleted fails 404 and leaves no blob', async () => {
      await f.owner.ok('PUT', '/deleted-midway');
      const db = f.t.ctx.db.kysely;
      const pending = async () =>
        (await db.selectFrom('fds_blob_gc').select('blob_key').where('state', '=', 'pending').execute()).map((r) => r.blob_key);
      const before = new Set(await pending());
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      async function* body(): AsyncIterable<Uint8Array> {
        yield Buffer.from('first half ');
        await gate;
        yield Buffer.from('second half');
      }
      const put = f.owner.send('PUT', '/deleted-midway/late', { body: body() });
      // The server has passed its bucket check once the body's blob is registered as pending.
      let key: string | undefined;
      for (let i = 0; i < 500 && key === undefined; i++) {
        key = (await pending()).find((k) => !before.has(k));
        if (key === undefined) await new Promise((r) => setTimeout(r, 10));
      }
      assert.ok(key, 'the PUT never started storing its body');
      assert.equal((await f.owner.send('DELETE', '/deleted-midway')).status, 200);
      release();
      const r = await put;
      assert.equal(r.status, 404);
      assert.match(await r.text(), /Bucket Not Found/);
      assert.equal(await f.t.ctx.blobs.size(key), undefined);
      assert.equal((await pending()).includes(key), false);
      assert.equal((await db.selectFrom('fds_objects').select('version_id').where('bucket', '=', 'deleted-midway').execute()).length, 0);
    });

    it('deleting a bucket re-checks for live objects inside its transaction', async () => {
      await f.owner.ok('PUT', '/late-live');
      await f.owner.ok('PUT', '/late-live/o', { body: 'x' });
      const { buckets } = f.t.ctx.services.fds.repos;
      await assert.rejects(buckets.purge('late-live'), /Bucket Not Empty/);
      assert.equal((await f.owner.send('GET', '/late-live/o')).status, 200);
    });

    it('metadata cannot outlive its bucket (foreign keys)', async () => {
      const { uploads } = f.t.ctx.services.fds.repos;
      const upload = {
        upload_id: 'u-nobucket',
        bucket: 'never-made',
        name: 'x',
        owner_id: 'o',
        content_type: null,
        meta: {},
        created_at: 1,
      };
      await assert.rejects(uploads.create(upload), /Bucket Not Found/);
      await f.owner.ok('PUT', '/fk-held');
      await f.owner.ok('PUT', '/fk-held/o', { body: 'x' });
      await assert.rejects(f.t.ctx.db.kysely.deleteFrom('fds_buckets').where('name', '=', 'fk-held').execute());
      assert.equal((await f.owner.send('HEAD', '/fk-held')).status, 200);
    });

    it('anonymous GET / lists nothing; PUT bucket needs an identity', async () => {
      assert.equal((await f.anon.send('PUT', '/anon-bucket')).status, 403);
      const r = await f.anon.json<{ buckets: unknown[]; owner: { id: string } }>('GET', '/');
      assert.deepEqual(r.buckets, []);
    });
  });
}
