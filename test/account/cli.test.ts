// `opal grant list|revoke` and `opal token inspect|revoke` against a real data directory.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/env.ts';

describe('opal grant / opal token', () => {
  let t: TestContext;
  let clientId = '';
  let userId = '';
  let tokens: { accessToken: string; refreshToken: string };
  before(async () => {
    t = await createTestContext();
    const { app } = await t.ctx.services.apps.create({ name: 'CLI App', redirectUris: 'https://a.example.com/cb', scopes: [1, 3] });
    clientId = app.clientId;
    userId = (await t.ctx.services.users.create({ account: 'erin', password: 'erin-password' })).userId;
    const code = await t.ctx.services.oauth.issueCode({ clientId, userId, scopes: [1, 3], redirectUri: 'https://a.example.com/cb' });
    tokens = await t.ctx.services.oauth.redeemCode({ clientId, code });
  });
  after(async () => {
    await t.close();
  });
  const opal = (...args: string[]) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--json', ...args], {
      env: { ...process.env, OPAL_DATA_DIR: t.dataDir, OPAL_DEMO: 'false', OPAL_LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { status: r.status, json: r.stdout ? (JSON.parse(r.stdout) as Record<string, unknown>) : {}, stderr: r.stderr };
  };

  test('grant list, token inspect, token revoke, grant revoke', async () => {
    const list = opal('grant', 'list', 'erin');
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual(
      (list.json.grants as Array<Record<string, unknown>>).map((g) => [g.clientId, g.appName, g.scopes]),
      [[clientId, 'CLI App', [1, 3]]],
    );
    const inspect = opal('token', 'inspect', tokens.accessToken);
    assert.equal(inspect.status, 0, inspect.stderr);
    assert.equal(inspect.json.kind, 'access');
    assert.equal(inspect.json.active, true);
    assert.equal(inspect.json.clientId, clientId);
    assert.equal(inspect.json.userId, userId);
    assert.equal(JSON.stringify(inspect.json).includes(tokens.accessToken), false);
    assert.equal(opal('token', 'revoke', tokens.accessToken).status, 0);
    assert.equal((await t.ctx.services.oauth.inspect(tokens.accessToken))?.active, false);
    assert.equal(await t.ctx.services.oauth.resolveAccessToken(tokens.accessToken), undefined);
    const revoke = opal('grant', 'revoke', 'erin', clientId);
    assert.equal(revoke.status, 0, revoke.stderr);
    assert.equal(await t.ctx.services.oauth.isGrantActive(clientId, userId), false);
    assert.equal(opal('token', 'inspect', tokens.refreshToken).json.active, false);
  });
});
