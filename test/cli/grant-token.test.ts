// `opal grant list|revoke` and `opal token inspect|revoke` against a real data directory, through
// the batch runner of opal-cli.ts (the real CLI code, many command lines in one process).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/env.ts';
import { jsonOpal, opalBatch } from '../helpers/opal-cli.ts';
import { type Minted, mint, seedApp, seedUser } from '../helpers/seed.ts';

describe('opal grant / opal token', () => {
  let t: TestContext;
  let clientId = '';
  let userId = '';
  let tokens: Minted;
  before(async () => {
    t = await createTestContext();
    clientId = (await seedApp(t.ctx, { name: 'CLI App', scopes: [1, 3] })).clientId;
    userId = (await seedUser(t.ctx, { account: 'erin', password: 'erin-password' })).userId;
    tokens = await mint(t.ctx, clientId, userId, [1, 3]);
  });
  const runner = opalBatch();
  after(async () => {
    runner.close();
    await t.close();
  });
  const opal = jsonOpal(runner, () => t.dataDir);

  test('grant list, token inspect, token revoke, grant revoke', async () => {
    const list = await opal('grant', 'list', 'erin');
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual(
      (list.json.grants as Array<Record<string, unknown>>).map((g) => [g.clientId, g.appName, g.scopes]),
      [[clientId, 'CLI App', [1, 3]]],
    );
    const inspect = await opal('token', 'inspect', '--', tokens.accessToken);
    assert.equal(inspect.status, 0, inspect.stderr);
    assert.equal(inspect.json.kind, 'access');
    assert.equal(inspect.json.active, true);
    assert.equal(inspect.json.clientId, clientId);
    assert.equal(inspect.json.userId, userId);
    assert.equal(JSON.stringify(inspect.json).includes(tokens.accessToken), false);
    assert.equal((await opal('token', 'revoke', '--', tokens.accessToken)).status, 0);
    assert.equal((await t.ctx.services.oauth.inspect(tokens.accessToken))?.active, false);
    assert.equal(await t.ctx.services.oauth.resolveAccessToken(tokens.accessToken), undefined);
    assert.equal((await opal('token', 'inspect', 'nope')).status, 3);
    // One token in 64 begins with "-": after `--` it is a token (unknown: 3), not an option (usage: 2).
    assert.equal((await opal('token', 'inspect', '--', '-rNiBFS1vKQbspurysfTBxaiVE7vupm8')).status, 3);
    assert.equal((await opal('token', 'revoke', '--', '-rNiBFS1vKQbspurysfTBxaiVE7vupm8')).status, 3);
    const revoke = await opal('grant', 'revoke', 'erin', clientId);
    assert.equal(revoke.status, 0, revoke.stderr);
    assert.equal(await t.ctx.services.oauth.isGrantActive(clientId, userId), false);
    assert.equal((await opal('token', 'inspect', '--', tokens.refreshToken)).json.active, false);
  });

  test('a real token that begins with "-", after --, is inspected and revoked', async () => {
    // One token in 64 begins with "-"; mint until one does (2,000 tries miss with odds of 1e-14).
    let dashed = '';
    for (let i = 0; i < 2000 && !dashed; i++) {
      const m = await mint(t.ctx, clientId, userId, [1]);
      dashed = [m.accessToken, m.refreshToken].find((x) => x.startsWith('-')) ?? '';
    }
    assert.ok(dashed, 'no minted token began with "-"');
    const inspect = await opal('token', 'inspect', '--', dashed);
    assert.equal(inspect.status, 0, inspect.stderr);
    assert.equal(inspect.json.active, true);
    assert.equal((await opal('token', 'revoke', '--', dashed)).status, 0);
    assert.equal((await opal('token', 'inspect', '--', dashed)).json.active, false);
  });
});
