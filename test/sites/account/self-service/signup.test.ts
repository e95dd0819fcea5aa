// Sign-up over HTTP with plain forms: e-mail verification through the developer outbox, the same
// answer for a taken address, a taken account name told only after the code, invites, and the
// rules of the house: CSRF refused, GET changes nothing, throttled.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../../helpers/env.ts';
import { hidden, Jar } from '../../../helpers/oauth.ts';

const STRONG = 'violet-Tundra-38-lantern';

async function form(jar: Jar, path: string, fields: Record<string, string>, page = path): Promise<Response> {
  const html = await (await jar.fetch(page)).text();
  return jar.fetch(path, { method: 'POST', form: { csrf: hidden(html, 'csrf'), ...fields } });
}

function codeFor(t: TestServer, to: string): string | undefined {
  const m = t.ctx.services.messenger.outbox?.list().find((x) => x.to === to);
  return m ? /\b(\d{6})\b/.exec(m.text)?.[1] : undefined;
}

describe('sign-up (OPAL_SIGNUP=open, OPAL_VERIFY=email)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    await t.ctx.services.users.create({ account: 'alice', password: 'alice-password-1', email: 'alice@example.com' });
  });
  after(() => t.close());

  it('creates the account only after the code sent to the e-mail address, then signs in', async () => {
    const jar = new Jar(t.accountUrl);
    const r = await form(jar, '/signup', { account: 'bob', password: STRONG, email: 'bob@example.com' });
    assert.equal(r.status, 303);
    const loc = new URL(r.headers.get('location') ?? '', t.accountUrl);
    assert.equal(loc.pathname, '/signup/verify');
    assert.equal(await t.ctx.services.users.find('bob'), undefined, 'not usable before verification');
    const code = codeFor(t, 'bob@example.com');
    assert.ok(code);
    const page = `${loc.pathname}${loc.search}`;
    const wrong = await form(
      jar,
      '/signup/verify',
      { flow: loc.searchParams.get('flow') ?? '', code: code === '000000' ? '111111' : '000000' },
      page,
    );
    assert.match(wrong.headers.get('location') ?? '', /error=wrong/);
    const ok = await form(jar, '/signup/verify', { flow: loc.searchParams.get('flow') ?? '', code }, page);
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/');
    const bob = await t.ctx.services.users.find('bob');
    assert.equal(bob?.email, 'bob@example.com');
    assert.equal(
      (await t.ctx.services.web.sessions.current({ cookies: Object.fromEntries(jar.cookies), headers: {} } as never))?.userId,
      bob?.userId,
    );
    assert.ok(await t.ctx.services.users.authenticate('bob', STRONG));
  });

  it('answers a taken address exactly like a new one; its owner gets a notice, no code works', async () => {
    const jar = new Jar(t.accountUrl);
    const taken = await form(jar, '/signup', { account: 'carol', password: STRONG, email: 'alice@example.com' });
    const fresh = await form(jar, '/signup', { account: 'dave', password: STRONG, email: 'dave@example.com' });
    assert.equal(taken.status, fresh.status);
    const shape = (r: Response) => (r.headers.get('location') ?? '').replace(/flow=[\w-]+/, 'flow=X');
    assert.equal(shape(taken), shape(fresh));
    const notice = t.ctx.services.messenger.outbox?.list().find((m) => m.to === 'alice@example.com');
    assert.equal(notice?.kind, 'signup-exists');
    const loc = new URL(taken.headers.get('location') ?? '', t.accountUrl);
    for (const code of ['000000', '123456']) {
      const r = await form(jar, '/signup/verify', { flow: loc.searchParams.get('flow') ?? '', code }, `${loc.pathname}${loc.search}`);
      assert.match(r.headers.get('location') ?? '', /error=wrong/);
    }
    assert.equal(await t.ctx.services.users.find('carol'), undefined);
  });

  it('tells that an account name is taken only after the code, then takes another name', async () => {
    const jar = new Jar(t.accountUrl);
    const r = await form(jar, '/signup', { account: 'alice', password: STRONG, email: 'alice2@example.com' });
    const loc = new URL(r.headers.get('location') ?? '', t.accountUrl);
    assert.equal(loc.pathname, '/signup/verify');
    const flow = loc.searchParams.get('flow') ?? '';
    const page = `${loc.pathname}${loc.search}`;
    const v = await form(jar, '/signup/verify', { flow, code: codeFor(t, 'alice2@example.com') ?? '' }, page);
    assert.match(v.headers.get('location') ?? '', /error=taken/);
    const html = await (await jar.fetch(v.headers.get('location') ?? '')).text();
    assert.match(html, /name="account"/);
    const done = await form(jar, '/signup/verify', { flow, account: 'alice2' }, page);
    assert.equal(done.headers.get('location'), '/');
    assert.equal((await t.ctx.services.users.find('alice2'))?.email, 'alice2@example.com');
  });

  it('refuses common and weak passwords with the fields kept (never the password)', async () => {
    const jar = new Jar(t.accountUrl);
    const r = await form(jar, '/signup', { account: 'erin', password: 'password1', email: 'erin@example.com' });
    const loc = r.headers.get('location') ?? '';
    assert.match(loc, /error=password-common/);
    assert.match(loc, /account=erin/);
    assert.doesNotMatch(loc, /password1/);
    const html = await (await jar.fetch(loc)).text();
    assert.match(html, /one of the most common/);
    assert.match(html, /value="erin"/);
  });

  it('refuses a form without its CSRF token and changes nothing', async () => {
    const jar = new Jar(t.accountUrl);
    await jar.fetch('/signup');
    const n = t.ctx.services.messenger.outbox?.list().length;
    const r = await jar.fetch('/signup', {
      method: 'POST',
      form: { csrf: 'forged', account: 'frank', password: STRONG, email: 'frank@example.com' },
    });
    assert.equal(r.status, 303);
    assert.match(r.headers.get('location') ?? '', /error=csrf/);
    assert.equal(t.ctx.services.messenger.outbox?.list().length, n);
    const v = await jar.fetch('/signup/verify', { method: 'POST', form: { flow: 'x'.repeat(32), code: '123456' } });
    assert.match(v.headers.get('location') ?? '', /error=csrf/);
  });

  it('GET never creates or verifies anything', async () => {
    const jar = new Jar(t.accountUrl);
    const n = t.ctx.services.messenger.outbox?.list().length;
    await jar.fetch('/signup?account=gina&password=violet-Tundra-38-lantern&email=gina@example.com&csrf=x');
    const r = await form(jar, '/signup', { account: 'hank', password: STRONG, email: 'hank@example.com' });
    const loc = new URL(r.headers.get('location') ?? '', t.accountUrl);
    const code = codeFor(t, 'hank@example.com') ?? '';
    await jar.fetch(`/signup/verify?flow=${loc.searchParams.get('flow')}&code=${code}`);
    assert.equal(await t.ctx.services.users.find('gina'), undefined);
    assert.equal(await t.ctx.services.users.find('hank'), undefined);
    assert.equal(t.ctx.services.messenger.outbox?.list().length, (n ?? 0) + 1);
  });

  it('throttles sign-ups per client IP', async () => {
    const jar = new Jar(t.accountUrl);
    let last: Response | undefined;
    for (let i = 0; i < 12; i++) last = await form(jar, '/signup', { account: `t${i}x`, password: STRONG, email: `t${i}@example.com` });
    assert.match(last?.headers.get('location') ?? '', /error=throttled&wait=\d+/);
  });
});

describe('sign-up by invite; sign-up off', () => {
  it('needs a valid, unused invite code', async () => {
    const t = await startTestServer({ env: { OPAL_SIGNUP: 'invite', OPAL_VERIFY: 'none' } });
    try {
      const jar = new Jar(t.accountUrl);
      const none = await form(jar, '/signup', { account: 'ivan', password: STRONG, invite: 'nope' });
      assert.match(none.headers.get('location') ?? '', /error=invite/);
      const { code } = await t.ctx.services.signup.createInvite('for ivan', 3600_000);
      const ok = await form(jar, '/signup', { account: 'ivan', password: STRONG, invite: code });
      assert.equal(ok.headers.get('location'), '/');
      assert.ok(await t.ctx.services.users.find('ivan'));
      const again = await form(new Jar(t.accountUrl), '/signup', { account: 'ivan2', password: STRONG, invite: code });
      assert.match(again.headers.get('location') ?? '', /error=invite/);
      assert.equal(await t.ctx.services.users.find('ivan2'), undefined);
    } finally {
      await t.close();
    }
  });

  it('OPAL_SIGNUP=off: /signup is a 404 page', async () => {
    const t = await startTestServer({ env: { OPAL_SIGNUP: 'off' } });
    try {
      const r = await fetch(`${t.accountUrl}/signup`);
      assert.equal(r.status, 404);
      const p = await fetch(`${t.accountUrl}/signup`, { method: 'POST', body: new URLSearchParams({ account: 'x' }) });
      assert.equal(p.status, 404);
    } finally {
      await t.close();
    }
  });
});
