// `opal grant list|revoke` and `opal token inspect|revoke` against a real data directory, through
// the batch runner of opal-cli.ts (the real CLI code, many command lines in one process).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sha256Hex } from '../../src/lib/hash.ts';
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
    // A token of an earlier build may begin with "-": after `--` it is a token (unknown: 3), not an option (usage: 2).
    assert.equal((await opal('token', 'inspect', '--', '-rNiBFS1vKQbspurysfTBxaiVE7vupm8')).status, 3);
    assert.equal((await opal('token', 'revoke', '--', '-rNiBFS1vKQbspurysfTBxaiVE7vupm8')).status, 3);
    const revoke = await opal('grant', 'revoke', 'erin', clientId);
    assert.equal(revoke.status, 0, revoke.stderr);
    assert.equal(await t.ctx.services.oauth.isGrantActive(clientId, userId), false);
    assert.equal((await opal('token', 'inspect', '--', tokens.refreshToken)).json.active, false);
  });

  test('a token that begins with "-" (as one in 64 of an earlier build did), after --, is inspected and revoked', async () => {
    // Opal no longer issues such tokens: a minted one is stored as an earlier build would have it.
    const m = await mint(t.ctx, clientId, userId, [1]);
    const dashed = `-${m.accessToken.slice(1)}`;
    await t.ctx.db.kysely
      .updateTable('oauth_tokens')
      .set({ token_hash: sha256Hex(dashed) })
      .where('token_hash', '=', sha256Hex(m.accessToken))
      .execute();
    const inspect = await opal('token', 'inspect', '--', dashed);
    assert.equal(inspect.status, 0, inspect.stderr);
    assert.equal(inspect.json.active, true);
    assert.equal((await opal('token', 'revoke', '--', dashed)).status, 0);
    assert.equal((await opal('token', 'inspect', '--', dashed)).json.active, false);
  });
});
