// The node list of the admin status in scale-out mode: two real server processes on one PostgreSQL
// schema and one Redis each list all three (GET /api/admin/v1/status, which the /admin page shows); a node
// killed without a word disappears once its entry expires, a node stopped cleanly at once.
// Skipped unless OPAL_TEST_DATABASE_URL and OPAL_TEST_REDIS_URL are set.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Context, createContext } from '../../../../src/context.ts';
import { type ChildServer, startChild } from '../../../helpers/child-server.ts';
import { PG_URL, REDIS_URL, testConfig, tmpDir } from '../../../helpers/env.ts';
import { createPgSchema, type PgSchema } from '../../../helpers/pg-schema.ts';
import { redisTestPrefix, removeRedisKeys } from '../../../helpers/redis.ts';
import { seedUser } from '../../../helpers/seed.ts';

const skip = PG_URL && REDIS_URL ? false : 'set OPAL_TEST_DATABASE_URL and OPAL_TEST_REDIS_URL';
const HEARTBEAT_MS = 300; // an entry lives 900 ms without a beat

interface Listed {
  nodeId: string;
  pid: number;
  urls: Record<string, string>;
  self: boolean;
  version: string;
}

describe('node registry across server processes', { skip }, () => {
  const dir = tmpDir();
  const prefix = redisTestPrefix();
  let schema: PgSchema;
  let ctx: Context;
  const nodes: ChildServer[] = [];
  let token = '';

  async function status(node: ChildServer): Promise<{ registry: string; ttlSeconds: number; list: Listed[] }> {
    const r = await fetch(`${node.accountUrl}/api/admin/v1/status`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(r.status, 200);
    return ((await r.json()) as { nodes: { registry: string; ttlSeconds: number; list: Listed[] } }).nodes;
  }

  /** Polls `node`'s list until `done` holds (the entries expire on their own clock), at most 15 s. */
  async function until(node: ChildServer, done: (l: Listed[]) => boolean): Promise<Listed[]> {
    const end = Date.now() + 15_000;
    for (;;) {
      const l = (await status(node)).list;
      if (done(l) || Date.now() > end) return l;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  before(async () => {
    schema = await createPgSchema(PG_URL ?? '');
    const env = { OPAL_DATABASE_URL: schema.url, OPAL_REDIS_URL: REDIS_URL ?? '', OPAL_REDIS_PREFIX: prefix };
    ctx = await createContext(testConfig(dir.path, env));
    const root = await seedUser(ctx);
    await ctx.services.admin.setRole(root.userId, 'admin', { actor: 'test' });
    token = (await ctx.services.adminTokens.create(root.userId, 'test')).token;
    const nodeEnv = { ...env, OPAL_SITES: 'account', OPAL_LOG_LEVEL: 'silent', OPAL_NODE_HEARTBEAT_MS: String(HEARTBEAT_MS) };
    // One after the other: three processes loading the sources at once are slow on a small machine.
    for (let i = 0; i < 3; i++) nodes.push(await startChild(undefined, { dataDir: dir.path, env: nodeEnv }));
  });
  after(async () => {
    await Promise.allSettled(nodes.map((n) => n.stop()));
    await ctx?.close();
    await schema?.drop();
    await removeRedisKeys(REDIS_URL ?? '', prefix);
    dir.remove();
  });

  it('every node lists every live node from Redis, marking itself', async () => {
    for (const node of nodes) {
      const s = await status(node);
      assert.equal(s.registry, 'redis');
      assert.equal(s.ttlSeconds, (3 * HEARTBEAT_MS) / 1000);
      assert.deepEqual(s.list.map((n) => n.urls.account).sort(), nodes.map((n) => n.accountUrl).sort());
      assert.deepEqual(
        s.list.filter((n) => n.self).map((n) => n.pid),
        [node.pid],
      );
    }
  });

  it('a killed node disappears after the TTL; a node stopped cleanly at once', async () => {
    const [a, b, c] = nodes;
    assert.ok(a && b && c);
    await b.kill();
    const afterKill = await until(a, (l) => l.length === 2);
    assert.deepEqual(afterKill.map((n) => n.pid).sort(), [a.pid, c.pid].sort());
    await c.stop();
    // A clean stop removes its entry before the process exits: the next look no longer has it.
    assert.deepEqual(
      (await status(a)).list.map((n) => n.pid),
      [a.pid],
    );
  });
});
