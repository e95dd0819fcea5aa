// `opal keys list|rotate` and `opal oidc client` against a real data directory (the batch runner
// of opal-cli.ts runs the real CLI code).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/env.ts';
import { jsonOpal, opalBatch } from '../helpers/opal-cli.ts';
import { seedApp } from '../helpers/seed.ts';

describe('opal keys / opal oidc client', () => {
  let t: TestContext;
  let clientId = '';
  before(async () => {
    t = await createTestContext();
    clientId = (await seedApp(t.ctx, { name: 'RP', scopes: [1] })).clientId;
  });
  const runner = opalBatch();
  after(async () => {
    runner.close();
    await t.close();
  });
  const opal = jsonOpal(runner, () => t.dataDir);

  test('rotate retires the signing keys, which stay published; the server signs with the new ones', async () => {
    const first = await t.ctx.services.oidc.keys.signing('RS256');
    const r = await opal('keys', 'rotate');
    assert.equal(r.status, 0, r.stderr);
    const fresh = r.json.keys as Array<{ kid: string; alg: string }>;
    assert.deepEqual(fresh.map((k) => k.alg).sort(), ['ES256', 'RS256']);
    const list = (await opal('keys', 'list')).json.keys as Array<{ kid: string; retiredAt: number | null }>;
    assert.ok(list.find((k) => k.kid === first.kid)?.retiredAt);
    for (const k of fresh) assert.equal(list.find((l) => l.kid === k.kid)?.retiredAt, null);
    assert.equal((await t.ctx.services.oidc.keys.signing('RS256')).kid, fresh.find((k) => k.alg === 'RS256')?.kid);
    const jwks = (await t.ctx.services.oidc.keys.jwks()).keys.map((k) => k.kid);
    assert.ok(jwks.includes(first.kid));
  });

  test('oidc client: settings are checked and stored', async () => {
    const set = await opal('oidc', 'client', clientId, '--post-logout-uri', 'https://rp.example/bye', '--id-token-alg', 'ES256');
    assert.equal(set.status, 0, set.stderr);
    assert.deepEqual(await opal('oidc', 'client', clientId).then((r) => r.json), {
      clientId,
      postLogoutUris: 'https://rp.example/bye',
      idTokenAlg: 'ES256',
    });
    assert.equal((await opal('oidc', 'client', clientId, '--id-token-alg', 'HS256')).status, 2);
    assert.equal((await opal('oidc', 'client', clientId, '--post-logout-uri', 'javascript:alert(1)')).status, 2);
    assert.equal((await opal('oidc', 'client', '2882303761517999999', '--id-token-alg', 'RS256')).status, 3);
  });
});
