// The FDS JSON columns are parsed in one place (src/store/db/fds/columns.ts) with one behaviour for
// corrupt data: a column that does not parse, or parses to the wrong shape, reads as its empty value
// (no grants but the owner's ownership, no rules, no stored headers or configs), a warning names the
// row, requests keep working, and the next write of the column repairs it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dbBackends } from '../helpers/env.ts';
import { type FdsFixture, startFds } from '../helpers/fds-fixture.ts';

for (const backend of dbBackends()) {
  describe(`corrupt FDS JSON columns (${backend})`, () => {
    let f: FdsFixture;
    // Warnings are given once per row and process: each backend damages its own bucket.
    const B = `corrupt-${backend}`;
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => {
      if (w.code === 'OPAL_CORRUPT_JSON_COLUMN') warnings.push(w.message);
    };
    before(async () => {
      f = await startFds({ backend });
      process.on('warning', onWarning);
      await f.owner.ok('PUT', `/${B}`);
      await f.owner.ok('PUT', `/${B}?acl`, {
        body: JSON.stringify({ accessControlList: [{ grantee: { id: f.otherKey.accessKeyId }, permission: 'READ', type: 'USER' }] }),
      });
      await f.owner.ok('PUT', `/${B}?lifecycle`, { body: JSON.stringify({ rules: [{ enabled: true, prefix: 'x/', actions: {} }] }) });
      await f.owner.ok('PUT', `/${B}?cors`, { body: JSON.stringify({ rules: [{ allowOrigin: 'https://only.example' }] }) });
      await f.owner.ok('PUT', `/${B}?accessLog=true`, { body: JSON.stringify({ enabled: true }) });
      await f.owner.ok('PUT', `/${B}/o`, { body: 'bytes', headers: { 'x-xiaomi-meta-kind': 'kept?' } });
      assert.equal((await f.other.send('GET', `/${B}?prefix=`)).status, 200, 'the grant works before the damage');
      const db = f.t.ctx.db.kysely;
      await db
        .updateTable('fds_buckets')
        .set({ acl: '{not json', lifecycle: '{"rules":5}', cors: '[]', configs: '"text"' })
        .where('name', '=', B)
        .execute();
      await db.updateTable('fds_objects').set({ meta: '[1,2]', acl: '{"x:USER":"all"}' }).where('bucket', '=', B).execute();
      // The damage bypassed the repository, which keeps parsed buckets cached: drop the entry.
      await f.t.ctx.services.fds.repos.buckets.invalidate(B);
      await new Promise((r) => setImmediate(r));
    });
    after(async () => {
      process.off('warning', onWarning);
      await f.close();
    });

    it('the object still reads, without the stored headers', async () => {
      const r = await f.owner.send('GET', `/${B}/o`);
      assert.equal(r.status, 200);
      assert.equal(await r.text(), 'bytes');
      assert.equal(r.headers.get('x-xiaomi-meta-kind'), null);
    });

    it('a corrupt ACL grants nothing: the owner keeps control, the grantee loses access', async () => {
      assert.equal((await f.other.send('GET', `/${B}?prefix=`)).status, 403);
      assert.deepEqual(await f.owner.json('GET', `/${B}?acl`), { owner: { id: f.ownerKey.developerId }, accessControlList: [] });
      assert.deepEqual(await f.owner.json('GET', `/${B}/o?acl`), { owner: { id: f.ownerKey.developerId }, accessControlList: [] });
    });

    it('corrupt configurations read as none', async () => {
      assert.deepEqual(await f.owner.json('GET', `/${B}?lifecycle`), { rules: [] });
      assert.deepEqual(await f.owner.json('GET', `/${B}?cors`), { rules: [] });
      const log = await f.owner.send('GET', `/${B}?accessLog`);
      assert.equal(log.status, 404);
      assert.match(await log.text(), /ConfigNotFound/);
      await f.t.ctx.services.fdsSweeper.runOnce();
    });

    it('warns once per bad column, naming the row', () => {
      for (const where of [
        `fds_buckets.acl of "${B}"`,
        `fds_buckets.lifecycle of "${B}"`,
        `fds_buckets.cors of "${B}"`,
        `fds_buckets.configs of "${B}"`,
        'fds_objects.meta of',
        'fds_objects.acl of',
      ]) {
        assert.equal(warnings.filter((w) => w.includes(where)).length, 1, `${where} in ${warnings.join(' | ')}`);
      }
    });

    it('the next write repairs the column', async () => {
      await f.owner.ok('PUT', `/${B}?acl`, {
        body: JSON.stringify({ accessControlList: [{ grantee: { id: f.otherKey.accessKeyId }, permission: 'READ', type: 'USER' }] }),
      });
      assert.equal((await f.other.send('GET', `/${B}?prefix=`)).status, 200);
      await f.owner.ok('PUT', `/${B}?lifecycle=rule`, { body: JSON.stringify({ prefix: 'tmp/', actions: { expiration: { days: 1 } } }) });
      assert.deepEqual(await f.owner.json('GET', `/${B}?lifecycle`), {
        rules: [{ id: '1', prefix: 'tmp/', actions: { expiration: { days: 1 } } }],
      });
    });
  });
}
