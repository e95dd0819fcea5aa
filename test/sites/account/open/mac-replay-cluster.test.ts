// A nonce spent on one node is refused on another: two real server processes on one PostgreSQL
// schema and one Redis. Skipped unless OPAL_TEST_DATABASE_URL and OPAL_TEST_REDIS_URL are set.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Context, createContext } from '../../../../src/context.ts';
import { type ChildServer, startChild } from '../../../helpers/child-server.ts';
import { PG_URL, REDIS_URL, testConfig, tmpDir } from '../../../helpers/env.ts';
import { canon, hmacB64, javaEnc, javaNonce, rawCall } from '../../../helpers/open-api.ts';
import { createPgSchema, type PgSchema } from '../../../helpers/pg-schema.ts';
import { redisTestPrefix, removeRedisKeys } from '../../../helpers/redis.ts';
import { type Minted, mint, type Seeded, seed } from '../../../helpers/seed.ts';

const skip = PG_URL && REDIS_URL ? false : 'set OPAL_TEST_DATABASE_URL and OPAL_TEST_REDIS_URL';

describe('nonce replay across server processes', { skip }, () => {
  const dir = tmpDir();
  // The two nodes and this test share one schema and one Redis key prefix of their own.
  const prefix = redisTestPrefix();
  let schema: PgSchema;
  let ctx: Context;
  let nodes: ChildServer[] = [];
  let s: Seeded;
  let tok: Minted;

  before(async () => {
    schema = await createPgSchema(PG_URL ?? '');
    const env = { OPAL_DATABASE_URL: schema.url, OPAL_REDIS_URL: REDIS_URL ?? '', OPAL_REDIS_PREFIX: prefix };
    ctx = await createContext(testConfig(dir.path, env));
    s = await seed(ctx);
    tok = await mint(ctx, s.clientId, s.userId, [1]);
    nodes = await Promise.all(
      [0, 1].map(() => startChild(undefined, { dataDir: dir.path, env: { ...env, OPAL_SITES: 'account', OPAL_LOG_LEVEL: 'silent' } })),
    );
  });
  after(async () => {
    await Promise.allSettled(nodes.map((n) => n.stop()));
    await ctx?.close();
    await schema?.drop();
    await removeRedisKeys(REDIS_URL ?? '', prefix);
    dir.remove();
  });

  it('the second node refuses a nonce the first one accepted', async () => {
    const [a, b] = nodes;
    assert.ok(a && b && a.url !== b.url);
    const q = `clientId=${s.clientId}&token=${tok.accessToken}`;
    const nonce = javaNonce();
    const mac = hmacB64(tok.macKey, canon(nonce, 'GET', 'open.account.xiaomi.com', '/user/profile', q));
    const auth = `MAC access_token="${tok.accessToken}", nonce="${javaEnc(nonce)}",mac="${javaEnc(mac)}"`;
    const first = await rawCall(a.url, `/user/profile?${q}`, { headers: { authorization: auth } });
    assert.equal(first.json.code, 0, first.text);
    const replay = await rawCall(b.url, `/user/profile?${q}`, { headers: { authorization: auth } });
    assert.equal(replay.status, 401);
    assert.equal(replay.json.code, 96012);
    // A fresh nonce still works on the second node (it shares the token store too).
    const n2 = javaNonce();
    const mac2 = hmacB64(tok.macKey, canon(n2, 'GET', 'open.account.xiaomi.com', '/user/profile', q));
    const ok = await rawCall(b.url, `/user/profile?${q}`, {
      headers: { authorization: `MAC access_token="${tok.accessToken}", nonce="${javaEnc(n2)}",mac="${javaEnc(mac2)}"` },
    });
    assert.equal(ok.json.code, 0, ok.text);
  });
});
