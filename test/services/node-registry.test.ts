// The node registry over both of its stores: the database (SQLite here; the embedded default) and
// Redis (when OPAL_TEST_REDIS_URL is set). Entries expire after three missed heartbeats, a clean
// stop removes its entry at once, and a listing is bounded.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_LISTED, NodeRegistry } from '../../src/services/node-registry.ts';
import { NodesRepo } from '../../src/store/db/nodes-repo.ts';
import type { ExpiringSet } from '../../src/store/expiring-set.ts';
import { createTestContext, REDIS_URL, type TestContext } from '../helpers/env.ts';
import { redisTestPrefix, removeRedisKeys } from '../helpers/redis.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function registrySuite(name: string, open: () => Promise<{ set: ExpiringSet; close(): Promise<void> }>, skip: string | false = false) {
  describe(`node registry in ${name}`, { skip }, () => {
    let store: { set: ExpiringSet; close(): Promise<void> };
    before(async () => {
      store = await open();
    });
    after(async () => {
      await store?.close();
    });

    it('lists the nodes that beat, drops one that stops beating after the TTL, removes one that stops', async (t) => {
      // Beats every 300 ms, so an entry lives 900 ms without one.
      const a = new NodeRegistry(() => store.set, 300);
      const b = new NodeRegistry(() => store.set, 300);
      const errors: unknown[] = [];
      t.after(() => Promise.all([a.stop(), b.stop()]));
      await a.start({ version: '1.0.0', urls: { account: 'http://a:8080' } }, (e) => errors.push(e));
      await b.start({ version: '1.0.0', urls: { account: 'http://b:8080' } }, (e) => errors.push(e));
      const both = await a.list();
      assert.deepEqual(both.map((n) => n.nodeId).sort(), [a.nodeId, b.nodeId].sort());
      assert.deepEqual(both.find((n) => n.nodeId === b.nodeId)?.urls, { account: 'http://b:8080' });
      assert.equal(both[0]?.pid, process.pid);
      // Past several TTLs the beating nodes are still there, with a newer lastSeenAt.
      const seen = both.find((n) => n.nodeId === a.nodeId)?.lastSeenAt ?? 0;
      await sleep(2000);
      const later = await b.list();
      assert.equal(later.length, 2);
      assert.ok((later.find((n) => n.nodeId === a.nodeId)?.lastSeenAt ?? 0) > seen);
      // b dies without a word (its timer stops, its entry stays until it expires).
      clearInterval((b as unknown as { timer: NodeJS.Timeout }).timer);
      await sleep(2000);
      assert.deepEqual(
        (await a.list()).map((n) => n.nodeId),
        [a.nodeId],
      );
      // a stops cleanly: gone at once.
      await a.stop();
      assert.deepEqual(await a.list(), []);
      assert.deepEqual(errors, []);
    });

    it(`lists at most ${MAX_LISTED} nodes`, async () => {
      const r = new NodeRegistry(() => store.set, 60_000);
      for (let i = 0; i < MAX_LISTED + 20; i++) {
        await store.set.put(`n${String(i).padStart(4, '0')}`, JSON.stringify({ nodeId: `n${i}`, startedAt: i }), 60_000);
      }
      assert.equal((await r.list()).length, MAX_LISTED);
      for (let i = 0; i < MAX_LISTED + 20; i++) await store.set.remove(`n${String(i).padStart(4, '0')}`);
      assert.deepEqual(await r.list(), []);
    });
  });
}

registrySuite('the database', async () => {
  const t: TestContext = await createTestContext();
  return { set: new NodesRepo(t.ctx.db.kysely), close: () => t.close() };
});

registrySuite(
  'Redis',
  async () => {
    const { RedisCache } = await import('../../src/store/cache/redis-cache.ts');
    const prefix = redisTestPrefix();
    const cache = new RedisCache(REDIS_URL ?? '', prefix);
    return {
      set: cache.expiringSet('nodes'),
      async close() {
        await cache.close();
        await removeRedisKeys(REDIS_URL ?? '', prefix);
      },
    };
  },
  REDIS_URL ? false : 'set OPAL_TEST_REDIS_URL',
);
