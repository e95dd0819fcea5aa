// CSRF tokens bound to the server-side session (issue 11, finding 1): a token is good only for the
// session (or, anonymous, the unexpired pre-session) it was issued to; cookies planted by another
// page of the same site cannot make an attacker's token valid for the victim; signing in rotates.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Fixture, fixture, hidden, Jar, login, PASSWORD, REDIRECTS } from '../helpers/oauth.ts';
import { seedUser } from '../helpers/seed.ts';

describe('CSRF tokens bound to the session', () => {
  let f: Fixture;
  const query = () =>
    new URLSearchParams({
      client_id: f.clientId,
      response_type: 'code',
      redirect_uri: REDIRECTS.split(';')[0] ?? '',
      scope: '1 3',
    }).toString();

  /** The consent page of a signed-in jar: its form fields. */
  async function consent(jar: Jar): Promise<{ csrf: string; request: string; uid: string }> {
    const r = await jar.fetch(`/oauth2/authorize?${query()}`);
    assert.equal(r.status, 200);
    const html = await r.text();
    return { csrf: hidden(html, 'csrf'), request: hidden(html, 'request'), uid: hidden(html, 'uid') };
  }

  async function decide(jar: Jar, form: Record<string, string>, cookie?: string): Promise<Response> {
    // A planted cookie of a longer path comes first in the browser's Cookie header.
    const cookies = [...(cookie ? [cookie] : []), ...[...jar.cookies].map(([k, v]) => `${k}=${v}`)];
    const headers = { cookie: cookies.join('; ') };
    return fetch(`${f.base}/oauth2/authorize/decision`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ ...form, decision: 'allow' }).toString(),
    });
  }

  before(async () => {
    f = await fixture();
  });
  after(async () => {
    await f.t.close();
  });

  it('the login page token and cookie of another browser, planted, do not pass the consent of a signed-in victim', async () => {
    const victim = new Jar(f.base);
    await login(victim, f.account, PASSWORD);
    const mine = await consent(victim);
    const attacker = new Jar(f.base);
    const page = await (await attacker.fetch('/login')).text();
    const [name, value] = [...attacker.cookies][0] ?? ['', ''];
    assert.equal(name, 'opal_pre');
    const r = await decide(victim, { ...mine, csrf: hidden(page, 'csrf') }, `${name}=${value}`);
    assert.equal(r.status, 403);
    assert.match(await r.text(), /The form expired or was not sent by this site/);
    assert.equal(await f.t.ctx.services.oauth.getGrant(f.userId, f.clientId), undefined);
  });

  it("another account's session token does not pass, and the victim's own does", async () => {
    const other = await seedUser(f.t.ctx, { password: 'mallory-password-1' });
    const attacker = new Jar(f.base);
    await login(attacker, other.account, other.password);
    const theirs = await consent(attacker);
    const victim = new Jar(f.base);
    await login(victim, f.account, PASSWORD);
    const mine = await consent(victim);
    assert.notEqual(theirs.csrf, mine.csrf);
    assert.equal((await decide(victim, { ...mine, csrf: theirs.csrf })).status, 403);
    const ok = await decide(victim, mine);
    assert.equal(ok.status, 303);
    assert.match(ok.headers.get('location') ?? '', /[?&]code=/);
  });

  it('signing in rotates the token; the pre-session ends; signing out ends the session token', async () => {
    const jar = new Jar(f.base);
    const page = await (await jar.fetch('/login')).text();
    const preToken = hidden(page, 'csrf');
    assert.ok(jar.cookies.has('opal_pre'));
    await login(jar, f.account, PASSWORD);
    assert.equal(jar.cookies.has('opal_pre'), false, 'the sign-in clears the pre-session cookie');
    const first = await consent(jar);
    assert.notEqual(first.csrf, preToken);
    assert.equal((await decide(jar, { ...first, csrf: preToken })).status, 403, 'the pre-session token is not a session token');

    await login(jar, f.account, PASSWORD);
    const second = await consent(jar);
    assert.notEqual(second.csrf, first.csrf, 'a new session has new tokens');
    assert.equal((await decide(jar, first)).status, 403, "the old session's token is refused");

    const logoutPage = await (await jar.fetch('/logout')).text();
    const out = await jar.fetch('/logout', { method: 'POST', form: { csrf: hidden(logoutPage, 'csrf') } });
    assert.equal(out.status, 303);
    assert.equal(jar.cookies.has('serviceToken'), false);
    // The signed-out browser: the session's token is refused on the anonymous login form.
    const r = await jar.fetch('/login', { method: 'POST', form: { csrf: second.csrf, account: f.account, password: PASSWORD } });
    assert.match(r.headers.get('location') ?? '', /error=csrf/);
    assert.equal(jar.cookies.has('serviceToken'), false);
  });

  it('pre-session tokens are made by the server only: a changed expiry or another pre-session is refused', async () => {
    const jar = new Jar(f.base);
    const token = hidden(await (await jar.fetch('/login')).text(), 'csrf');
    const [expires, mac] = token.split('.');
    const post = (csrf: string, j = jar) => j.fetch('/login', { method: 'POST', form: { csrf, account: f.account, password: PASSWORD } });
    assert.match((await post(`${Number(expires) + 1000}.${mac}`)).headers.get('location') ?? '', /error=csrf/);
    assert.match((await post(`${Date.now() - 1}.${mac}`)).headers.get('location') ?? '', /error=csrf/);
    const other = new Jar(f.base);
    await other.fetch('/login');
    assert.match((await post(token, other)).headers.get('location') ?? '', /error=csrf/);
    // A cookie the browser made up has no token at all.
    const madeUp = new Jar(f.base);
    madeUp.cookies.set('opal_pre', 'A'.repeat(32));
    assert.match((await post(token, madeUp)).headers.get('location') ?? '', /error=csrf/);
    assert.equal((await post(token)).headers.get('location'), '/login', 'the genuine pair signs in');
  });
});
