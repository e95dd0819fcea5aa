// `opal fds token …` as real processes over a data directory shared with a test context.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/env.ts';
import { type FakeProviders, fakeProviderEnv, startFakeProviders } from '../helpers/fake-providers.ts';
import { opal } from '../helpers/opal-cli.ts';

describe('opal fds token (real processes)', () => {
  let t: TestContext;
  let fakes: FakeProviders;
  let env: Record<string, string>;
  let appId: string;

  before(async () => {
    fakes = await startFakeProviders();
    t = await createTestContext({ env: fakeProviderEnv(fakes) });
    env = { OPAL_DATA_DIR: t.dataDir, OPAL_LOG_LEVEL: 'silent', OPAL_DEMO: 'false', OPAL_SERVER_SECRET: t.ctx.serverSecret };
    const { app } = await t.ctx.services.apps.create({ name: 'CLI', redirectUris: 'https://cli.example/cb' });
    appId = app.clientId;
    fakes.qq.tokens.set('qq-cli', { userId: 'ABCDEF0123456789ABCDEF0123456789', appId: '101' });
  });
  after(async () => {
    await t.close();
    await fakes.close();
  });

  it('binds a provider app, lists and revokes tokens without ever printing them', async () => {
    const bind = await opal(['--json', 'fds', 'token', 'bind', '--app', appId, '--provider', 'qq', '--oauth-app-id', '101'], env);
    assert.equal(bind.code, 0, bind.stderr);
    assert.deepEqual(JSON.parse(bind.stdout), { appId, provider: 'QQ', oauthAppId: '101', added: true });

    const st = t.ctx.services.storageTokens;
    const q = new Map(Object.entries({ appId, oauthAppId: '101', oauthAccessToken: 'qq-cli', oauthProvider: 'QQ' }));
    const { token } = await st.exchange(q, '127.0.0.1');

    const list = await opal(['--json', 'fds', 'token', 'list', '--app', appId], env);
    assert.equal(list.code, 0, list.stderr);
    const rows = JSON.parse(list.stdout) as Array<{ id: string; state: string; provider: string; providerUserId: string }>;
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.provider, 'QQ');
    assert.equal(rows[0]?.state, 'live');
    assert.ok(!list.stdout.includes(token));

    // Hex ids: a base64url id beginning with '-' was read by the command line as an option (CI).
    assert.match(rows[0]?.id ?? '', /^[0-9a-f]{16}$/);
    const revoke = await opal(['fds', 'token', 'revoke', rows[0]?.id ?? ''], env);
    assert.equal(revoke.code, 0, revoke.stderr);
    assert.match(revoke.stdout, /revoked 1 token/);
    assert.equal(await st.authenticateStorageToken(appId, token), undefined);

    const again = await opal(['fds', 'token', 'revoke', rows[0]?.id ?? ''], env);
    assert.equal(again.code, 3, 'not found');
    const text = await opal(['fds', 'token', 'list', '--all'], env);
    assert.match(text.stdout, /revoked/);
    const usage = await opal(['fds', 'token', 'revoke'], env);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /exactly one of/);
  });
});
