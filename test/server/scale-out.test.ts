// Scale-out: several processes on one PostgreSQL + Redis. An entry invalidated on one node is gone
// on the other within a second, and two `opal serve` nodes start on one fresh schema at once.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../src/config.ts';
import { createContext } from '../../src/context.ts';
import { PG_URL, REDIS_URL, tmpDir } from '../helpers/env.ts';
import { type OpalProcess, spawnOpal, spawnScript, waitForOk } from '../helpers/opal-cli.ts';
import { createPgSchema, type PgSchema } from '../helpers/pg-schema.ts';
import { redisTestPrefix, removeRedisKeys } from '../helpers/redis.ts';

const skip = !(PG_URL && REDIS_URL) && 'needs OPAL_TEST_DATABASE_URL and OPAL_TEST_REDIS_URL';

/** A scale-out node (test/fixtures/scale-node.ts), once it says it is ready. */
async function startNode(channel: string, env: Record<string, string>): Promise<OpalProcess> {
  const node = spawnScript('test/fixtures/scale-node.ts', [channel], env, { stdin: true });
  await node.waitFor(/^ready$/, 30_000, 'stdout');
  return node;
}

describe('scale-out on one PostgreSQL + Redis', { skip }, () => {
  let schema: PgSchema;
  const dirs: Array<{ remove(): void }> = [];
  let env: Record<string, string>;

  before(async () => {
    schema = await createPgSchema(PG_URL ?? '');
    const dir = tmpDir('opal-scale-');
    dirs.push(dir);
    // The processes of this deployment share one Redis key prefix of their own, removed afterwards.
    env = { OPAL_DATABASE_URL: schema.url, OPAL_REDIS_URL: REDIS_URL ?? '', OPAL_REDIS_PREFIX: redisTestPrefix(), OPAL_DATA_DIR: dir.path };
  });
  after(async () => {
    if (env?.OPAL_REDIS_PREFIX) await removeRedisKeys(REDIS_URL ?? '', env.OPAL_REDIS_PREFIX);
    await schema?.drop();
    for (const d of dirs) d.remove();
  });

  it('a cache entry invalidated in one process is gone in the other within a second', async (t) => {
    // Shared data: one user in the shared schema.
    const ctx = await createContext(loadConfig({ ...env, OPAL_LOG_LEVEL: 'silent' }), { full: false });
    const user = await ctx.services.users.create({ account: 'scale', password: 'scale-pass', nickname: 'before' });
    await ctx.close();

    const channel = `test-users-${randomBytes(4).toString('hex')}`;
    const [a, b] = await Promise.all([startNode(channel, env), startNode(channel, env)]);
    try {
      assert.equal(await a.ask(`load ${user.userId}`), 'before');
      assert.equal(await b.ask(`load ${user.userId}`), 'before');
      assert.equal(await b.ask(`cached ${user.userId}`), 'before');

      const t0 = performance.now();
      assert.equal(await a.ask(`rename ${user.userId} after`), 'ok');
      let gone = -1;
      while (performance.now() - t0 < 1000) {
        if ((await b.ask(`cached ${user.userId}`)) === '-') {
          gone = performance.now() - t0;
          break;
        }
        await sleep(5);
      }
      t.diagnostic(`invalidation seen by the other process after ${gone.toFixed(1)} ms`);
      assert.ok(gone >= 0, 'entry gone on the other process within a second');
      // The other node now reads the new value from the shared database.
      assert.equal(await b.ask(`load ${user.userId}`), 'after');
      assert.equal(await a.ask(`load ${user.userId}`), 'after');
    } finally {
      a.child.stdin?.end();
      b.child.stdin?.end();
      a.kill();
      b.kill();
    }
  });

  it('two opal serve nodes start together on one fresh schema and are both ready', async () => {
    const fresh = await createPgSchema(PG_URL ?? '');
    const nodes = [0, 1].map(() => {
      const dir = tmpDir('opal-scale-node-');
      dirs.push(dir);
      return spawnOpal(['serve', '--only', 'account'], {
        ...env,
        OPAL_DATABASE_URL: fresh.url,
        OPAL_DATA_DIR: dir.path,
        OPAL_PORT: '0',
        OPAL_SERVER_SECRET: 'x'.repeat(40),
      });
    });
    try {
      for (const node of nodes) {
        await node.waitFor(/^Opal is running\.$/, 30_000, 'stderr');
        const url = (await node.waitFor(/^ {2}account origin:\s+(\S+)$/, 5000, 'stderr')).match[1];
        await waitForOk(`${url}/readyz`);
        const r = (await (await fetch(`${url}/readyz`)).json()) as { checks: Record<string, string> };
        assert.deepEqual(r.checks, { database: 'ok', cache: 'ok', blobs: 'ok' });
      }
      // Both migrated the same schema once, and neither seeded demo data.
      const [m] = await fresh.query<{ n: string | number }>('SELECT count(*) AS n FROM $schema.kysely_migration');
      assert.ok(Number(m?.n) >= 1);
      const [u] = await fresh.query<{ n: string | number }>('SELECT count(*) AS n FROM $schema.users');
      assert.equal(Number(u?.n), 0);
      for (const n of nodes) n.child.kill('SIGTERM');
      for (const n of nodes) assert.equal((await n.exited).code, 0);
    } finally {
      for (const n of nodes) n.kill();
      await fresh.drop();
    }
  });
});
