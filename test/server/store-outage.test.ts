// Requests while a store is down (issue 11 drill, loopback only): PostgreSQL or Redis is reached
// through a TCP proxy that the test cuts (refusing new connections and resetting open ones, as a
// restart does). While it is cut, the token endpoint and FDS writes answer 503 in their own shapes,
// at once, with a clear message; once it is back they succeed again without restarting Opal, and
// every write acknowledged before, during and after is there. bench/store-restart.ts does the same
// with real restarts of the services under load.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PG_URL, REDIS_URL, startTestServer, type TestServer } from '../helpers/env.ts';
import { md5Hex } from '../helpers/fds-fixture.ts';
import { SdkClient } from '../helpers/fds-sdk.ts';
import { createPgSchema, type PgSchema } from '../helpers/pg-schema.ts';
import { redisTestPrefix, removeRedisKeys } from '../helpers/redis.ts';
import { type Seeded, seed, seedFdsKey } from '../helpers/seed.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

function outage(which: 'database' | 'cache', storeUrl: string | undefined) {
  return () => {
    let proxy: TcpProxy;
    let t: TestServer;
    let s: Seeded;
    let fds: SdkClient;
    let schema: PgSchema | undefined;
    let prefix: string | undefined;
    const acked = new Map<string, string>();
    before(async () => {
      const u = new URL(storeUrl ?? '');
      proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port) });
      // Scale-out mode: PostgreSQL and Redis, one of them behind the proxy.
      schema = await createPgSchema(PG_URL ?? '');
      prefix = redisTestPrefix();
      const db = which === 'database' ? proxy.rewrite(schema.url) : schema.url;
      const cache = which === 'cache' ? proxy.rewrite(REDIS_URL ?? '') : (REDIS_URL ?? '');
      t = await startTestServer({ env: { OPAL_DATABASE_URL: db, OPAL_REDIS_URL: cache, OPAL_REDIS_PREFIX: prefix } });
      s = await seed(t.ctx);
      fds = new SdkClient(t.fdsUrl, await seedFdsKey(t.ctx, 'outage-dev'));
      await fds.ok('PUT', '/outage-bucket');
    });
    after(async () => {
      proxy.restore();
      await t.close();
      await proxy.close();
      await schema?.drop();
      if (prefix) await removeRedisKeys(REDIS_URL ?? '', prefix);
    });

    const exchange = async (code: string) => {
      const q = new URLSearchParams({ client_id: s.clientId, client_secret: s.clientSecret, grant_type: 'authorization_code', code });
      const started = Date.now();
      const r = await fetch(`${t.accountUrl}/oauth2/token?${q}`, { headers: { connection: 'close' } });
      return { status: r.status, text: await r.text(), ms: Date.now() - started };
    };
    const put = async (name: string) => {
      const body = randomBytes(2000);
      const started = Date.now();
      const r = await fds.send('PUT', `/outage-bucket/${name}`, { body, headers: { connection: 'close' } });
      const text = await r.text();
      if (r.status === 200) acked.set(name, md5Hex(body));
      return { status: r.status, text, ms: Date.now() - started };
    };
    const mintCode = () =>
      t.ctx.services.oauth.issueCode({ clientId: s.clientId, userId: s.userId, scopes: [1], redirectUri: 'https://app.example.com/cb' });

    test(`with the ${which} cut: 503 at once in each shape, then recovery without a restart, no acknowledged write lost`, async () => {
      const code = await mintCode();
      assert.equal((await put('before')).status, 200);
      proxy.cut();
      const token = await exchange(code);
      assert.equal(token.status, 503, token.text);
      assert.equal(
        token.text,
        '&&&START&&&{"error":503,"error_description":"service unavailable: a data store cannot be reached; retry shortly"}',
      );
      assert.ok(token.ms < 3000, `token endpoint answered in ${token.ms} ms`);
      if (which === 'database') {
        const w = await put('during');
        assert.equal(w.status, 503, w.text);
        assert.deepEqual(JSON.parse(w.text), {
          code: 503,
          error: 'ServiceUnavailable',
          message: 'Service Unavailable: a data store cannot be reached; retry shortly',
        });
        assert.ok(w.ms < 3000, `FDS PUT answered in ${w.ms} ms`);
      }
      proxy.restore();
      // Back without restarting: the same code redeems (it was never spent), writes succeed.
      const deadline = Date.now() + 15_000;
      let again = await exchange(code);
      while (again.status !== 200 && Date.now() < deadline) {
        await sleep(200);
        again = await exchange(code);
      }
      assert.equal(again.status, 200, again.text);
      assert.match(again.text, /^&&&START&&&\{"access_token"/);
      assert.equal((await put('after')).status, 200);
      for (const [name, md5] of acked) {
        const r = await fds.send('GET', `/outage-bucket/${name}`);
        assert.equal(r.status, 200, name);
        assert.equal(md5Hex(Buffer.from(await r.arrayBuffer())), md5, name);
      }
    });
  };
}

const scaleOut = !PG_URL || !REDIS_URL ? 'set OPAL_TEST_DATABASE_URL and OPAL_TEST_REDIS_URL' : false;
describe('requests while PostgreSQL is unreachable', { skip: scaleOut }, outage('database', PG_URL));
describe('requests while Redis is unreachable', { skip: scaleOut }, outage('cache', REDIS_URL));
