// Account administration on both database backends: the first admin, roles and developer records,
// locks (sign-in, sessions, grants and tokens), disabled apps, deletion.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { provision } from '../../src/services/provision.ts';
import { createTestContext, dbBackends, type TestContext } from '../helpers/env.ts';
import { mint, seedApp, seedUser } from '../helpers/seed.ts';

for (const backend of dbBackends()) {
  describe(`admin service on ${backend}`, () => {
    let t: TestContext;
    before(async () => {
      t = await createTestContext({ backend });
    });
    after(async () => {
      await t.close();
    });
    const by = { actor: 'test' };

    it('provision creates the first admin once and never changes it afterwards', async () => {
      const cfg = { adminAccount: 'root', adminPassword: 'root-pass-1' };
      const first = await provision(cfg, t.ctx.services);
      assert.ok(first.adminCreated);
      const root = await t.ctx.services.users.require(first.adminCreated);
      assert.equal(root.role, 'admin');
      assert.ok(await t.ctx.services.apps.developerOfUser(root.userId));
      await t.ctx.services.admin.setRole(root.userId, 'developer', by);
      assert.deepEqual(await provision({ ...cfg, adminPassword: 'other-pass-1' }, t.ctx.services), {});
      assert.equal((await t.ctx.services.users.require(root.userId)).role, 'developer');
      assert.ok(await t.ctx.services.users.authenticate('root', 'root-pass-1'));
    });

    it('a developer record per developer, named after the account, kept when demoted', async () => {
      const u = await seedUser(t.ctx);
      const other = await t.ctx.services.apps.developer(u.account); // a CLI developer with that name
      await t.ctx.services.apps.create({ name: 'x', redirectUris: 'https://x.example/cb', developer: u.account });
      const promoted = await t.ctx.services.admin.setRole(u.userId, 'developer', by);
      assert.notEqual(promoted.developerId, null);
      // The name was free to take over (no user on it): the same record.
      assert.equal(promoted.developerId, other.id);
      const v = await seedUser(t.ctx);
      await t.ctx.services.apps.ensureDeveloperOfUser(v, u.account);
      const vDev = await t.ctx.services.apps.developerOfUser(v.userId);
      assert.equal(vDev?.name, `${u.account}-${v.userId}`);
      const demoted = await t.ctx.services.admin.setRole(u.userId, 'user', by);
      assert.equal(demoted.developerId, promoted.developerId);
    });

    it('lock: no sign-in, no page session, grants and tokens revoked; unlock lets sign-in again', async () => {
      const u = await seedUser(t.ctx);
      const app = await seedApp(t.ctx);
      await t.ctx.services.oauth.approve(u.userId, app.clientId, [1]);
      const tok = await mint(t.ctx, app.clientId, u.userId, [1]);
      assert.ok(await t.ctx.services.oauth.resolveAccessToken(tok.accessToken));
      await t.ctx.services.admin.lock(u.userId, by);
      assert.equal(await t.ctx.services.users.authenticate(u.account, u.password), undefined);
      assert.equal(await t.ctx.services.users.verifyPassword(u.userId, u.password), false);
      assert.equal(await t.ctx.services.oauth.resolveAccessToken(tok.accessToken), undefined);
      assert.deepEqual(await t.ctx.services.oauth.listGrants(u.userId), []);
      const events = await t.ctx.services.audit.list({ type: 'user.locked', subject: u.userId });
      assert.equal(events.length, 1);
      await t.ctx.services.admin.unlock(u.userId, by);
      assert.ok(await t.ctx.services.users.authenticate(u.account, u.password));
    });

    it('a disabled app is unknown to the protocols until enabled', async () => {
      const u = await seedUser(t.ctx);
      const app = await seedApp(t.ctx);
      const tok = await mint(t.ctx, app.clientId, u.userId, [1]);
      await t.ctx.services.admin.setAppDisabled(app.clientId, true, by);
      assert.equal(await t.ctx.services.apps.get(app.clientId), undefined);
      assert.equal((await t.ctx.services.apps.require(app.clientId)).disabled, true);
      assert.equal(await t.ctx.services.apps.verifySecret(app.clientId, app.clientSecret), false);
      assert.equal(await t.ctx.services.apps.withSigningSecret(app.clientId), undefined);
      assert.equal(await t.ctx.services.oauth.resolveAccessToken(tok.accessToken), undefined);
      await t.ctx.services.admin.setAppDisabled(app.clientId, false, by);
      assert.ok(await t.ctx.services.apps.verifySecret(app.clientId, app.clientSecret));
      assert.ok(await t.ctx.services.oauth.resolveAccessToken(tok.accessToken));
    });

    it('search finds users by part of account, email or nickname; wildcards are literal', async () => {
      const u = await seedUser(t.ctx, { nickname: 'Zebra_Crossing', email: `zz${Date.now()}@Example.org` });
      assert.deepEqual(
        (await t.ctx.services.users.search('zebra_cross')).map((x) => x.userId),
        [u.userId],
      );
      assert.ok((await t.ctx.services.users.search(u.email.toUpperCase())).some((x) => x.userId === u.userId));
      assert.deepEqual(await t.ctx.services.users.search('%_%_%_%_nothing'), []);
    });

    it('delete revokes grants, unlinks the developer record and removes the user', async () => {
      const u = await seedUser(t.ctx);
      const dev = (await t.ctx.services.admin.setRole(u.userId, 'developer', by)).developerId;
      await t.ctx.services.admin.deleteUser(u.userId, by);
      assert.equal(await t.ctx.services.users.get(u.userId), undefined);
      assert.equal((await t.ctx.services.apps.getDeveloper(dev ?? ''))?.userId, null);
    });
  });
}
