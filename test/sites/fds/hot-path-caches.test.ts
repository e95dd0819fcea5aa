// The FDS hot-path caches (issue 10): buckets with their ACL and configurations
// (store/db/fds/buckets-repo.ts) and access keys with their derived secret (services/fds/keys.ts)
// are kept node-locally. Every change is still seen at once on the node that made it, and within a
// second on every other node (two servers on one PostgreSQL schema and one Redis): an ACL change, a
// deleted bucket (and the name taken by someone else), a rotated or revoked key, a disabled app.
// Each step first makes the node cache what the change then makes stale.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningServer, startServer } from '../../../src/server.ts';
import { type ChildServer, startChild } from '../../helpers/child-server.ts';
import { PG_URL, REDIS_URL, testConfig, tmpDir } from '../../helpers/env.ts';
import { type FdsFixture, startFds } from '../../helpers/fds-fixture.ts';
import { SdkClient } from '../../helpers/fds-sdk.ts';
import { createPgSchema, type PgSchema } from '../../helpers/pg-schema.ts';
import { redisTestPrefix, removeRedisKeys } from '../../helpers/redis.ts';
import { type Credentials, seedFdsKey } from '../../helpers/seed.ts';

const grantRead = (id: string) => JSON.stringify({ accessControlList: [{ grantee: { id }, permission: 'READ', type: 'USER' }] });

/** Polls `status()` until it answers `want`, for at most `ms`; returns the last answer. */
async function statusWithin(ms: number, want: number, status: () => Promise<number>): Promise<number> {
  const deadline = Date.now() + ms;
  let s = await status();
  while (s !== want && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
    s = await status();
  }
  return s;
}

describe('FDS caches on one node (embedded store): changes are seen at once', () => {
  let f: FdsFixture;
  before(async () => {
    f = await startFds({ buckets: ['cache-acl', 'cache-gone'] });
  });
  after(() => f.close());

  it('a bucket ACL grant and its removal', async () => {
    assert.equal((await f.other.send('GET', '/cache-acl')).status, 403); // the bucket is cached now
    await f.owner.ok('PUT', '/cache-acl?acl', { body: grantRead(f.otherKey.accessKeyId) });
    assert.equal((await f.other.send('GET', '/cache-acl')).status, 200);
    await f.owner.ok('PUT', '/cache-acl?acl&action=delete', { body: grantRead(f.otherKey.accessKeyId) });
    assert.equal((await f.other.send('GET', '/cache-acl')).status, 403);
  });

  it('a deleted bucket, and its name taken by another developer', async () => {
    assert.equal((await f.owner.send('GET', '/cache-gone')).status, 200);
    await f.owner.ok('DELETE', '/cache-gone');
    assert.equal((await f.owner.send('GET', '/cache-gone')).status, 404);
    await f.other.ok('PUT', '/cache-gone');
    assert.equal((await f.owner.send('GET', '/cache-gone')).status, 403, 'the new owner’s bucket, not the old one');
  });

  it('a rotated and a revoked access key', async () => {
    const k = await seedFdsKey(f.t.ctx, 'cache-keys');
    const old = new SdkClient(f.t.fdsUrl, k);
    const url = old.presign({ bucket: 'cache-acl', object: 'x', expires: Date.now() + 600_000 });
    assert.equal((await old.send('GET', '/')).status, 200); // the key is cached now
    const rotated = await f.t.ctx.services.fdsKeys.rotate(k.clientId);
    assert.equal((await old.send('GET', '/')).status, 403);
    assert.equal((await fetch(url)).status, 403, 'a URL presigned with the old secret');
    const current = new SdkClient(f.t.fdsUrl, { ...k, accessSecret: rotated.accessSecret });
    assert.equal((await current.send('GET', '/')).status, 200);
    assert.equal(await f.t.ctx.services.fdsKeys.revoke(k.clientId), true);
    assert.equal((await current.send('GET', '/')).status, 403);
  });
});

describe('FDS caches on two nodes (PostgreSQL + Redis): changes are seen on the other node within a second', {
  skip: !(PG_URL && REDIS_URL) && 'needs OPAL_TEST_DATABASE_URL and OPAL_TEST_REDIS_URL',
}, () => {
  let schema: PgSchema;
  const prefix = redisTestPrefix();
  const dirs = [tmpDir('opal-fdsc-a-'), tmpDir('opal-fdsc-b-')];
  const nodes: RunningServer[] = [];
  let owner: Credentials;
  let other: Credentials;
  const on = (n: number, k?: Credentials) => new SdkClient(nodes[n]?.urls.fds ?? '', k);

  before(async () => {
    schema = await createPgSchema(PG_URL ?? '');
    const env = {
      OPAL_DATABASE_URL: schema.url,
      OPAL_REDIS_URL: REDIS_URL ?? '',
      OPAL_REDIS_PREFIX: prefix,
      OPAL_SERVER_SECRET: 'y'.repeat(48),
      OPAL_SITES: 'fds',
    };
    for (const d of dirs) nodes.push(await startServer(testConfig(d.path, env), { logger: false }));
    owner = await seedFdsKey(nodes[0]!.ctx, 'cache-owner');
    other = await seedFdsKey(nodes[0]!.ctx, 'cache-other');
    await on(0, owner).ok('PUT', '/cc-acl');
    await on(0, owner).ok('PUT', '/cc-gone');
  });
  after(async () => {
    for (const n of nodes) await n.close();
    await schema?.drop();
    await removeRedisKeys(REDIS_URL ?? '', prefix);
    for (const d of dirs) d.remove();
  });

  it('a bucket ACL grant and its removal', async () => {
    const list = async () => (await on(1, other).send('GET', '/cc-acl')).status;
    assert.equal(await list(), 403); // cached on B
    await on(0, owner).ok('PUT', '/cc-acl?acl', { body: grantRead(other.accessKeyId) });
    assert.equal(await statusWithin(1000, 200, list), 200);
    await on(0, owner).ok('PUT', '/cc-acl?acl&action=delete', { body: grantRead(other.accessKeyId) });
    assert.equal(await statusWithin(1000, 403, list), 403);
  });

  it('a deleted bucket, and its name taken by another developer', async () => {
    const get = async () => (await on(1, owner).send('GET', '/cc-gone')).status;
    assert.equal(await get(), 200); // cached on B
    await on(0, owner).ok('DELETE', '/cc-gone');
    assert.equal(await statusWithin(1000, 404, get), 404);
    await on(0, other).ok('PUT', '/cc-gone');
    assert.equal(await get(), 403, 'the new owner’s bucket, not the old one');
  });

  it('a rotated key, a revoked key and a disabled app', async () => {
    const k = await seedFdsKey(nodes[0]!.ctx, 'cache-keys');
    const status = (secret: string) => async () => (await on(1, { ...k, accessSecret: secret }).send('GET', '/')).status;
    assert.equal(await status(k.accessSecret)(), 200); // cached on B
    const rotated = await nodes[0]!.ctx.services.fdsKeys.rotate(k.clientId);
    assert.equal(await statusWithin(1000, 403, status(k.accessSecret)), 403);
    assert.equal(await status(rotated.accessSecret)(), 200); // cached on B again
    await nodes[0]!.ctx.services.admin.setAppDisabled(k.clientId, true, { actor: 'test-admin' });
    assert.equal(await statusWithin(1000, 403, status(rotated.accessSecret)), 403);
    await nodes[0]!.ctx.services.admin.setAppDisabled(k.clientId, false, { actor: 'test-admin' });
    assert.equal(await statusWithin(1000, 200, status(rotated.accessSecret)), 200);
    assert.equal(await nodes[0]!.ctx.services.fdsKeys.revoke(k.clientId), true);
    assert.equal(await statusWithin(1000, 403, status(rotated.accessSecret)), 403);
  });
});

describe('FDS caches with `--only account` and `--only fds` on one embedded data directory: changes are seen at once', () => {
  // Two processes on one SQLite file, as docs/storage.md allows ("Several processes on one data
  // directory"): nothing carries an invalidation from one to the other, so the FDS process must not
  // keep keys or buckets (a review finding: a key revoked through the account server stayed usable
  // for the cache's lifetime).
  const dir = tmpDir('opal-fdsc-split-');
  const secret = 'z'.repeat(48);
  let account: RunningServer;
  let fdsChild: ChildServer;
  before(async () => {
    account = await startServer(testConfig(dir.path, { OPAL_SERVER_SECRET: secret, OPAL_SITES: 'account' }), { logger: false });
    fdsChild = await startChild(undefined, { dataDir: dir.path, env: { OPAL_SERVER_SECRET: secret, OPAL_SITES: 'fds' } });
  });
  after(async () => {
    await fdsChild?.stop();
    await account?.close();
    dir.remove();
  });

  it('a disabled app and a revoked key, changed through the account server', async () => {
    const status = async (k: Credentials) => (await new SdkClient(fdsChild.fdsUrl ?? '', k).send('GET', '/')).status;
    const disabled = await seedFdsKey(account.ctx, 'split-disabled');
    const revoked = await seedFdsKey(account.ctx, 'split-revoked');
    assert.equal(await status(disabled), 200); // looked up by the FDS process
    assert.equal(await status(revoked), 200);
    await account.ctx.services.admin.setAppDisabled(disabled.clientId, true, { actor: 'test-admin' });
    assert.equal(await status(disabled), 403, "the disabled app's key is refused at once");
    assert.equal(await account.ctx.services.fdsKeys.revoke(revoked.clientId), true);
    assert.equal(await status(revoked), 403, 'the revoked key is refused at once');
  });
});
