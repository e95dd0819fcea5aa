// FDS access keys (issue 5 §2): one per app, derived secrets, rotation, the developer behind the
// key; and Go-style presigned multipart uploads signed with sub-resources (§2.3).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FdsKeys } from '../../../src/services/fds/keys.ts';
import { type FdsFixture, md5Hex, startFds } from '../../helpers/fds-fixture.ts';
import { SdkClient } from '../../helpers/fds-sdk.ts';

describe('FDS access keys', () => {
  let f: FdsFixture;
  let keys: FdsKeys;
  before(async () => {
    f = await startFds();
    keys = f.t.ctx.services.fdsKeys;
  });
  after(() => f.close());

  it('one key per app; the secret is derived, never stored', async () => {
    const again = await keys.ensure(f.ownerKey.clientId);
    assert.equal(again.accessKeyId, f.ownerKey.accessKeyId);
    assert.equal(again.accessSecret, f.ownerKey.accessSecret);
    assert.match(again.accessKeyId, /^AK[0-9A-F]{20}$/);
    const row = await f.t.ctx.db.kysely
      .selectFrom('fds_access_keys')
      .selectAll()
      .where('client_id', '=', f.ownerKey.clientId)
      .executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(row).includes(again.accessSecret));
    assert.equal(again.developerId, (await f.t.ctx.services.apps.require(f.ownerKey.clientId)).developerId);
  });

  it('rotation keeps the key id, replaces the secret, and the old secret stops working', async () => {
    const { app } = await f.t.ctx.services.apps.create({ name: 'rot', redirectUris: 'https://e.com/cb', developer: 'owner-dev' });
    const before = await keys.ensure(app.clientId);
    const oldClient = new SdkClient(f.t.fdsUrl, { ...before, clientId: app.clientId });
    assert.equal((await oldClient.send('GET', '/')).status, 200);
    const after = await keys.rotate(app.clientId);
    assert.equal(after.accessKeyId, before.accessKeyId);
    assert.notEqual(after.accessSecret, before.accessSecret);
    const denied = await oldClient.send('GET', '/');
    assert.equal(denied.status, 403);
    assert.match(await denied.text(), /Signature Does Not Match/);
    assert.equal((await new SdkClient(f.t.fdsUrl, { ...after, clientId: app.clientId }).send('GET', '/')).status, 200);
  });

  it('no secret begins with "-": a rotation passes over a version whose secret would', async () => {
    const { app } = await f.t.ctx.services.apps.create({ name: 'dash', redirectUris: 'https://e.com/cb', developer: 'owner-dev' });
    const first = await keys.ensure(app.clientId);
    assert.ok(!first.accessSecret.startsWith('-'));
    const version = async () =>
      (
        await f.t.ctx.db.kysely
          .selectFrom('fds_access_keys')
          .select('version')
          .where('client_id', '=', app.clientId)
          .executeTakeFirstOrThrow()
      ).version;
    let dashed = (await version()) + 1;
    while (!keys.secretOf(first.accessKeyId, dashed).startsWith('-')) dashed++;
    while ((await version()) < dashed - 1) await keys.rotate(app.clientId);
    const next = await keys.rotate(app.clientId);
    const at = await version();
    assert.ok(at > dashed, `version ${at} after the one whose secret begins with '-' (${dashed})`);
    assert.equal(next.accessSecret, keys.secretOf(first.accessKeyId, at));
    assert.ok(!next.accessSecret.startsWith('-'));
    // New keys: 400 of them, none beginning with '-' (without the redraw, (63/64)^400 < 0.2 %).
    for (let i = 0; i < 400; i++) {
      const { app: other } = await f.t.ctx.services.apps.create({
        name: `dash${i}`,
        redirectUris: 'https://e.com/cb',
        developer: 'owner-dev',
      });
      const k = await keys.ensure(other.clientId);
      assert.ok(!k.accessSecret.startsWith('-'), k.accessSecret);
    }
  });

  it('a deleted app’s key no longer authenticates', async () => {
    const { app } = await f.t.ctx.services.apps.create({ name: 'gone', redirectUris: 'https://e.com/cb', developer: 'owner-dev' });
    const k = await keys.ensure(app.clientId);
    const c = new SdkClient(f.t.fdsUrl, { ...k, clientId: app.clientId });
    assert.equal((await c.send('GET', '/')).status, 200);
    await f.t.ctx.services.apps.delete(app.clientId);
    assert.equal((await c.send('GET', '/')).status, 403);
    // The key row went with the app (foreign key, on delete cascade).
    const left = await f.t.ctx.db.kysely.selectFrom('fds_access_keys').select('client_id').where('client_id', '=', app.clientId).execute();
    assert.equal(left.length, 0);
  });

  it('no key for an unknown app', async () => {
    await assert.rejects(keys.ensure('2882303761517000000'), /no app 2882303761517000000/);
  });

  it('Go presigned multipart: ?uploads, ?uploadId&partNumber and ?uploadId signed as sub-resources', async () => {
    await f.owner.ok('PUT', '/go-presigned');
    const exp = Date.now() + 60_000;
    const init = await fetch(
      f.owner.presign({ method: 'PUT', bucket: 'go-presigned', object: 'big', expires: exp, subResources: ['uploads'] }),
      { method: 'PUT' },
    );
    assert.equal(init.status, 200, await init.clone().text());
    const { uploadId } = (await init.json()) as { uploadId: string };
    const part = await fetch(
      f.owner.presign({
        method: 'PUT',
        bucket: 'go-presigned',
        object: 'big',
        expires: exp,
        subResources: [`uploadId=${uploadId}`, 'partNumber=1'],
      }),
      { method: 'PUT', body: Buffer.from('part-one') },
    );
    assert.equal(part.status, 200);
    const p = (await part.json()) as { etag: string };
    assert.equal(p.etag, md5Hex('part-one'));
    const done = await fetch(
      f.owner.presign({ method: 'PUT', bucket: 'go-presigned', object: 'big', expires: exp, subResources: [`uploadId=${uploadId}`] }),
      {
        method: 'PUT',
        body: Buffer.from(JSON.stringify({ uploadPartResultList: [{ partNumber: 1, etag: p.etag, partSize: 8 }] })),
      },
    );
    assert.equal(done.status, 200);
    assert.equal(await (await f.owner.send('GET', '/go-presigned/big')).text(), 'part-one');
    // A URL presigned for one part cannot upload another.
    const other = f.owner.presign({
      method: 'PUT',
      bucket: 'go-presigned',
      object: 'big',
      expires: exp,
      subResources: [`uploadId=${uploadId}`, 'partNumber=1'],
    });
    assert.equal((await fetch(other.replace('partNumber=1', 'partNumber=2'), { method: 'PUT', body: Buffer.from('x') })).status, 403);
    // A presigned GET cannot be replayed as a DELETE.
    const get = f.owner.presign({ bucket: 'go-presigned', object: 'big', expires: exp });
    assert.equal((await fetch(get, { method: 'DELETE' })).status, 403);
  });
});
