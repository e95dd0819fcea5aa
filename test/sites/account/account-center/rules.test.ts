// The account center's security rules through real HTTP: signed-out browsers go to sign-in and
// back; a form without its session's CSRF token changes nothing; GETs change nothing; another
// origin is refused; friend requests answer the same whether or not the account exists; the
// current-password check of a password change is throttled; a password change ends the other
// sessions and storage tokens but keeps this browser signed in.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { MAX_OUTGOING_REQUESTS } from '../../../../src/services/friends.ts';
import { type Fixture, fixture, hidden, Jar, login, PASSWORD } from '../../../helpers/oauth.ts';
import { mint, seedUser } from '../../../helpers/seed.ts';

async function signedIn(f: Fixture): Promise<Jar> {
  const jar = new Jar(f.base);
  const r = await login(jar, f.account, PASSWORD);
  assert.equal(r.status, 303);
  return jar;
}

async function pageCsrf(jar: Jar, path: string): Promise<string> {
  const r = await jar.fetch(path);
  assert.equal(r.status, 200, path);
  return hidden(await r.text(), 'csrf');
}

describe('account center rules', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });
  after(async () => {
    await f?.t.close();
  });

  it('a signed-out browser is sent to sign-in and back; the API answers 401', async () => {
    const jar = new Jar(f.base);
    const r = await jar.fetch('/account/sessions');
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/login?return_to=%2Faccount%2Fsessions');
    const l = await login(jar, f.account, PASSWORD, '/account/sessions');
    assert.equal(l.headers.get('location'), '/account/sessions');
    assert.equal((await jar.fetch('/account/sessions')).status, 200);
    const api = await new Jar(f.base).fetch('/api/account');
    assert.equal(api.status, 401);
    assert.equal(((await api.json()) as { error: string }).error, 'login_required');
  });

  it('CSRF: a form post without its session token changes nothing (pages and API)', async () => {
    const jar = await signedIn(f);
    const other = await signedIn(f);
    const otherToken = await pageCsrf(other, '/account/profile');
    for (const csrf of ['', 'x'.repeat(64), otherToken]) {
      const r = await jar.fetch('/account/profile', { method: 'POST', form: { csrf, nickname: 'Mallory' } });
      assert.equal(r.status, 303);
      assert.equal(r.headers.get('location'), '/account/profile?error=csrf');
    }
    assert.equal((await f.t.ctx.services.users.get(f.userId))?.nickname, 'Alice');
    const page = await jar.fetch('/account/profile?error=csrf');
    assert.match(await page.text(), /id="account-error"/);
    const api = await jar.fetch('/api/account/profile', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': otherToken },
      body: JSON.stringify({ nickname: 'Mallory' }),
    });
    assert.equal(api.status, 403);
    assert.equal(((await api.json()) as { error: string }).error, 'csrf');
    const gone = await jar.fetch('/api/account/sessions', { method: 'DELETE' });
    assert.equal(gone.status, 403);
    assert.equal((await f.t.ctx.services.account.center.sessions(f.userId, '')).length >= 2, true, 'no session ended');
    assert.equal((await f.t.ctx.services.users.get(f.userId))?.nickname, 'Alice');
  });

  it('CSRF: an avatar upload without the token changes nothing', async () => {
    const jar = await signedIn(f);
    const png = await sharp({ create: { width: 80, height: 80, channels: 3, background: '#b91c1c' } })
      .png()
      .toBuffer();
    for (const csrf of [undefined, 'nope']) {
      const form = new FormData();
      if (csrf) form.append('csrf', csrf);
      form.append('avatar', new Blob([png], { type: 'image/png' }), 'a.png');
      const r = await jar.fetch('/account/avatar', { method: 'POST', body: form });
      assert.equal(r.status, 303);
      assert.equal(r.headers.get('location'), '/account/profile?error=csrf');
    }
    assert.equal((await f.t.ctx.services.users.get(f.userId))?.avatarUrl, '');
  });

  it('another origin is refused before anything is read', async () => {
    const jar = await signedIn(f);
    const csrf = await pageCsrf(jar, '/account/profile');
    const r = await jar.fetch('/account/profile', {
      method: 'POST',
      headers: { origin: 'http://evil.example' },
      form: { csrf, nickname: 'Eve' },
    });
    assert.equal(r.status, 403);
    const { csrfToken } = (await (await jar.fetch('/api/account')).json()) as { csrfToken: string };
    const api = await jar.fetch('/api/account/profile', {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/json', 'x-csrf-token': csrfToken },
      body: JSON.stringify({ nickname: 'Eve' }),
    });
    assert.equal(api.status, 403);
    assert.equal((await f.t.ctx.services.users.get(f.userId))?.nickname, 'Alice');
  });

  it('GET changes nothing: the change paths answer 404 to GET and every page leaves the store as it was', async () => {
    const jar = await signedIn(f);
    const m = await mint(f.t.ctx, f.clientId, f.userId, [1]);
    const before = JSON.stringify([
      await f.t.ctx.services.users.get(f.userId),
      (await f.t.ctx.services.oauth.listGrants(f.userId)).length,
      await f.t.ctx.services.friends.list(f.userId),
      await f.t.ctx.services.friends.outgoing(f.userId),
    ]);
    for (const p of [
      '/account/profile?nickname=x',
      '/account/avatar/remove',
      '/account/password?current=x&password=y',
      '/account/sessions/end-others',
      `/account/apps/revoke?clientId=${f.clientId}`,
      '/account/friends/request?account=bob',
      '/account/friends/accept?userId=1',
      '/account/friends/decline?userId=1',
      '/account/friends/cancel?account=bob',
      '/account/friends/remove?userId=1',
      '/account/storage/revoke?id=x',
      '/account/contact?kind=email&address=a@b.example',
    ]) {
      const r = await jar.fetch(p);
      assert.ok(r.status === 404 || r.status === 200, `${p}: ${r.status}`);
    }
    for (const p of [
      '/account',
      '/account/profile',
      '/account/sessions',
      '/account/apps',
      '/account/friends',
      '/account/passes',
      '/account/storage',
      '/account/log',
    ]) {
      assert.equal((await jar.fetch(p)).status, 200, p);
    }
    const after = JSON.stringify([
      await f.t.ctx.services.users.get(f.userId),
      (await f.t.ctx.services.oauth.listGrants(f.userId)).length,
      await f.t.ctx.services.friends.list(f.userId),
      await f.t.ctx.services.friends.outgoing(f.userId),
    ]);
    assert.equal(after, before);
    assert.ok(m.accessToken, 'the app keeps its token');
  });

  it('friends: every form needs its CSRF token; a request answers the same whether or not the account exists', async () => {
    const { friends } = f.t.ctx.services;
    const bob = await seedUser(f.t.ctx, { account: 'bob', password: PASSWORD });
    const carol = await seedUser(f.t.ctx, { account: 'carol' });
    await friends.request(carol.userId, f.account);
    const jar = await signedIn(f);
    const state = async () =>
      JSON.stringify([await friends.list(f.userId), await friends.incoming(f.userId), await friends.outgoing(f.userId)]);
    const before = await state();
    for (const [path, form] of [
      ['/account/friends/request', { account: 'bob' }],
      ['/account/friends/accept', { userId: carol.userId }],
      ['/account/friends/decline', { userId: carol.userId }],
      ['/account/friends/cancel', { account: 'bob' }],
      ['/account/friends/remove', { userId: carol.userId }],
    ] as const) {
      for (const csrf of ['', 'x'.repeat(64)]) {
        const r = await jar.fetch(path, { method: 'POST', form: { csrf, ...form } });
        assert.equal(r.status, 303, path);
        assert.equal(r.headers.get('location'), '/account/friends?error=csrf', path);
      }
    }
    assert.equal(await state(), before);

    // The same 303 and the same page for an existing account and a name no account holds.
    const ask = async (account: string) => {
      const csrf = await pageCsrf(jar, '/account/friends');
      const r = await jar.fetch('/account/friends/request', { method: 'POST', form: { csrf, account } });
      assert.equal(r.status, 303);
      const location = r.headers.get('location') ?? '';
      const html = await (await jar.fetch(location)).text();
      const notice = /<[^>]*id="account-notice"[^>]*>([^<]*)</.exec(html)?.[1];
      const listed = new RegExp(`<strong>${account}</strong>`).test(/id="outgoing"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '');
      return { location, notice, listed, error: html.includes('id="account-error"') };
    };
    const known = await ask('bob');
    const unknown = await ask('nobody-here');
    assert.deepEqual(unknown, known);
    assert.deepEqual(known, { location: '/account/friends?done=friendRequested', notice: known.notice, listed: true, error: false });
    assert.ok(known.notice);
    assert.deepEqual(
      (await friends.outgoing(f.userId)).map((r) => r.account),
      ['bob', 'nobody-here'],
    );
    assert.deepEqual(await friends.incoming(bob.userId), [{ userId: f.userId, at: (await friends.outgoing(f.userId))[0]?.at }]);
    for (const [account, error] of [
      [f.account, 'friendSelf'],
      ['  ', 'friendName'],
      ['x'.repeat(65), 'friendName'],
    ] as const) {
      const csrf = await pageCsrf(jar, '/account/friends');
      const r = await jar.fetch('/account/friends/request', { method: 'POST', form: { csrf, account } });
      assert.equal(r.headers.get('location'), `/account/friends?error=${error}`);
    }

    // Cancel, decline (the sender's request stays pending), accept, remove; a second answer is "not there".
    const post = async (path: string, form: Record<string, string>) => {
      const csrf = await pageCsrf(jar, '/account/friends');
      return (await jar.fetch(path, { method: 'POST', form: { csrf, ...form } })).headers.get('location');
    };
    assert.equal(await post('/account/friends/cancel', { account: 'nobody-here' }), '/account/friends?done=requestCancelled');
    assert.equal(await post('/account/friends/cancel', { account: 'nobody-here' }), '/account/friends?error=notFound');
    assert.equal(await post('/account/friends/decline', { userId: carol.userId }), '/account/friends?done=friendDeclined');
    assert.deepEqual(await friends.incoming(f.userId), []);
    assert.equal((await friends.outgoing(carol.userId)).length, 1);
    assert.equal(await post('/account/friends/accept', { userId: carol.userId }), '/account/friends?error=notFound');
    await friends.request(f.userId, 'bob'); // already pending: nothing changes
    await friends.accept(bob.userId, f.userId);
    assert.deepEqual(await friends.list(f.userId), [bob.userId]);
    assert.equal(await post('/account/friends/remove', { userId: bob.userId }), '/account/friends?done=friendRemoved');
    assert.deepEqual(await friends.list(bob.userId), []);
    assert.equal(await post('/account/friends/remove', { userId: bob.userId }), '/account/friends?error=notFound');
    const events = await f.t.ctx.services.audit.list({ actor: f.userId, limit: 50 });
    assert.deepEqual(
      events
        .filter((e) => e.type.startsWith('friend.'))
        .map((e) => [e.type, e.subject ?? null])
        .reverse(),
      [
        ['friend.request', null],
        ['friend.request', null],
        ['friend.decline', carol.userId],
        ['friend.remove', bob.userId],
      ],
    );
  });

  it('friends: past the pending-request limit a request is refused', async () => {
    const dave = await seedUser(f.t.ctx, { account: 'dave', password: PASSWORD });
    for (let i = 0; i < MAX_OUTGOING_REQUESTS; i++) await f.t.ctx.services.friends.request(dave.userId, `nobody-${i}`);
    const jar = new Jar(f.base);
    assert.equal((await login(jar, 'dave', PASSWORD)).status, 303);
    const csrf = await pageCsrf(jar, '/account/friends');
    const r = await jar.fetch('/account/friends/request', { method: 'POST', form: { csrf, account: 'bob' } });
    assert.equal(r.headers.get('location'), '/account/friends?error=friendLimit');
    assert.match(await (await jar.fetch('/account/friends?error=friendLimit')).text(), /id="account-error"/);
    assert.equal((await f.t.ctx.services.friends.outgoing(dave.userId)).length, MAX_OUTGOING_REQUESTS);
  });

  it('password change: the current password is throttled (and a right one is refused while the gate is shut)', async () => {
    const jar = await signedIn(f);
    let throttled = false;
    for (let i = 0; i < 8 && !throttled; i++) {
      const csrf = await pageCsrf(jar, '/account/password');
      const r = await jar.fetch('/account/password', {
        method: 'POST',
        form: { csrf, current: `wrong-${i}`, password: 'amber-Lantern-93-orchid' },
      });
      assert.equal(r.status, 303);
      const loc = r.headers.get('location') ?? '';
      if (loc.includes('error=throttled')) throttled = true;
      else assert.equal(loc, '/account/password?error=wrongPassword');
    }
    assert.ok(throttled, 'wrong current passwords end up throttled');
    const csrf = await pageCsrf(jar, '/account/password');
    const r = await jar.fetch('/account/password', {
      method: 'POST',
      form: { csrf, current: PASSWORD, password: 'amber-Lantern-93-orchid' },
    });
    assert.match(r.headers.get('location') ?? '', /error=throttled&wait=\d+/);
    assert.ok(await f.t.ctx.services.users.verifyPassword(f.userId, PASSWORD), 'the password did not change');
    const { csrfToken } = (await (await jar.fetch('/api/account')).json()) as { csrfToken: string };
    const api = await jar.fetch('/api/account/password', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
      body: JSON.stringify({ current: PASSWORD, password: 'amber-Lantern-93-orchid' }),
    });
    assert.equal(api.status, 429);
    assert.match(api.headers.get('retry-after') ?? '', /^\d+$/);
  });
});

describe('account center: password change ends the other sessions and storage tokens', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });
  after(async () => {
    await f?.t.close();
  });

  it('keeps this browser, ends the others, revokes the storage tokens; weak passwords refused', async () => {
    const jar = await signedIn(f);
    const other = await signedIn(f);
    const st = await f.t.ctx.services.storageTokens.issueServiceToken(f.userId, '127.0.0.1');
    const app = await mint(f.t.ctx, f.clientId, f.userId, [1]);
    // This browser signed in with a second factor: the session it gets after the change keeps that.
    await f.t.ctx.db.kysely.updateTable('web_sessions').set({ amr: 'pwd,otp' }).where('user_id', '=', f.userId).execute();
    let csrf = await pageCsrf(jar, '/account/password');
    const weak = await jar.fetch('/account/password', { method: 'POST', form: { csrf, current: PASSWORD, password: 'password1' } });
    assert.match(weak.headers.get('location') ?? '', /error=password-(common|weak)/);
    csrf = await pageCsrf(jar, '/account/password');
    const r = await jar.fetch('/account/password', {
      method: 'POST',
      form: { csrf, current: PASSWORD, password: 'amber-Lantern-93-orchid' },
    });
    assert.equal(r.headers.get('location'), '/account/password?done=password');
    assert.equal((await jar.fetch('/account/password?done=password')).status, 200, 'this browser stays signed in');
    assert.equal((await other.fetch('/account')).status, 303, 'the other browser is signed out');
    assert.equal(await f.t.ctx.services.storageTokens.authenticateServiceToken(st.serviceToken, undefined, 'galaxy-fds'), undefined);
    // Apps' refresh tokens are revoked (as a recovery does): whoever knew the old password mints nothing more.
    await assert.rejects(f.t.ctx.services.oauth.refresh(f.clientId, app.refreshToken));
    const sessions = await f.t.ctx.db.kysely.selectFrom('web_sessions').select('amr').where('user_id', '=', f.userId).execute();
    assert.deepEqual(sessions, [{ amr: 'pwd,otp' }], 'one session, as strong as the one it replaced');
    const log = await f.t.ctx.services.account.center.securityLog(f.userId);
    assert.ok(log.some((e) => e.type === 'user.password_set'));
  });
});
