// The signed-in user's friends API (/api/account/friends): friend requests by account name that
// the other side accepts, answers that never tell whether an account exists, and /user/relation
// listing accepted (mutual) friendships only, byte for byte in the Xiaomi shape.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/env.ts';
import { Agent } from '../../helpers/open-api.ts';
import { mint, type Seeded, seed } from '../../helpers/seed.ts';

const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

interface State {
  friends: Array<{ userId: string; nickname: string }>;
  incoming: Array<{ userId: string; nickname: string; requestedAt: string }>;
  outgoing: Array<{ account: string; requestedAt: string }>;
}

const json = (body: unknown, extra: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...extra },
  body: JSON.stringify(body),
});
const EMPTY: State = { friends: [], incoming: [], outgoing: [] };
/** A state without its times, to compare. */
const shape = (text: string) => {
  const s = JSON.parse(text) as State;
  for (const r of [...s.incoming, ...s.outgoing]) {
    assert.ok(!Number.isNaN(Date.parse(r.requestedAt)));
    r.requestedAt = '';
  }
  return s;
};

describe('friends API', () => {
  let t: TestServer;
  let s: Seeded;
  let alice: Agent;
  let bob: Agent;
  let bobId = '';
  let bobAccount = '';
  const bobEmail = `bob-${Date.now()}@example.com`;

  async function signIn(account: string, password: string): Promise<Agent> {
    const agent = new Agent(t.accountUrl);
    const login = await agent.req('/login');
    const r = await agent.post('/login', { csrf: field(login.text, 'csrf'), return_to: '/login', account, password });
    assert.equal(r.status, 303);
    return agent;
  }
  async function relation(userId: string): Promise<string> {
    const tok = await mint(t.ctx, s.clientId, userId, [2]);
    const r = await fetch(`${t.accountUrl}/user/relation?clientId=${s.clientId}&token=${tok.accessToken}`);
    return r.text();
  }

  before(async () => {
    t = await startTestServer();
    s = await seed(t.ctx);
    bobAccount = `bob-${s.account}`;
    bobId = (await t.ctx.services.users.create({ account: bobAccount, password: 'pass-word-1', nickname: 'Bob', email: bobEmail })).userId;
    alice = await signIn(s.account, s.password);
    bob = await signIn(bobAccount, 'pass-word-1');
  });
  after(async () => {
    await t.close();
  });

  it('requires a session', async () => {
    const r = await new Agent(t.accountUrl).req('/api/account/friends');
    assert.equal(r.status, 401);
  });

  it('a request is a friendship only once the other side accepts it', async () => {
    assert.deepEqual(shape((await alice.req('/api/account/friends')).text), EMPTY);
    const ask = await alice.req('/api/account/friends/requests', json({ account: ` ${bobAccount} ` }));
    assert.equal(ask.status, 200, ask.text);
    assert.deepEqual(shape(ask.text), { ...EMPTY, outgoing: [{ account: bobAccount, requestedAt: '' }] });
    // Not a friend yet on either side, and /user/relation lists nobody.
    assert.equal(await relation(s.userId), '{"result":"ok","code":0,"description":"no error","data":{"friends":""}}');
    assert.equal(await relation(bobId), '{"result":"ok","code":0,"description":"no error","data":{"friends":""}}');
    const seen = shape((await bob.req('/api/account/friends')).text);
    assert.deepEqual(seen.incoming, [
      { userId: s.userId, nickname: (await t.ctx.services.users.get(s.userId))?.nickname, requestedAt: '' },
    ]);
    // Only the recipient accepts.
    assert.equal((await alice.req(`/api/account/friends/requests/${bobId}/accept`, { method: 'POST' })).status, 404);
    const ok = await bob.req(`/api/account/friends/requests/${s.userId}/accept`, { method: 'POST' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(shape(ok.text).friends[0]?.userId, s.userId);
    assert.deepEqual(shape((await alice.req('/api/account/friends')).text), { ...EMPTY, friends: [{ userId: bobId, nickname: 'Bob' }] });
    assert.equal(await relation(s.userId), `{"result":"ok","code":0,"description":"no error","data":{"friends":"${bobId}"}}`);
    assert.equal(await relation(bobId), `{"result":"ok","code":0,"description":"no error","data":{"friends":"${s.userId}"}}`);
    const del = await alice.req(`/api/account/friends/${bobId}`, { method: 'DELETE' });
    assert.equal(del.status, 200);
    assert.deepEqual(shape(del.text), EMPTY);
    assert.equal(await relation(bobId), '{"result":"ok","code":0,"description":"no error","data":{"friends":""}}');
    assert.equal((await alice.req(`/api/account/friends/${bobId}`, { method: 'DELETE' })).status, 404);
  });

  it('answers alike for an existing account, an unknown one, an e-mail or a user id; a decline looks the same', async () => {
    const unknown = `nobody-${s.account}`;
    const answers = [];
    for (const account of [bobAccount, unknown, bobEmail, bobId]) {
      const r = await alice.req('/api/account/friends/requests', json({ account }));
      answers.push({ status: r.status, outgoing: shape(r.text).outgoing.at(-1) });
    }
    assert.deepEqual(answers, [
      { status: 200, outgoing: { account: bobAccount, requestedAt: '' } },
      { status: 200, outgoing: { account: unknown, requestedAt: '' } },
      { status: 200, outgoing: { account: bobEmail, requestedAt: '' } },
      { status: 200, outgoing: { account: bobId, requestedAt: '' } },
    ]);
    // Only the account name reached Bob: no lookup by e-mail or user id.
    assert.deepEqual(
      shape((await bob.req('/api/account/friends')).text).incoming.map((r) => r.userId),
      [s.userId],
    );
    const declined = await bob.req(`/api/account/friends/requests/${s.userId}/decline`, { method: 'POST' });
    assert.equal(declined.status, 200);
    assert.deepEqual(shape(declined.text), EMPTY);
    // Alice still sees her request pending, as for the unknown name; asking again changes nothing.
    const after = shape((await alice.req('/api/account/friends/requests', json({ account: bobAccount }))).text);
    assert.deepEqual(
      after.outgoing.map((r) => r.account),
      [bobAccount, unknown, bobEmail, bobId],
    );
    assert.deepEqual(shape((await bob.req('/api/account/friends')).text), EMPTY);
    // Cancelling works alike for every name.
    for (const account of [bobAccount, unknown, bobEmail, bobId]) {
      const r = await alice.req(`/api/account/friends/requests/${encodeURIComponent(account)}`, { method: 'DELETE' });
      assert.equal(r.status, 200, r.text);
    }
    assert.equal((await alice.req(`/api/account/friends/requests/${unknown}`, { method: 'DELETE' })).status, 404);
    assert.deepEqual(shape((await alice.req('/api/account/friends')).text), EMPTY);
  });

  it('two crossing requests make a friendship; cancelling withdraws a request', async () => {
    await alice.req('/api/account/friends/requests', json({ account: bobAccount }));
    const cancel = await alice.req(`/api/account/friends/requests/${bobAccount}`, { method: 'DELETE' });
    assert.deepEqual(shape(cancel.text), EMPTY);
    assert.deepEqual(shape((await bob.req('/api/account/friends')).text), EMPTY);
    await alice.req('/api/account/friends/requests', json({ account: bobAccount }));
    const cross = await bob.req('/api/account/friends/requests', json({ account: s.account }));
    assert.deepEqual(shape(cross.text), {
      ...EMPTY,
      friends: [{ userId: s.userId, nickname: shape(cross.text).friends[0]?.nickname ?? '' }],
    });
    assert.deepEqual(shape((await alice.req('/api/account/friends')).text).friends, [{ userId: bobId, nickname: 'Bob' }]);
    await alice.req(`/api/account/friends/${bobId}`, { method: 'DELETE' });
  });

  it('refuses cross-site and malformed changes, oneself, and past the pending cap', async () => {
    const form = await alice.req('/api/account/friends/requests', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `account=${bobAccount}`,
    });
    assert.equal(form.status, 403);
    const cross = await alice.req('/api/account/friends/requests', json({ account: bobAccount }, { origin: 'https://evil.example' }));
    assert.equal(cross.status, 403);
    const crossAccept = await bob.req(`/api/account/friends/requests/${s.userId}/accept`, {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
    });
    assert.equal(crossAccept.status, 403);
    assert.equal((await alice.req('/api/account/friends/requests', json({ account: s.account }))).status, 400);
    const bad = await alice.req('/api/account/friends/requests', json({ user: bobAccount }));
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.text).message, /account name/);
    assert.deepEqual(shape((await alice.req('/api/account/friends')).text), EMPTY);
    const { MAX_OUTGOING_REQUESTS } = await import('../../../src/services/friends.ts');
    for (let i = 0; i < MAX_OUTGOING_REQUESTS; i++) await t.ctx.services.friends.request(s.userId, `ghost-${i}`);
    const over = await alice.req('/api/account/friends/requests', json({ account: bobAccount }));
    assert.equal(over.status, 400);
    assert.match(JSON.parse(over.text).message, /at most 100/);
    assert.equal(shape((await bob.req('/api/account/friends')).text).incoming.length, 0);
  });
});
