// The admin HTTP API over a real server: every endpoint refused without a token, admin-only ones
// refused with a developer's token, each endpoint's effect, and developers kept apart (apps, FDS
// keys, buckets). The first admin comes from OPAL_ADMIN_ACCOUNT / OPAL_ADMIN_PASSWORD on start.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newBucket } from '../../../../src/store/db/fds/columns.ts';
import { startTestServer, type TestServer } from '../../../helpers/env.ts';
import { Agent } from '../../../helpers/open-api.ts';
import { mint, seedApp, seedUser } from '../../../helpers/seed.ts';

const P = '/api/admin/v1';
const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

/** [method, path] of every endpoint; `admin` marks the admin-only ones. */
const ENDPOINTS: Array<[method: string, path: string, admin: boolean]> = [
  ['GET', '/users', true],
  ['POST', '/users', true],
  ['GET', '/users/1', true],
  ['PUT', '/users/1/role', true],
  ['POST', '/users/1/lock', true],
  ['POST', '/users/1/unlock', true],
  ['POST', '/users/1/revoke-sessions', true],
  ['POST', '/users/1/reset-password', true],
  ['DELETE', '/users/1', true],
  ['GET', '/roles', true],
  ['GET', '/developers', true],
  ['GET', '/apps', true],
  ['POST', '/apps/1/disable', true],
  ['POST', '/apps/1/enable', true],
  ['GET', '/audit', true],
  ['GET', '/audit.csv', true],
  ['GET', '/status', true],
  ['GET', '/me', false],
  ['GET', '/developer/apps', false],
  ['POST', '/developer/apps', false],
  ['GET', '/developer/apps/1', false],
  ['POST', '/developer/apps/1/rotate-secret', false],
  ['DELETE', '/developer/apps/1', false],
  ['GET', '/developer/apps/1/fds-key', false],
  ['POST', '/developer/apps/1/fds-key/rotate', false],
  ['GET', '/developer/buckets', false],
  ['GET', '/developer/buckets/b', false],
];

describe('admin API', () => {
  let t: TestServer;
  let adminToken = '';
  let devA = { token: '', userId: '', developerId: '' };
  let devB = { token: '', userId: '', developerId: '' };
  let plainToken = '';

  async function call(method: string, path: string, token?: string, body?: unknown) {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(`${t.accountUrl}${P}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await r.text();
    // biome-ignore lint/suspicious/noExplicitAny: the tests read many answer shapes
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: r.status, json, text, headers: r.headers };
  }

  async function developer(): Promise<typeof devA> {
    const u = await seedUser(t.ctx);
    const d = await t.ctx.services.admin.setRole(u.userId, 'developer', { actor: 'test' });
    const tok = await t.ctx.services.adminTokens.create(u.userId, 'test');
    return { token: tok.token, userId: u.userId, developerId: d.developerId ?? '' };
  }

  before(async () => {
    t = await startTestServer({ env: { OPAL_ADMIN_ACCOUNT: 'root', OPAL_ADMIN_PASSWORD: 'root-pass-1' } });
    const root = await t.ctx.services.users.find('root');
    assert.equal(root?.role, 'admin');
    adminToken = (await t.ctx.services.adminTokens.create(root?.userId ?? '', 'test')).token;
    devA = await developer();
    devB = await developer();
    const plain = await developer();
    plainToken = plain.token;
    await t.ctx.services.admin.setRole(plain.userId, 'user', { actor: 'test' });
  });
  after(async () => {
    await t.close();
  });

  it("every endpoint refuses a request without a token, with an unknown one and with a plain user's", async () => {
    for (const [method, path] of ENDPOINTS) {
      for (const token of [undefined, 'opal_at_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', plainToken]) {
        const r = await call(method, path, token, method === 'GET' || method === 'DELETE' ? undefined : {});
        assert.equal(r.status, 401, `${method} ${path} ${token}`);
        assert.equal(r.json.error, 'unauthorized');
        assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
      }
    }
  });

  it("admin-only endpoints refuse a developer's token", async () => {
    for (const [method, path, adminOnly] of ENDPOINTS) {
      if (!adminOnly) continue;
      const r = await call(method, path, devA.token, method === 'GET' || method === 'DELETE' ? undefined : {});
      assert.equal(r.status, 403, `${method} ${path}`);
      assert.deepEqual(r.json, { error: 'forbidden', message: 'this needs the role admin' });
    }
  });

  it('users: create, search, show, role, revoke sessions, delete; bad input in the family shape', async () => {
    const created = await call('POST', '/users', adminToken, { account: 'carol', password: 'carol-pass-1', role: 'developer' });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.role, 'developer');
    assert.match(created.json.developerId, /^\d+$/);
    assert.ok(!('password_hash' in created.json) && !created.text.includes('argon2'));
    const id = created.json.userId as string;
    const found = await call('GET', '/users?q=caro', adminToken);
    assert.deepEqual(
      found.json.users.map((u: { account: string }) => u.account),
      ['carol'],
    );
    assert.equal((await call('GET', `/users/${id}`, adminToken)).json.account, 'carol');
    const role = await call('PUT', `/users/${id}/role`, adminToken, { role: 'admin' });
    assert.equal(role.json.role, 'admin');
    assert.equal((await call('PUT', `/users/${id}/role`, adminToken, { role: 'root' })).status, 400);
    assert.equal((await call('POST', '/users', adminToken, { account: 'carol', password: 'carol-pass-1' })).status, 409);
    const bad = await call('POST', '/users', adminToken, { account: 'x y', password: 'short' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error, 'invalid_request');
    const unreadable = await fetch(`${t.accountUrl}${P}/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: '{',
    });
    assert.equal(unreadable.status, 400);
    assert.equal(((await unreadable.json()) as { error: string }).error, 'invalid_request');
    // Revoke sessions: a signed-in browser is signed out.
    const agent = new Agent(t.accountUrl);
    const login = await agent.req('/login');
    await agent.post('/login', { csrf: field(login.text, 'csrf'), return_to: '/login', account: 'carol', password: 'carol-pass-1' });
    assert.match((await agent.req('/login')).text, /carol/);
    const rs = await call('POST', `/users/${id}/revoke-sessions`, adminToken);
    assert.deepEqual(rs.json, { userId: id, done: true });
    assert.doesNotMatch((await agent.req('/login')).text, /carol/);
    // Reset link: refused without an e-mail address, then sent through the recovery service.
    const noMail = await call('POST', `/users/${id}/reset-password`, adminToken);
    assert.equal(noMail.status, 400);
    assert.match(noMail.json.message, /no e-mail address/);
    await t.ctx.services.users.update(id, { email: 'carol@example.com' });
    const reset = await call('POST', `/users/${id}/reset-password`, adminToken);
    assert.deepEqual(reset.json, { userId: id, email: 'carol@example.com', sent: true });
    const mail = t.ctx.services.messenger.outbox?.list().find((m) => m.to === 'carol@example.com' && m.kind === 'reset-link');
    assert.match(mail?.text ?? '', /\/recover\/reset\?token=/);
    assert.equal((await t.ctx.services.audit.list({ type: 'user.reset_link_sent', subject: id })).length, 1);
    // An admin cannot lock, delete or demote the account its token acts for.
    const rootId = (await t.ctx.services.users.find('root'))?.userId ?? '';
    assert.equal((await call('POST', `/users/${rootId}/lock`, adminToken)).status, 400);
    assert.equal((await call('PUT', `/users/${rootId}/role`, adminToken, { role: 'user' })).status, 400);
    assert.equal((await call('DELETE', `/users/${rootId}`, adminToken)).status, 400);
    const del = await call('DELETE', `/users/${id}`, adminToken);
    assert.deepEqual(del.json, { userId: id, done: true });
    assert.equal((await call('GET', `/users/${id}`, adminToken)).status, 404);
    assert.equal((await call('DELETE', `/users/${id}`, adminToken)).json.error, 'not_found');
  });

  it('lock: the user cannot sign in, their tokens stop working, their admin token is refused; unlock', async () => {
    const u = await seedUser(t.ctx);
    const app = await seedApp(t.ctx);
    await t.ctx.services.oauth.approve(u.userId, app.clientId, [1]);
    const tok = await mint(t.ctx, app.clientId, u.userId, [1]);
    const dev = await developer();
    const lock = await call('POST', `/users/${u.userId}/lock`, adminToken);
    assert.equal(lock.json.locked, true);
    await call('POST', `/users/${dev.userId}/lock`, adminToken);
    assert.equal((await call('GET', '/me', dev.token)).status, 401);
    const agent = new Agent(t.accountUrl);
    const page = await agent.req('/login');
    const r = await agent.post('/login', { csrf: field(page.text, 'csrf'), return_to: '/login', account: u.account, password: u.password });
    assert.match(r.location, /error=invalid/);
    const profile = await fetch(`${t.accountUrl}/user/profile?clientId=${app.clientId}&token=${tok.accessToken}`);
    assert.match(await profile.text(), /"result":"error"/);
    const unlock = await call('POST', `/users/${u.userId}/unlock`, adminToken);
    assert.equal(unlock.json.locked, false);
    const page2 = await agent.req('/login');
    const r2 = await agent.post('/login', {
      csrf: field(page2.text, 'csrf'),
      return_to: '/login',
      account: u.account,
      password: u.password,
    });
    assert.equal(r2.location, '/login');
  });

  it('roles, developers, apps of every developer, disable and enable', async () => {
    const roles = await call('GET', '/roles', adminToken);
    assert.deepEqual(
      roles.json.roles.map((r: { name: string }) => r.name),
      ['user', 'developer', 'admin'],
    );
    assert.ok(roles.json.roles[2].users >= 1);
    const devs = await call('GET', '/developers', adminToken);
    assert.ok(devs.json.developers.some((d: { id: string; userId: string }) => d.id === devA.developerId && d.userId === devA.userId));
    const created = await call('POST', '/developer/apps', devA.token, { name: 'A app', redirectUris: 'https://a.example/cb' });
    const all = await call('GET', '/apps', adminToken);
    assert.ok(all.json.apps.some((a: { clientId: string }) => a.clientId === created.json.clientId));
    const mine = await call('GET', `/apps?developer=${devA.developerId}`, adminToken);
    assert.deepEqual(
      mine.json.apps.map((a: { clientId: string }) => a.clientId),
      [created.json.clientId],
    );
    const disabled = await call('POST', `/apps/${created.json.clientId}/disable`, adminToken);
    assert.equal(disabled.json.disabled, true);
    const tokenCall = await fetch(
      `${t.accountUrl}/oauth2/token?client_id=${created.json.clientId}&client_secret=${encodeURIComponent(created.json.clientSecret)}&grant_type=authorization_code&code=x&redirect_uri=https://a.example/cb`,
    );
    assert.match(await tokenCall.text(), /invalid_client|"error"/);
    assert.equal((await call('POST', `/apps/${created.json.clientId}/enable`, adminToken)).json.disabled, false);
    assert.equal((await call('POST', '/apps/2882303761517000000/disable', adminToken)).status, 404);
  });

  it('audit log: filters by actor, app, kind and time; CSV export', async () => {
    const u = await seedUser(t.ctx);
    const start = Date.now();
    await call('POST', `/users/${u.userId}/lock`, adminToken);
    const root = await t.ctx.services.users.find('root');
    const byKind = await call('GET', `/audit?kind=user.locked&actor=${root?.userId}&from=${start}`, adminToken);
    assert.ok(byKind.json.events.some((e: { subject: string }) => e.subject === u.userId));
    assert.ok(byKind.json.events.every((e: { type: string; actor: string }) => e.type === 'user.locked' && e.actor === root?.userId));
    const prefix = await call('GET', `/audit?kind=user.&from=${new Date(start).toISOString()}`, adminToken);
    assert.ok(prefix.json.events.every((e: { type: string }) => e.type.startsWith('user.')));
    assert.deepEqual((await call('GET', `/audit?kind=user.locked&to=${start}&subject=${u.userId}`, adminToken)).json.events, []);
    const created = await call('POST', '/developer/apps', devA.token, { name: '=cmd()', redirectUris: 'https://a.example/cb' });
    const byApp = await call('GET', `/audit?app=${created.json.clientId}`, adminToken);
    assert.deepEqual(
      byApp.json.events.map((e: { type: string; actor: string }) => [e.type, e.actor]),
      [['app.created', devA.userId]],
    );
    assert.equal((await call('GET', '/audit?from=yesterday', adminToken)).status, 400);
    const csv = await call('GET', `/audit.csv?kind=user.locked&subject=${u.userId}`, adminToken);
    assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
    const lines = csv.text.split('\r\n');
    assert.equal(lines[0], 'id,time,type,actor,subject,clientId,ip,detail');
    assert.match(
      lines[1] ?? '',
      new RegExp(`^\\d+,\\d{4}-\\d\\d-\\d\\dT[^,]+,user\\.locked,${root?.userId},${u.userId},,[^,]+,"{""grantsRevoked"":0}"$`),
    );
  });

  it('status: version, stores, counts', async () => {
    const s = await call('GET', '/status', adminToken);
    assert.equal(s.status, 200);
    assert.match(s.json.version, /^\d+\.\d+\.\d+/);
    assert.equal(s.json.database.dialect, 'sqlite');
    assert.deepEqual([s.json.cache.kind, s.json.blobs.kind], ['memory', 'filesystem']);
    assert.equal(s.json.counts.users, await t.ctx.services.users.count());
    // The embedded default: one node, kept in the database's node registry.
    assert.equal(s.json.nodes.known, true);
    assert.equal(s.json.nodes.registry, 'database');
    assert.equal(s.json.nodes.list.length, 1);
    assert.equal(s.json.nodes.list[0].self, true);
    assert.equal(s.json.nodes.list[0].urls.account, t.accountUrl);
    assert.equal(s.json.nodes.list[0].pid, process.pid);
  });

  it('developer apps: create (secret once), show, rotate, FDS key and rotation, delete', async () => {
    const me = await call('GET', '/me', devA.token);
    assert.equal(me.json.developer.id, devA.developerId);
    const c = await call('POST', '/developer/apps', devA.token, { name: 'Mine', redirectUris: 'https://m.example/cb', scopes: [1, 3] });
    assert.equal(c.status, 201, c.text);
    const id = c.json.clientId as string;
    assert.ok(await t.ctx.services.apps.verifySecret(id, c.json.clientSecret));
    const shown = await call('GET', `/developer/apps/${id}`, devA.token);
    assert.equal(shown.json.name, 'Mine');
    assert.ok(!('clientSecret' in shown.json));
    const rotated = await call('POST', `/developer/apps/${id}/rotate-secret`, devA.token);
    assert.ok(await t.ctx.services.apps.verifySecret(id, rotated.json.clientSecret));
    assert.equal(await t.ctx.services.apps.verifySecret(id, c.json.clientSecret), false);
    const key = await call('GET', `/developer/apps/${id}/fds-key`, devA.token);
    assert.equal(key.json.accessKeyId, c.json.accessKeyId);
    const newKey = await call('POST', `/developer/apps/${id}/fds-key/rotate`, devA.token);
    assert.equal(newKey.json.accessKeyId, c.json.accessKeyId);
    assert.notEqual(newKey.json.accessSecret, c.json.accessSecret);
    assert.deepEqual(
      (await call('GET', '/developer/apps', devA.token)).json.apps.map((a: { clientId: string }) => a.clientId).includes(id),
      true,
    );
    assert.equal((await call('POST', '/developer/apps', devA.token, { name: 'x', redirectUris: 'javascript:alert(1)' })).status, 400);
    assert.deepEqual((await call('DELETE', `/developer/apps/${id}`, devA.token)).json, { clientId: id, done: true });
    assert.equal((await call('GET', `/developer/apps/${id}`, devA.token)).status, 404);
  });

  it("a developer cannot see or touch another developer's app", async () => {
    const c = await call('POST', '/developer/apps', devA.token, { name: 'A only', redirectUris: 'https://a.example/cb' });
    const id = c.json.clientId as string;
    assert.ok(!(await call('GET', '/developer/apps', devB.token)).json.apps.some((a: { clientId: string }) => a.clientId === id));
    for (const [method, path] of [
      ['GET', `/developer/apps/${id}`],
      ['POST', `/developer/apps/${id}/rotate-secret`],
      ['DELETE', `/developer/apps/${id}`],
    ]) {
      const r = await call(method ?? '', path ?? '', devB.token);
      assert.deepEqual(r.json, { error: 'not_found', message: `no app ${id}` }, `${method} ${path}`);
    }
    assert.ok(await t.ctx.services.apps.verifySecret(id, c.json.clientSecret));
  });

  it("a developer cannot see or rotate another developer's FDS key", async () => {
    const c = await call('POST', '/developer/apps', devA.token, { name: 'A keys', redirectUris: 'https://a.example/cb' });
    const id = c.json.clientId as string;
    assert.equal((await call('GET', `/developer/apps/${id}/fds-key`, devB.token)).status, 404);
    assert.equal((await call('POST', `/developer/apps/${id}/fds-key/rotate`, devB.token)).status, 404);
    assert.equal((await t.ctx.services.fdsKeys.forApp(id))?.accessSecret, c.json.accessSecret);
  });

  it("a developer sees their own buckets, never another developer's", async () => {
    const bucket = (name: string, owner: string) => t.ctx.services.fds.repos.buckets.create(newBucket(name, owner, Date.now(), {}));
    await bucket('bucket-of-a', devA.developerId);
    await bucket('bucket-of-b', devB.developerId);
    const listA = await call('GET', '/developer/buckets', devA.token);
    assert.deepEqual(
      listA.json.buckets.map((b: { name: string }) => b.name),
      ['bucket-of-a'],
    );
    const one = await call('GET', '/developer/buckets/bucket-of-a', devA.token);
    assert.deepEqual([one.json.name, one.json.ownerId, one.json.numObjects], ['bucket-of-a', devA.developerId, 0]);
    assert.deepEqual((await call('GET', '/developer/buckets/bucket-of-a', devB.token)).json, {
      error: 'not_found',
      message: 'no bucket bucket-of-a',
    });
  });

  it('unknown admin API paths answer in the family shape', async () => {
    const r = await call('GET', '/nothing-here', adminToken);
    assert.equal(r.status, 404);
    assert.equal(r.json.error, 'not_found');
  });
});
