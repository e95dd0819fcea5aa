// Locking or deleting a user, and the admin API's "revoke sessions", end the user's FDS
// serviceTokens too (they belong to no grant, so revoking grants does not reach them), and a
// disabled app's storage tokens stop working: nothing issued before keeps access.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/env.ts';
import { seedApp, seedUser } from '../helpers/seed.ts';

describe('admin actions end FDS access', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
  });
  after(() => t.close());
  const by = { actor: 'test' };
  const sts = async (userId: string) => (await t.ctx.services.storageTokens.issueServiceToken(userId, undefined)).serviceToken;
  const works = async (token: string) =>
    (await t.ctx.services.storageTokens.authenticateServiceToken(token, undefined, undefined)) !== undefined;

  for (const [what, act] of [
    ['lock', (id: string) => t.ctx.services.admin.lock(id, by)],
    ['revokeSessions', (id: string) => t.ctx.services.admin.revokeSessions(id, by)],
    ['deleteUser', (id: string) => t.ctx.services.admin.deleteUser(id, by)],
  ] as const) {
    it(`${what} revokes the user's serviceTokens`, async () => {
      const u = await seedUser(t.ctx, { account: `u-${what}`, password: 'pass-word-1' });
      const token = await sts(u.userId);
      assert.equal(await works(token), true);
      await act(u.userId);
      assert.equal(await works(token), false);
    });
  }

  it("a disabled app's storage tokens stop working", async () => {
    const app = await seedApp(t.ctx, { name: 'Dis', redirectUris: 'https://app.example.com/cb', scopes: [1] });
    const u = await seedUser(t.ctx, { account: 'u-disabled-app', password: 'pass-word-1' });
    const token = await sts(u.userId);
    const viaApp = await t.ctx.services.storageTokens.authenticateServiceToken(token, app.clientId, undefined);
    assert.ok(viaApp);
    await t.ctx.services.admin.setAppDisabled(app.clientId, true, by);
    assert.equal(await t.ctx.services.storageTokens.authenticateServiceToken(token, app.clientId, undefined), undefined);
  });
});
