// Bucket quotas over real HTTP (fds-protocol §9, §13 QuotaPolicy): `PUT/GET ?quota` round-trip and
// validation; a QPS quota and a Throughput quota per action enforced with 429 TooManyRequests in
// the FDS error shape, other actions untouched; and two nodes on one PostgreSQL schema and one
// Redis holding one QPS quota together (within 10 %), counted in the shared counters.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RunningServer, startServer } from '../../../src/server.ts';
import { PG_URL, REDIS_URL, testConfig, tmpDir } from '../../helpers/env.ts';
import { type FdsFixture, startFds } from '../../helpers/fds-fixture.ts';
import { SdkClient } from '../../helpers/fds-sdk.ts';
import { createPgSchema, type PgSchema } from '../../helpers/pg-schema.ts';
import { redisTestPrefix, removeRedisKeys } from '../../helpers/redis.ts';
import { seedFdsKey } from '../../helpers/seed.ts';

/** Waits until a one-second window has just begun (the quota windows are aligned to the epoch). */
async function windowStart(): Promise<number> {
  await sleep(1000 - (Date.now() % 1000) + 5);
  return Date.now();
}

describe('FDS bucket quotas', () => {
  let f: FdsFixture;
  before(async () => {
    f = await startFds({ buckets: ['q'] });
    await f.owner.ok('PUT', '/q/obj', { body: 'x'.repeat(800) });
  });
  after(() => f.close());

  it('PUT/GET ?quota round-trips a QuotaPolicy; anything else is 400 and changes nothing', async () => {
    const policy = { quotas: [{ type: 'QPS', action: 'ListObjects', value: 1000 }] };
    await f.owner.ok('PUT', '/q?quota', { body: JSON.stringify(policy) });
    assert.deepEqual(await f.owner.json('GET', '/q?quota'), policy);
    for (const bad of [
      '{"quotas":[{"type":"QPS","action":"GetObject","value":-1}]}',
      '{"quotas":[{"type":"Bytes","action":"GetObject","value":1}]}',
      '[]',
      '',
    ]) {
      const r = await f.owner.send('PUT', '/q?quota', { body: bad });
      assert.equal(r.status, 400, bad);
    }
    assert.deepEqual(await f.owner.json('GET', '/q?quota'), policy);
    assert.equal((await f.other.send('PUT', '/q?quota', { body: JSON.stringify(policy) })).status, 403);
  });

  it('a QPS quota refuses the requests over it in each second with 429 TooManyRequests', async () => {
    await f.owner.ok('PUT', '/q?quota', { body: JSON.stringify({ quotas: [{ type: 'QPS', action: 'HeadObject', value: 5 }] }) });
    await windowStart();
    const answers = await Promise.all(Array.from({ length: 20 }, () => f.owner.send('HEAD', '/q/obj')));
    const ok = answers.filter((r) => r.status === 200).length;
    assert.ok(ok >= 5 && ok <= 10, `${ok} allowed`);
    assert.ok(answers.every((r) => r.status === 200 || r.status === 429));
    const refused = await f.owner.send('GET', '/q/obj?metadata');
    assert.equal(refused.status, 200, 'another action is not limited');
    // The error body of a GET names the error.
    await f.owner.ok('PUT', '/q?quota', { body: JSON.stringify({ quotas: [{ type: 'QPS', action: 'GetObject', value: 0 }] }) });
    const g = await f.owner.send('GET', '/q/obj');
    assert.equal(g.status, 429);
    assert.deepEqual(await g.json(), {
      code: 429,
      error: 'TooManyRequests',
      message: 'Too Many Requests: the GetObject QPS quota of bucket q is 0',
    });
  });

  it('a Throughput quota stops downloads once the second’s bytes are used up', async () => {
    await f.owner.ok('PUT', '/q?quota', { body: JSON.stringify({ quotas: [{ type: 'Throughput', action: 'GetObject', value: 1000 }] }) });
    await windowStart();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await f.owner.send('GET', '/q/obj');
      statuses.push(r.status);
      await r.arrayBuffer();
    }
    assert.deepEqual(statuses, [200, 200, 429]); // 800 + 800 > 1000: the third finds the budget spent
    await f.owner.ok('PUT', '/q?quota', { body: JSON.stringify({ quotas: [] }) });
    assert.equal((await f.owner.send('GET', '/q/obj')).status, 200);
  });
});

const skip = !(PG_URL && REDIS_URL) && 'needs OPAL_TEST_DATABASE_URL and OPAL_TEST_REDIS_URL';

describe('FDS quotas on two nodes (PostgreSQL + Redis)', { skip }, () => {
  let schema: PgSchema;
  const prefix = redisTestPrefix();
  const dirs = [tmpDir('opal-quota-a-'), tmpDir('opal-quota-b-')];
  const nodes: RunningServer[] = [];
  let clients: SdkClient[] = [];

  before(async () => {
    schema = await createPgSchema(PG_URL ?? '');
    const env = {
      OPAL_DATABASE_URL: schema.url,
      OPAL_REDIS_URL: REDIS_URL ?? '',
      OPAL_REDIS_PREFIX: prefix,
      OPAL_SERVER_SECRET: 'q'.repeat(48),
      OPAL_SITES: 'fds',
    };
    for (const d of dirs) nodes.push(await startServer(testConfig(d.path, env), { logger: false }));
    const key = await seedFdsKey(nodes[0]!.ctx, 'quota-nodes');
    clients = nodes.map((n) => new SdkClient(n.urls.fds ?? '', key));
    await clients[0]!.ok('PUT', '/shared-q');
    await clients[0]!.ok('PUT', '/shared-q?quota', {
      body: JSON.stringify({ quotas: [{ type: 'QPS', action: 'ListObjects', value: 20 }] }),
    });
  });
  after(async () => {
    for (const n of nodes) await n.close();
    await schema?.drop();
    await removeRedisKeys(REDIS_URL ?? '', prefix);
    for (const d of dirs) d.remove();
  });

  it('both nodes together allow the QPS quota, not each of them', async () => {
    const start = await windowStart();
    const end = start + 2900; // three whole windows
    const allowed = [0, 0];
    await Promise.all(
      clients.map(async (c, i) => {
        while (Date.now() < end) {
          const r = await c.send('GET', '/shared-q?prefix=');
          await r.arrayBuffer();
          if (r.status === 200) allowed[i]!++;
          else assert.equal(r.status, 429);
        }
      }),
    );
    const total = (allowed[0] ?? 0) + (allowed[1] ?? 0);
    // 3 windows × 20: at most 60 in all (each node alone would allow 60), and within 10 % of it.
    assert.ok(total <= 60 && total >= 54, `allowed ${allowed.join(' + ')} = ${total}`);
    assert.ok((allowed[0] ?? 0) > 0 && (allowed[1] ?? 0) > 0, 'both nodes served');
  });
});
