// The admin console (/admin) over HTTP: refused to a signed-out browser (sign-in redirect for a
// GET, 403 for a POST) and to a developer; CSRF and cross-origin posts refused and change nothing;
// GETs change nothing; each action does what the admin API does (same services), with the
// password-reset link delivered and usable; the audit page filters, pages and exports CSV that a
// spreadsheet cannot run as formulas.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dbBackends, startTestServer, type TestServer } from '../../../helpers/env.ts';
import { hidden, Jar, login } from '../../../helpers/oauth.ts';
import { seedApp, seedUser } from '../../../helpers/seed.ts';

const PAGES = ['/admin', '/admin/users', '/admin/developers', '/admin/apps', '/admin/audit', '/admin/audit.csv'];

for (const backend of dbBackends()) {
  // PostgreSQL runs with the Redis cache (scale-out mode) and, as in production, without the
  // developer outbox: no e-mail sender.
  const scaleOut = backend === 'postgres';
  describe(`admin console (${backend})`, () => {
    let t: TestServer;
    let admin: Jar;
    let adminId = '';
    let developer: Jar;

    async function signedIn(role: 'admin' | 'developer' | 'user'): Promise<{ jar: Jar; userId: string }> {
      const u = await seedUser(t.ctx);
      if (role !== 'user') await t.ctx.services.admin.setRole(u.userId, role, { actor: 'test' });
      const jar = new Jar(t.accountUrl);
      const r = await login(jar, u.account, u.password);
      assert.equal(r.status, 303);
      return { jar, userId: u.userId };
    }

    async function csrfOf(jar: Jar, path: string): Promise<string> {
      const r = await jar.fetch(path);
      assert.equal(r.status, 200, path);
      return hidden(await r.text(), 'csrf');
    }

    const auditCount = async () => (await t.ctx.services.audit.list({ limit: 100000 })).length;

    before(async () => {
      t = await startTestServer({ backend, redis: scaleOut });
      const a = await signedIn('admin');
      admin = a.jar;
      adminId = a.userId;
      developer = (await signedIn('developer')).jar;
    });
    after(async () => {
      await t?.close();
    });

    it('sends a signed-out browser to sign in (GET) and refuses its posts', async () => {
      const anon = new Jar(t.accountUrl);
      for (const p of PAGES) {
        const r = await anon.fetch(p);
        assert.equal(r.status, 303, p);
        assert.equal(r.headers.get('location'), `/login?return_to=${encodeURIComponent(p)}`);
      }
      const victim = await seedUser(t.ctx);
      const r = await anon.fetch(`/admin/users/${victim.userId}/lock`, { method: 'POST', form: { csrf: 'x' } });
      assert.equal(r.status, 403);
      assert.equal((await t.ctx.services.users.require(victim.userId)).locked, false);
    });

    it('refuses a developer and a plain user every page and action', async () => {
      const plain = (await signedIn('user')).jar;
      const victim = await seedUser(t.ctx);
      for (const jar of [developer, plain]) {
        for (const p of PAGES) {
          const r = await jar.fetch(p);
          assert.equal(r.status, 403, p);
          assert.match(await r.text(), /admin role/);
        }
        // The developer's own page token does not open the admin actions either.
        const csrf = hidden(await (await jar.fetch('/login')).text(), 'csrf');
        const r = await jar.fetch(`/admin/users/${victim.userId}/lock`, { method: 'POST', form: { csrf } });
        assert.equal(r.status, 403);
      }
      assert.equal((await t.ctx.services.users.require(victim.userId)).locked, false);
    });

    it('refuses a post without the session token, with another session token or from another origin', async () => {
      const victim = await seedUser(t.ctx);
      const other = (await signedIn('admin')).jar;
      const otherToken = await csrfOf(other, `/admin/users/${victim.userId}`);
      const before = await auditCount();
      for (const form of [{}, { csrf: 'forged' }, { csrf: otherToken }] as Array<Record<string, string>>) {
        const r = await admin.fetch(`/admin/users/${victim.userId}/lock`, { method: 'POST', form });
        assert.equal(r.status, 403);
        assert.match(await r.text(), /form expired/);
      }
      const good = await csrfOf(admin, `/admin/users/${victim.userId}`);
      const cross = await admin.fetch(`/admin/users/${victim.userId}/lock`, {
        method: 'POST',
        form: { csrf: good },
        headers: { origin: 'https://evil.example' },
      });
      assert.equal(cross.status, 403);
      const app = await seedApp(t.ctx);
      const appPost = await admin.fetch(`/admin/apps/${app.clientId}/disable`, { method: 'POST', form: { csrf: 'forged' } });
      assert.equal(appPost.status, 403);
      assert.equal((await t.ctx.services.users.require(victim.userId)).locked, false);
      assert.equal((await t.ctx.services.apps.require(app.clientId)).disabled, false);
      assert.equal(await auditCount(), before, 'nothing was written');
    });

    it('changes nothing on GET, whatever the query says', async () => {
      const victim = await seedUser(t.ctx, { email: 'get-victim@example.com' });
      const app = await seedApp(t.ctx);
      const before = await auditCount();
      for (const p of [
        ...PAGES,
        `/admin/users/${victim.userId}?done=locked`,
        `/admin/users/${victim.userId}/lock`,
        `/admin/users/${victim.userId}/delete?confirm=yes`,
        `/admin/apps/${app.clientId}/disable`,
        '/admin/apps?done=disabled',
      ]) {
        const r = await admin.fetch(p);
        assert.ok(r.status === 200 || r.status === 404, `${p}: ${r.status}`);
      }
      assert.equal((await t.ctx.services.users.require(victim.userId)).locked, false);
      assert.equal((await t.ctx.services.apps.require(app.clientId)).disabled, false);
      assert.equal(await auditCount(), before);
    });

    it('locks and unlocks, sets roles, signs out everywhere and deletes, with the audit trail', async () => {
      const victim = await seedUser(t.ctx);
      const page = `/admin/users/${victim.userId}`;
      const post = async (action: string, form: Record<string, string> = {}) =>
        admin.fetch(`${page}/${action}`, { method: 'POST', form: { csrf: await csrfOf(admin, page), ...form } });

      let r = await post('lock');
      assert.equal(r.status, 303);
      assert.equal(r.headers.get('location'), `${page}?done=locked&_locale=en`);
      assert.equal((await t.ctx.services.users.require(victim.userId)).locked, true);
      const shown = await (await admin.fetch(r.headers.get('location') ?? '')).text();
      assert.match(shown, /id="admin-notice"[^>]*>The user is locked/);
      assert.match(shown, /data-type="user.locked"/);
      assert.equal((await post('unlock')).status, 303);
      assert.equal((await t.ctx.services.users.require(victim.userId)).locked, false);

      assert.equal((await post('role', { role: 'developer' })).status, 303);
      assert.equal((await t.ctx.services.users.require(victim.userId)).role, 'developer');
      r = await post('role', { role: 'root' });
      assert.equal(r.status, 400);
      assert.equal((await t.ctx.services.users.require(victim.userId)).role, 'developer');

      const jar = new Jar(t.accountUrl);
      await login(jar, victim.account, victim.password);
      assert.match(await (await jar.fetch('/login')).text(), /You are signed in/);
      assert.equal((await post('revoke-sessions')).status, 303);
      const after = await jar.fetch('/login');
      assert.doesNotMatch(await after.text(), /You are signed in/);

      r = await post('delete');
      assert.equal(r.status, 400, 'deletion needs the confirmation box');
      assert.ok(await t.ctx.services.users.get(victim.userId));
      r = await post('delete', { confirm: 'yes' });
      assert.equal(r.status, 303);
      assert.equal(r.headers.get('location'), '/admin/users?done=deleted&_locale=en');
      assert.equal(await t.ctx.services.users.get(victim.userId), undefined);
      assert.equal((await admin.fetch(page)).status, 404);
    });

    it('refuses to lock, delete or demote the admin acting', async () => {
      const page = `/admin/users/${adminId}`;
      for (const [action, form] of [
        ['lock', {}],
        ['delete', { confirm: 'yes' }],
        ['role', { role: 'user' }],
      ] as const) {
        const r = await admin.fetch(`${page}/${action}`, { method: 'POST', form: { csrf: await csrfOf(admin, page), ...form } });
        assert.equal(r.status, 400, action);
        assert.match(await r.text(), /your own account/);
      }
      const me = await t.ctx.services.users.require(adminId);
      assert.equal(me.locked, false);
      assert.equal(me.role, 'admin');
    });

    it('sends a password-reset link through the recovery service; the link sets a new password', async () => {
      if (scaleOut) {
        // No sender configured: refused with the reason, nothing recorded.
        const u = await seedUser(t.ctx, { email: 'no-sender@example.com' });
        const r = await admin.fetch(`/admin/users/${u.userId}/reset-password`, {
          method: 'POST',
          form: { csrf: await csrfOf(admin, `/admin/users/${u.userId}`) },
        });
        assert.equal(r.status, 400);
        assert.match(await r.text(), /no e-mail sender is configured/);
        assert.equal((await t.ctx.services.audit.list({ type: 'user.reset_link_sent', subject: u.userId })).length, 0);
        return;
      }
      const victim = await seedUser(t.ctx, { email: 'reset-me@example.com' });
      const page = `/admin/users/${victim.userId}`;
      const r = await admin.fetch(`${page}/reset-password`, { method: 'POST', form: { csrf: await csrfOf(admin, page) } });
      assert.equal(r.status, 303);
      assert.match(await (await admin.fetch(r.headers.get('location') ?? '')).text(), /reset link was sent to reset-me@example.com/);
      const outbox = t.ctx.services.messenger.outbox;
      assert.ok(outbox, 'the test server delivers to the developer outbox');
      const message = outbox.list().find((m) => m.to === 'reset-me@example.com' && m.kind === 'reset-link');
      assert.ok(message);
      const link = new URL(/http\S+/.exec(message.text)?.[0] ?? '');
      const user = new Jar(t.accountUrl);
      const form = await (await user.fetch(`${link.pathname}${link.search}`)).text();
      const done = await user.fetch('/recover/reset', {
        method: 'POST',
        form: { csrf: hidden(form, 'csrf'), token: hidden(form, 'token'), password: 'amber-Lantern-83-willow' },
      });
      assert.equal(done.headers.get('location'), '/recover/done?_locale=en');
      const who = await t.ctx.services.users.findLogin(victim.account);
      assert.ok(await who?.check('amber-Lantern-83-willow'));
      // A user without an e-mail address: refused with the reason, nothing sent.
      const noMail = await seedUser(t.ctx);
      const refused = await admin.fetch(`/admin/users/${noMail.userId}/reset-password`, {
        method: 'POST',
        form: { csrf: await csrfOf(admin, `/admin/users/${noMail.userId}`) },
      });
      assert.equal(refused.status, 400);
      assert.match(await refused.text(), /no e-mail address/);
    });

    it('disables and enables any developer’s app', async () => {
      const app = await seedApp(t.ctx);
      const r = await admin.fetch(`/admin/apps/${app.clientId}/disable`, {
        method: 'POST',
        form: { csrf: await csrfOf(admin, '/admin/apps') },
      });
      assert.equal(r.status, 303);
      assert.equal((await t.ctx.services.apps.require(app.clientId)).disabled, true);
      const list = await (await admin.fetch('/admin/apps?done=disabled')).text();
      assert.match(list, new RegExp(`data-app="${app.clientId}"><td>[^<]*</td><td>${app.clientId}</td><td>[^<]*</td><td>disabled`));
      await admin.fetch(`/admin/apps/${app.clientId}/enable`, { method: 'POST', form: { csrf: await csrfOf(admin, '/admin/apps') } });
      assert.equal((await t.ctx.services.apps.require(app.clientId)).disabled, false);
    });

    it('filters and pages the audit log; the CSV has the same filters and neutralises formulas', async () => {
      for (let i = 0; i < 60; i++) await t.ctx.services.audit.record({ type: 'test.page', actor: 'pager', subject: String(i) });
      await t.ctx.services.audit.record({ type: 'test.formula', actor: '=HYPERLINK("http://evil")', subject: '+1', clientId: '42' });
      let html = await (await admin.fetch('/admin/audit?actor=pager&kind=test.')).text();
      assert.equal(html.match(/data-type="test.page"/g)?.length, 50);
      const older = /id="audit-older" *href="([^"]+)"|href="([^"]+)" rel="next" id="audit-older"/.exec(html);
      const next = (older?.[1] ?? older?.[2] ?? '').replace(/&amp;/g, '&');
      assert.match(next, /before=\d+/);
      html = await (await admin.fetch(next)).text();
      assert.equal(html.match(/data-type="test.page"/g)?.length, 10);
      assert.equal(await (await admin.fetch('/admin/audit?from=yesterday')).status, 400);
      const future = new Date(Date.now() + 86400_000).toISOString().slice(0, 16);
      assert.match(await (await admin.fetch(`/admin/audit?actor=pager&from=${future}`)).text(), /id="no-events"/);

      const csv = await admin.fetch('/admin/audit.csv?app=42');
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get('content-disposition') ?? '', /attachment/);
      const lines = (await csv.text()).trimEnd().split('\r\n');
      assert.equal(lines[0], 'id,time,type,actor,subject,clientId,ip,detail');
      assert.equal(lines.length, 2);
      assert.match(lines[1] ?? '', /,test\.formula,"'=HYPERLINK\(""http:\/\/evil""\)","'\+1",42,,\{\}$/);
    });

    it('shows the system status and the roles', async () => {
      const status = await (await admin.fetch('/admin')).text();
      assert.match(status, scaleOut ? /postgres/ : /sqlite/);
      assert.match(status, scaleOut ? /<dd>redis<\/dd>/ : /<dd>memory<\/dd>/);
      // The node list: this test's one server, from the registry in Redis or the database.
      assert.match(status, scaleOut ? /1 live, kept in Redis/ : /1 live, kept in the database/);
      assert.match(status, new RegExp(`<li data-node="[^"]+">[^<]*${t.accountUrl}[^<]*<strong>\\(this node\\)`));
      const users = await t.ctx.services.stats.counts();
      assert.match(status, new RegExp(`data-count="users">${users.users}<`));
      const devs = await (await admin.fetch('/admin/developers?_locale=zh-CN')).text();
      assert.match(devs, /<html lang="zh-CN">/);
      assert.match(devs, /开发者与角色/);
      assert.match(devs, /data-role="admin"/);
    });
  });
}
