// The admin HTTP API authenticated by the console session over a real server: reads need the
// session only; a change needs the session's X-CSRF-Token (missing, wrong, another session's, or
// sent by another origin: 403 and nothing changed); a developer's session is refused for admin-only
// operations (403), no session is 401, and tokens keep working beside sessions.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../../helpers/env.ts';
import { Jar, login } from '../../../helpers/oauth.ts';
import { seedUser } from '../../../helpers/seed.ts';

const P = '/api/admin/v1';

describe('admin API with the console session', () => {
  let t: TestServer;
  let admin: Jar;
  let developer: Jar;
  let adminCsrf = '';
  let developerCsrf = '';
  let targetId = '';
  let adminToken = '';

  async function call(jar: Jar | undefined, method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    const init = { method, headers: h, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) };
    const r = jar ? await jar.fetch(P + path, init) : await fetch(t.accountUrl + P + path, init);
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : undefined };
  }

  async function signedIn(role: 'admin' | 'developer'): Promise<{ jar: Jar; csrf: string; userId: string }> {
    const u = await seedUser(t.ctx);
    await t.ctx.services.admin.setRole(u.userId, role, { actor: 'test' });
    const jar = new Jar(t.accountUrl);
    assert.equal((await login(jar, u.account, u.password)).status, 303);
    const me = await call(jar, 'GET', '/me');
    assert.equal(me.status, 200);
    assert.equal(me.json.user.userId, u.userId);
    assert.match(me.json.csrfToken, /^[0-9a-f]{64}$/);
    return { jar, csrf: me.json.csrfToken, userId: u.userId };
  }

  before(async () => {
    t = await startTestServer();
    const a = await signedIn('admin');
    admin = a.jar;
    adminCsrf = a.csrf;
    const d = await signedIn('developer');
    developer = d.jar;
    developerCsrf = d.csrf;
    targetId = (await seedUser(t.ctx)).userId;
    adminToken = (await t.ctx.services.adminTokens.create(a.userId, 'test')).token;
  });
  after(async () => {
    await t.close();
  });

  it('no session and no token: 401 in the API shape', async () => {
    for (const [m, p] of [
      ['GET', '/users'],
      ['GET', '/me'],
      ['POST', `/users/${targetId}/lock`],
    ] as const) {
      const r = await call(undefined, m, p);
      assert.equal(r.status, 401, `${m} ${p}`);
      assert.equal(r.json.error, 'unauthorized');
      assert.equal(typeof r.json.message, 'string');
    }
    // A session cookie the server never issued is no session.
    const forged = new Jar(t.accountUrl);
    forged.cookies.set('serviceToken', 'x'.repeat(40));
    assert.equal((await call(forged, 'GET', '/users')).status, 401);
  });

  it("an admin's session reads with the cookie alone", async () => {
    const r = await call(admin, 'GET', `/users/${targetId}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.userId, targetId);
    assert.equal((await call(admin, 'GET', '/status')).status, 200);
  });

  it("a change without the session's CSRF token is refused and changes nothing", async () => {
    const wrong: Array<Record<string, string>> = [
      {},
      { 'x-csrf-token': 'f'.repeat(64) },
      { 'x-csrf-token': developerCsrf }, // another session's token
    ];
    for (const h of wrong) {
      const r = await call(admin, 'POST', `/users/${targetId}/lock`, h);
      assert.equal(r.status, 403, JSON.stringify(h));
      assert.equal(r.json.error, 'csrf');
    }
    // The right token, sent by another origin.
    const cross = await call(admin, 'POST', `/users/${targetId}/lock`, { 'x-csrf-token': adminCsrf, origin: 'https://evil.example' });
    assert.equal(cross.status, 403);
    assert.equal(cross.json.error, 'cross_origin');
    assert.equal((await t.ctx.services.users.require(targetId)).locked, false);
  });

  it("a developer's session is refused for admin-only operations, reads or changes", async () => {
    const read = await call(developer, 'GET', '/users');
    assert.equal(read.status, 403);
    assert.equal(read.json.error, 'forbidden');
    const change = await call(developer, 'POST', `/users/${targetId}/lock`, { 'x-csrf-token': developerCsrf });
    assert.equal(change.status, 403);
    assert.equal(change.json.error, 'forbidden');
    assert.equal((await t.ctx.services.users.require(targetId)).locked, false);
  });

  it("a developer's session manages its own apps, with the CSRF token for changes", async () => {
    const body = { name: 'Session app', redirectUris: 'https://s.example/cb' };
    assert.equal((await call(developer, 'POST', '/developer/apps', {}, body)).status, 403);
    const made = await call(developer, 'POST', '/developer/apps', { 'x-csrf-token': developerCsrf }, body);
    assert.equal(made.status, 201);
    const list = await call(developer, 'GET', '/developer/apps');
    assert.deepEqual(
      list.json.apps.map((a: { clientId: string }) => a.clientId),
      [made.json.clientId],
    );
  });

  it("an admin's session changes with the CSRF token; the audit names the admin", async () => {
    const r = await call(admin, 'POST', `/users/${targetId}/lock`, { 'x-csrf-token': adminCsrf });
    assert.equal(r.status, 200);
    assert.equal(r.json.locked, true);
    assert.equal((await t.ctx.services.users.require(targetId)).locked, true);
    const me = await call(admin, 'GET', '/me');
    const audit = await call(admin, 'GET', `/audit?kind=user.locked&actor=${me.json.user.userId}`);
    assert.equal(audit.json.events[0]?.subject, targetId);
  });

  it('tokens keep working, without a CSRF token, and a token wins over a session', async () => {
    const r = await call(undefined, 'POST', `/users/${targetId}/unlock`, { authorization: `Bearer ${adminToken}` });
    assert.equal(r.status, 200);
    assert.equal(r.json.locked, false);
    // A token caller gets no csrfToken; a bad token is 401 even beside a good session.
    assert.equal((await call(undefined, 'GET', '/me', { authorization: `Bearer ${adminToken}` })).json.csrfToken, undefined);
    assert.equal((await call(admin, 'GET', '/users', { authorization: 'Bearer opal_at_nope' })).status, 401);
  });

  it('a session ended on the server is no session: 401 with its old cookie and CSRF token', async () => {
    const u = await seedUser(t.ctx);
    await t.ctx.services.admin.setRole(u.userId, 'admin', { actor: 'test' });
    const jar = new Jar(t.accountUrl);
    await login(jar, u.account, u.password);
    const csrf = (await call(jar, 'GET', '/me')).json.csrfToken;
    const end = await call(undefined, 'POST', `/users/${u.userId}/revoke-sessions`, { authorization: `Bearer ${adminToken}` });
    assert.equal(end.status, 200);
    assert.equal((await call(jar, 'POST', `/users/${targetId}/lock`, { 'x-csrf-token': csrf })).status, 401);
    assert.equal((await call(jar, 'GET', '/users')).status, 401);
  });

  it("a session's GET of an app's FDS key reads it and creates none (review finding: a cookie GET made keys)", async () => {
    const created = await call(
      developer,
      'POST',
      '/developer/apps',
      { 'x-csrf-token': developerCsrf },
      { name: 'Keyless', redirectUris: 'https://k.example/cb' },
    );
    assert.equal(created.status, 201);
    const id: string = created.json.clientId;
    await t.ctx.services.fdsKeys.revoke(id); // whatever the app was given at creation
    const read = await call(developer, 'GET', `/developer/apps/${id}/fds-key`);
    assert.equal(read.status, 404);
    assert.equal(await t.ctx.services.fdsKeys.forApp(id), undefined, 'no key was created by the GET');
    const made = await call(developer, 'POST', `/developer/apps/${id}/fds-key/rotate`, { 'x-csrf-token': developerCsrf });
    assert.equal(made.status, 200);
    const again = await call(developer, 'GET', `/developer/apps/${id}/fds-key`);
    assert.equal(again.json.accessKeyId, made.json.accessKeyId);
  });
});
