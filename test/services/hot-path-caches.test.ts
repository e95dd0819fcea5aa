// The node-local caches of apps (with their secret hashes) and users (store/cache/row-cache.ts):
// a change made through the services is seen at once by this node and, through the shared cache's
// broadcast, by every other node (two contexts on one database and one Redis); a look-up that
// raced an invalidation is not cached; unknown ids are not cached.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createContext } from '../../src/context.ts';
import { MemoryCache } from '../../src/store/cache/memory-cache.ts';
import { RowCache } from '../../src/store/cache/row-cache.ts';
import { createTestContext, REDIS_URL } from '../helpers/env.ts';
import { seedApp, seedUser } from '../helpers/seed.ts';

describe('RowCache', () => {
  test('caches found records, not unknown ids; invalidation from another cache on the channel drops them', async () => {
    const shared = new MemoryCache();
    const a = new RowCache<string>({ cache: () => shared, channel: 'rows', ttlMs: 60_000, maxEntries: 10 });
    const b = new RowCache<string>({ cache: () => shared, channel: 'rows', ttlMs: 60_000, maxEntries: 10 });
    let reads = 0;
    let value: string | undefined = 'v1';
    const load = async () => {
      reads++;
      return value;
    };
    assert.equal(await a.get('k', load), 'v1');
    assert.equal(await a.get('k', load), 'v1');
    assert.equal(reads, 1, 'second get served from the cache');
    value = 'v2';
    await b.invalidate('k');
    assert.equal(await a.get('k', load), 'v2', 'dropped by the other cache’s invalidation');
    assert.equal(reads, 2);
    value = undefined;
    assert.equal(await a.get('missing', load), undefined);
    assert.equal(await a.get('missing', load), undefined);
    assert.equal(reads, 4, 'unknown ids are read every time');
    await shared.close();
  });

  test('a read that raced an invalidation is not cached', async () => {
    const shared = new MemoryCache();
    const c = new RowCache<string>({ cache: () => shared, channel: 'race', ttlMs: 60_000, maxEntries: 10 });
    let reads = 0;
    const stale = await c.get('k', async () => {
      reads++;
      await c.invalidate('k'); // a change commits while this read is in flight
      return 'old';
    });
    assert.equal(stale, 'old');
    const fresh = async () => {
      reads++;
      return 'new';
    };
    assert.equal(await c.get('k', fresh), 'new');
    assert.equal(reads, 2);
    await shared.close();
  });

  test('entries expire after ttlMs; without a shared cache every read goes to the store', async () => {
    const shared = new MemoryCache();
    let t = 0;
    const c = new RowCache<number>({ cache: () => shared, channel: 'ttl', ttlMs: 5_000, maxEntries: 10, now: () => t });
    let reads = 0;
    const load = async () => ++reads;
    assert.equal(await c.get('k', load), 1);
    t = 4_999;
    assert.equal(await c.get('k', load), 1);
    t = 5_000;
    assert.equal(await c.get('k', load), 2);
    const none = new RowCache<number>({
      cache: () => {
        throw new Error('no cache');
      },
      channel: 'none',
      ttlMs: 5_000,
      maxEntries: 10,
    });
    assert.equal(await none.get('k', load), 3);
    assert.equal(await none.get('k', load), 4);
    await none.invalidate('k');
    await shared.close();
  });
});

describe('app and user caches on one node', () => {
  test('a rotated secret, changed scopes, a deleted app and a renamed user are seen at once', async () => {
    const t = await createTestContext();
    try {
      const { apps, users } = t.ctx.services;
      const app = await seedApp(t.ctx, { scopes: [1] });
      assert.equal(await apps.verifySecret(app.clientId, app.clientSecret), true); // now cached
      const rotated = await apps.rotateSecret(app.clientId);
      assert.equal(await apps.verifySecret(app.clientId, app.clientSecret), false, 'the old secret fails at once');
      assert.equal(await apps.verifySecret(app.clientId, rotated), true);
      await apps.setScopes(app.clientId, [1, 3]);
      assert.deepEqual((await apps.get(app.clientId))?.scopes, [1, 3]);
      const u = await seedUser(t.ctx, { nickname: 'before' });
      assert.equal((await users.get(u.userId))?.nickname, 'before');
      await users.update(u.userId, { nickname: 'after' });
      assert.equal((await users.get(u.userId))?.nickname, 'after');
      await users.delete(u.userId);
      assert.equal(await users.get(u.userId), undefined);
      await apps.delete(app.clientId);
      assert.equal(await apps.get(app.clientId), undefined);
      assert.equal(await apps.verifySecret(app.clientId, rotated), false);
    } finally {
      await t.close();
    }
  });
});

describe('app and user caches across nodes (shared database and Redis)', { skip: REDIS_URL ? false : 'set OPAL_TEST_REDIS_URL' }, () => {
  test('a secret rotated or a user changed on node A is seen on node B within a second', async () => {
    const a = await createTestContext({ redis: true });
    const ctxB = await createContext(a.config);
    try {
      const app = await seedApp(a.ctx, { scopes: [1] });
      const u = await seedUser(a.ctx, { nickname: 'before' });
      assert.equal(await ctxB.services.apps.verifySecret(app.clientId, app.clientSecret), true); // cached on B
      assert.equal((await ctxB.services.users.get(u.userId))?.nickname, 'before'); // cached on B
      const rotated = await a.ctx.services.apps.rotateSecret(app.clientId);
      await a.ctx.services.users.update(u.userId, { nickname: 'after' });
      const deadline = Date.now() + 1000;
      while ((await ctxB.services.apps.verifySecret(app.clientId, app.clientSecret)) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 5));
      assert.equal(await ctxB.services.apps.verifySecret(app.clientId, app.clientSecret), false, 'old secret refused on B');
      assert.equal(await ctxB.services.apps.verifySecret(app.clientId, rotated), true);
      while ((await ctxB.services.users.get(u.userId))?.nickname !== 'after' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 5));
      assert.equal((await ctxB.services.users.get(u.userId))?.nickname, 'after');
    } finally {
      await ctxB.close();
      await a.close();
    }
  });
});
