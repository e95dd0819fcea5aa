// The signed-in user's friends API (/api/account/friends) and its effect on /user/relation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/env.ts';
import { Agent } from '../../helpers/open-api.ts';
import { mint, type Seeded, seed } from '../../helpers/seed.ts';

const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

describe('friends API', () => {
  let t: TestServer;
  let s: Seeded;
  let agent: Agent;
  let bob = '';
  before(async () => {
    t = await startTestServer();
    s = await seed(t.ctx);
    bob = (await t.ctx.services.users.create({ account: `bob-${s.account}`, password: 'pass-word-1', nickname: 'Bob' })).userId;
    agent = new Agent(t.accountUrl);
    const login = await agent.req('/login');
    const r = await agent.post('/login', {
      csrf: field(login.text, 'csrf'),
      return_to: '/login',
      account: s.account,
      password: s.password,
    });
    assert.equal(r.status, 303);
  });
  after(async () => {
    await t.close();
  });
  const json = (body: unknown, extra: Record<string, string> = {}) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', ...extra },
    body: JSON.stringify(body),
  });

  it('requires a session', async () => {
    const r = await new Agent(t.accountUrl).req('/api/account/friends');
    assert.equal(r.status, 401);
  });

  it('add by account, list, relation, remove', async () => {
    assert.deepEqual(JSON.parse((await agent.req('/api/account/friends')).text), { friends: [] });
    const add = await agent.req('/api/account/friends', json({ user: `bob-${s.account}` }));
    assert.equal(add.status, 200, add.text);
    assert.deepEqual(JSON.parse(add.text), { friends: [{ userId: bob, nickname: 'Bob' }] });
    const tok = await mint(t.ctx, s.clientId, s.userId, [2]);
    const rel = await fetch(`${t.accountUrl}/user/relation?clientId=${s.clientId}&token=${tok.accessToken}`);
    assert.equal(((await rel.json()) as { data: { friends: string } }).data.friends, bob);
    const del = await agent.req(`/api/account/friends/${bob}`, { method: 'DELETE' });
    assert.equal(del.status, 200);
    assert.deepEqual(JSON.parse(del.text), { friends: [] });
    assert.equal((await agent.req(`/api/account/friends/${bob}`, { method: 'DELETE' })).status, 404);
  });

  it('refuses cross-site and malformed changes', async () => {
    const form = await agent.req('/api/account/friends', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `user=${bob}`,
    });
    assert.equal(form.status, 403);
    const cross = await agent.req('/api/account/friends', json({ user: bob }, { origin: 'https://evil.example' }));
    assert.equal(cross.status, 403);
    assert.equal((await agent.req('/api/account/friends', json({ user: 'nobody-here' }))).status, 404);
    assert.equal((await agent.req('/api/account/friends', json({ user: s.userId }))).status, 400);
    assert.equal((await agent.req('/api/account/friends', json({ nope: 1 }))).status, 400);
    assert.deepEqual(JSON.parse((await agent.req('/api/account/friends')).text), { friends: [] });
  });
});
