// `opal grant list|revoke` and `opal token inspect|revoke` against a real data directory, through
// test/fixtures/cli-runner.ts (the real CLI code, many command lines in one process).
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
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
  let runner: ChildProcessWithoutNullStreams | undefined;
  const pending: Array<(line: string) => void> = [];
  after(() => {
    runner?.stdin.end();
  });
  const opal = async (...args: string[]) => {
    if (!runner) {
      runner = spawn(process.execPath, ['--import', 'tsx', new URL('../fixtures/cli-runner.ts', import.meta.url).pathname], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      createInterface({ input: runner.stdout }).on('line', (line) => pending.shift()?.(line));
    }
    const env = { OPAL_DATA_DIR: t.dataDir, OPAL_DEMO: 'false', OPAL_LOG_LEVEL: 'silent' };
    const line = await new Promise<string>((res) => {
      pending.push(res);
      runner?.stdin.write(`${JSON.stringify({ args: ['--json', ...args], env })}\n`);
    });
    const r = JSON.parse(line) as { code: number; stdout: string; stderr: string };
    return { status: r.code, json: r.stdout ? (JSON.parse(r.stdout) as Record<string, unknown>) : {}, stderr: r.stderr };
  };

  test('grant list, token inspect, token revoke, grant revoke', async () => {
    const list = await opal('grant', 'list', 'erin');
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual(
      (list.json.grants as Array<Record<string, unknown>>).map((g) => [g.clientId, g.appName, g.scopes]),
      [[clientId, 'CLI App', [1, 3]]],
    );
    const inspect = await opal('token', 'inspect', tokens.accessToken);
    assert.equal(inspect.status, 0, inspect.stderr);
    assert.equal(inspect.json.kind, 'access');
    assert.equal(inspect.json.active, true);
    assert.equal(inspect.json.clientId, clientId);
    assert.equal(inspect.json.userId, userId);
    assert.equal(JSON.stringify(inspect.json).includes(tokens.accessToken), false);
    assert.equal((await opal('token', 'revoke', tokens.accessToken)).status, 0);
    assert.equal((await t.ctx.services.oauth.inspect(tokens.accessToken))?.active, false);
    assert.equal(await t.ctx.services.oauth.resolveAccessToken(tokens.accessToken), undefined);
    assert.equal((await opal('token', 'inspect', 'nope')).status, 3);
    const revoke = await opal('grant', 'revoke', 'erin', clientId);
    assert.equal(revoke.status, 0, revoke.stderr);
    assert.equal(await t.ctx.services.oauth.isGrantActive(clientId, userId), false);
    assert.equal((await opal('token', 'inspect', tokens.refreshToken)).json.active, false);
  });
});
