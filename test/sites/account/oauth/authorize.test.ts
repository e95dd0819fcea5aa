// GET /oauth2/authorize, login and consent pages through real HTTP: account-protocol §13 items
// 7, 9, 10, 11, the redirect-URI attack shapes, CSRF, cookies, locales, switching account, throttling.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ATTACKS } from '../../../core/account/redirect-attacks.ts';
import { authorize, codeOf, type Fixture, fixture, hidden, Jar, login, PASSWORD, parseTokenBody } from '../../../helpers/oauth.ts';

const CB = 'https://app.example.com/cb';
const enc = encodeURIComponent;

describe('authorize', () => {
  let f: Fixture;
  let jar: Jar;
  before(async () => {
    f = await fixture();
    jar = new Jar(f.base);
    const l = await login(jar, f.account, PASSWORD);
    assert.equal(l.status, 303);
  });
  after(async () => {
    await f.t.close();
  });

  const q = (params: Record<string, string>) =>
    new URLSearchParams({ client_id: f.clientId, response_type: 'code', redirect_uri: CB, ...params }).toString();
  const exchange = async (code: string) =>
    parseTokenBody(
      await (
        await fetch(
          `${f.base}/oauth2/token?${new URLSearchParams({ client_id: f.clientId, client_secret: f.clientSecret, grant_type: 'authorization_code', code })}`,
        )
      ).text(),
    );

  test("approving a grant at the consent page is audited once, with the user's IP", async () => {
    const { app } = await f.t.ctx.services.apps.create({ name: 'Audit App', redirectUris: CB, scopes: [1, 3] });
    const loc = await authorize({ ...f, clientId: app.clientId }, jar, q({ client_id: app.clientId, scope: '1 3' }));
    assert.ok(codeOf(loc));
    const grants = (await f.t.ctx.services.audit.list({ type: 'oauth.grant', subject: f.userId })).filter(
      (e) => e.client_id === app.clientId,
    );
    assert.equal(grants.length, 1);
    assert.match(grants[0]?.ip ?? '', /127\.0\.0\.1$/);
  });

  test('7. client and redirect problems: HTML error page, HTTP 400, never a Location', async () => {
    const cases = [
      '',
      `client_id=abc&redirect_uri=${enc(CB)}&response_type=code`,
      `client_id=2882303761517999999&redirect_uri=${enc(CB)}&response_type=code`,
      `client_id=${f.clientId}&response_type=code`,
      `client_id=${f.clientId}&redirect_uri=${enc('https://evil.example.com/cb')}&response_type=code`,
    ];
    const codes = ['96002', '96002', '96001', '96010', '96010'];
    for (const [i, c] of cases.entries()) {
      const r = await jar.fetch(`/oauth2/authorize?${c}`);
      assert.equal(r.status, 400, c);
      assert.equal(r.headers.get('location'), null, c);
      assert.match(r.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await r.text(), new RegExp(codes[i] ?? ''), c);
    }
  });

  test('7. redirect errors carry a bare integer error and the state; Location starts with the exact redirect_uri', async () => {
    const mixed = 'https://APP.example.com/cb/Path?keep=1&Case=Yes';
    const r = await jar.fetch(`/oauth2/authorize?${q({ redirect_uri: mixed, response_type: 'bogus', state: 's+1 &=' })}`);
    assert.equal(r.status, 302);
    const loc = r.headers.get('location') ?? '';
    assert.ok(loc.startsWith(mixed), loc);
    assert.equal(loc, `${mixed}&error=96011&error_description=unsupported%20response%20type&state=s%2B1%20%26%3D`);
    const missingType = (await jar.fetch(`/oauth2/authorize?${q({ response_type: '', state: 'x' })}`)).headers.get('location');
    assert.equal(missingType, `${CB}?error=96002&error_description=invalid%20request%3A%20missing%20response_type&state=x`);
    // Success keeps the same base exactly, with the state byte-exact.
    const ok = await authorize(f, jar, q({ redirect_uri: mixed, state: 's+1 &=' }));
    assert.ok(ok.startsWith(`${mixed}&code=`), ok);
    assert.equal(new URL(ok).searchParams.get('state'), 's+1 &=');
  });

  test(`redirect-URI attack shapes (${ATTACKS.length}) never redirect`, async () => {
    const { app } = await f.t.ctx.services.apps.create({
      name: 'ABC',
      redirectUris: 'https://abc.com/oauth;https://abc.com/',
      scopes: [1],
    });
    for (const [name, uri] of ATTACKS) {
      const r = await jar.fetch(`/oauth2/authorize?client_id=${app.clientId}&response_type=code&state=x&redirect_uri=${enc(uri)}`);
      assert.equal(r.status, 400, name);
      assert.equal(r.headers.get('location'), null, name);
      await r.text();
    }
    const good = await jar.fetch(
      `/oauth2/authorize?client_id=${app.clientId}&response_type=code&redirect_uri=${enc('https://x.abc.com/oauth/path?x=1')}`,
    );
    assert.equal(good.status, 200);
    await good.text();
  });

  test('8. redirect-URI matrix of the documentation over HTTP', async () => {
    const { app } = await f.t.ctx.services.apps.create({
      name: 'Doc',
      redirectUris: 'https://abc.com/oauth;https://mi.com/login.php;http://miui.com/login.php',
      scopes: [1],
    });
    const status = async (uri: string) => {
      const r = await jar.fetch(`/oauth2/authorize?client_id=${app.clientId}&response_type=code&redirect_uri=${enc(uri)}`);
      await r.text();
      return r.status;
    };
    for (const ok of [
      'https://abc.com/oauth?x=1&y=2',
      'https://x.abc.com/oauth?x=1&y=2',
      'https://x.abc.com/oauth/path?x=1&y=2',
      'https://a.mi.com/login.php?x=1&y=2z=3',
      'http://b.miui.com/login.php?x=1&y=2z=3',
    ]) {
      assert.equal(await status(ok), 200, ok);
    }
    for (const bad of [
      'http://abc.com/oauth?x=1&y=2',
      'https://abc.com:8080/oauth?x=1&y=2',
      'http://*.mi.com/login.php?x=1&y=2z=3',
      'https://abc.com/other',
    ]) {
      assert.equal(await status(bad), 400, bad);
    }
  });

  test('per-app exact redirect matching', async () => {
    const { app } = await f.t.ctx.services.apps.create({ name: 'Exact', redirectUris: CB, scopes: [1], flags: { exactRedirect: true } });
    const sub = await jar.fetch(`/oauth2/authorize?client_id=${app.clientId}&response_type=code&redirect_uri=${enc(`${CB}/more`)}`);
    assert.equal(sub.status, 400);
    await sub.text();
    const exact = await jar.fetch(`/oauth2/authorize?client_id=${app.clientId}&response_type=code&redirect_uri=${enc(CB)}`);
    assert.equal(exact.status, 200);
    await exact.text();
  });

  test('9. scope syntaxes through the whole flow', async () => {
    const cases: Array<[string, string]> = [
      ['scope=1%203', '1 3'],
      ['scope=1+3', '1 3'],
      ['scope=1%2B3', '1 3'],
      ['scope=1,3', '1 3'],
      [`scope=${enc('user/profile user/openIdV2')}`, '1 3'],
      ['scope=', '1 2 3 4 6 16000'],
      ['', '1 2 3 4 6 16000'],
    ];
    for (const [s, want] of cases) {
      const loc = await authorize(f, jar, `client_id=${f.clientId}&response_type=code&redirect_uri=${enc(CB)}${s ? `&${s}` : ''}`);
      assert.equal((await exchange(codeOf(loc))).scope, want, s);
    }
  });

  test('consent page: app name, scopes in words, account, switch link, allow/deny buttons, CSRF, no framing', async () => {
    const r = await jar.fetch(`/oauth2/authorize?${q({ scope: '1 4' })}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.match(r.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
    const html = await r.text();
    assert.match(html, /Example App/);
    assert.match(html, /See your profile/);
    assert.match(html, /See your phone number/);
    assert.match(html, /alice/);
    assert.match(html, /id="switch-account" href="\/login\?/);
    assert.match(html, /name="decision" value="allow"/);
    assert.match(html, /name="decision" value="deny"/);
    assert.ok(hidden(html, 'csrf').length >= 32);
    // A decision without the CSRF token changes nothing.
    const forged = await jar.fetch('/oauth2/authorize/decision', {
      method: 'POST',
      form: { request: hidden(html, 'request'), uid: hidden(html, 'uid'), decision: 'allow' },
    });
    assert.equal(forged.status, 403);
    assert.equal(forged.headers.get('location'), null);
  });

  test('deny → 303 to the redirect_uri with error=96012 and the state', async () => {
    const loc = await authorize(f, jar, q({ state: 'abc' }), 'deny');
    assert.equal(loc, `${CB}?error=96012&error_description=access%20denied&state=abc`);
  });

  test('10. skip_confirm=true/True/1 skips consent only when a prior grant covers the scopes', async () => {
    const { app } = await f.t.ctx.services.apps.create({ name: 'Skip', redirectUris: CB, scopes: [1, 3] });
    const url = (s: string, scope = '1') =>
      `/oauth2/authorize?client_id=${app.clientId}&response_type=code&redirect_uri=${enc(CB)}&scope=${scope}&skip_confirm=${s}`;
    const first = await jar.fetch(url('true'));
    assert.equal(first.status, 200, 'no grant yet: consent shown');
    await first.text();
    const fa = { ...f, clientId: app.clientId };
    await authorize(fa, jar, url('false').slice('/oauth2/authorize?'.length));
    for (const s of ['true', 'True', '1']) {
      const r = await jar.fetch(url(s));
      assert.equal(r.status, 302, s);
      assert.match(r.headers.get('location') ?? '', /^https:\/\/app\.example\.com\/cb\?code=/);
    }
    const no = await jar.fetch(url('false'));
    assert.equal(no.status, 200);
    await no.text();
    const wider = await jar.fetch(url('true', '1%203'));
    assert.equal(wider.status, 200, 'scope 3 not yet granted');
    await wider.text();
    // Android quietOAuth: only the userId and serviceToken cookies, redirects disabled, one 302.
    const quiet = await fetch(`${f.base}${url('true')}`, {
      redirect: 'manual',
      headers: { cookie: `userId=${jar.cookies.get('userId')}; serviceToken=${jar.cookies.get('serviceToken')}` },
    });
    assert.equal(quiet.status, 302);
    assert.ok((quiet.headers.get('location') ?? '').startsWith(CB));
  });

  test('11. implicit: fragment keys exactly, no refresh token, state', async () => {
    const loc = await authorize(f, jar, q({ response_type: 'token', scope: '1 3', state: 'st' }));
    assert.ok(loc.startsWith(`${CB}#`), loc);
    const frag = new URLSearchParams(loc.slice(loc.indexOf('#') + 1));
    assert.deepEqual([...frag.keys()], ['access_token', 'token_type', 'expires_in', 'mac_algorithm', 'mac_key', 'scope', 'state']);
    assert.equal(frag.get('token_type'), 'mac');
    assert.equal(frag.get('expires_in'), '7776000');
    assert.equal(frag.get('mac_algorithm'), 'HmacSHA1');
    assert.equal(frag.get('scope'), '1 3');
    assert.ok(loc.includes('scope=1%203'));
    assert.equal(frag.get('state'), 'st');
    const info = await f.t.ctx.services.oauth.resolveAccessToken(frag.get('access_token') ?? '');
    assert.equal(info?.macKey, frag.get('mac_key'));
    const { app } = await f.t.ctx.services.apps.create({
      name: 'NoImplicit',
      redirectUris: CB,
      scopes: [1],
      flags: { allowImplicit: false },
    });
    const r = await jar.fetch(`/oauth2/authorize?client_id=${app.clientId}&response_type=token&redirect_uri=${enc(CB)}&state=z`);
    assert.equal(r.headers.get('location'), `${CB}?error=96005&error_description=client%20not%20authorized%20for%20this%20api&state=z`);
  });
});

describe('login and session pages', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
    await f.t.ctx.services.users.create({ account: 'bob', password: 'bob-password-1' });
  });
  after(async () => {
    await f.t.close();
  });
  const authorizePath = () =>
    `/oauth2/authorize?client_id=${f.clientId}&response_type=code&redirect_uri=${enc(CB)}&state=keep%2Bme&_locale=en_US`;

  test('not logged in → login page; a wrong password, then the right one, lands back on the same request', async () => {
    const jar = new Jar(f.base);
    const r = await jar.fetch(authorizePath());
    assert.equal(r.status, 302);
    const loginUrl = r.headers.get('location') ?? '';
    assert.match(loginUrl, /^\/login\?return_to=/);
    const page = await jar.fetch(loginUrl);
    const html = await page.text();
    assert.match(html, /name="account"/);
    assert.match(html, /name="password"/);
    assert.match(html, /Sign in to continue to Example App/);
    const returnTo = hidden(html, 'return_to');
    assert.equal(returnTo, authorizePath());
    const wrong = await jar.fetch('/login', {
      method: 'POST',
      form: { csrf: hidden(html, 'csrf'), return_to: returnTo, account: 'alice', password: 'wrong' },
    });
    assert.equal(wrong.status, 303);
    const again = await jar.fetch(wrong.headers.get('location') ?? '');
    const html2 = await again.text();
    assert.match(html2, /Wrong account or password/);
    assert.equal(hidden(html2, 'return_to'), returnTo);
    const right = await jar.fetch('/login', {
      method: 'POST',
      form: { csrf: hidden(html2, 'csrf'), return_to: returnTo, account: 'alice', password: PASSWORD },
    });
    assert.equal(right.status, 303);
    assert.equal(right.headers.get('location'), returnTo);
    const cookies = right.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith('serviceToken='));
    assert.ok(session);
    assert.match(session, /HttpOnly/i);
    assert.match(session, /SameSite=Lax/i);
    assert.doesNotMatch(session, /Secure/i);
    assert.ok(cookies.some((c) => c.startsWith(`userId=${f.userId}`)));
    const consent = await jar.fetch(returnTo);
    assert.equal(consent.status, 200);
    const loc = await authorize(f, jar, returnTo.slice('/oauth2/authorize?'.length));
    assert.equal(new URL(loc).searchParams.get('state'), 'keep+me');
  });

  test('unknown account and wrong password give the same answer', async () => {
    const jar = new Jar(f.base);
    const a = await login(jar, 'nobody-here', 'whatever-1');
    const b = await login(jar, 'alice', 'whatever-1');
    assert.equal(a.status, 303);
    // The page keeps what was typed (each answer echoes its own account name); otherwise the same.
    const echoed = (r: Response, typed: string) => {
      const u = new URL(r.headers.get('location') ?? '', f.base);
      assert.equal(u.searchParams.get('account'), typed);
      u.searchParams.delete('account');
      return u.toString();
    };
    assert.equal(echoed(a, 'nobody-here'), echoed(b, 'alice'));
  });

  test('login without CSRF token does not log in', async () => {
    const jar = new Jar(f.base);
    const r = await jar.fetch('/login', { method: 'POST', form: { account: 'alice', password: PASSWORD, return_to: '/login' } });
    assert.equal(r.status, 303);
    assert.match(r.headers.get('location') ?? '', /error=csrf/);
    assert.equal(jar.cookies.has('serviceToken'), false);
  });

  test('Secure cookies behind HTTPS (X-Forwarded-Proto)', async () => {
    const jar = new Jar(f.base);
    const page = await jar.fetch('/login', { headers: { 'x-forwarded-proto': 'https' } });
    const html = await page.text();
    assert.match(page.headers.getSetCookie().join('\n'), /^__Host-opal_pre=.*; Path=\/;.*Secure/im);
    const r = await jar.fetch('/login', {
      method: 'POST',
      headers: { 'x-forwarded-proto': 'https' },
      form: { csrf: hidden(html, 'csrf'), return_to: '/login', account: 'alice', password: PASSWORD },
    });
    assert.match(r.headers.getSetCookie().find((c) => c.startsWith('__Host-serviceToken=')) ?? '', /Secure/i);
  });

  test('switch account from the consent page', async () => {
    const jar = new Jar(f.base);
    await login(jar, 'alice', PASSWORD);
    const consent = await (await jar.fetch(authorizePath())).text();
    assert.match(consent, /alice/);
    const switchUrl = (/id="switch-account" href="([^"]+)"/.exec(consent)?.[1] ?? '').replace(/&amp;/g, '&');
    const page = await (await jar.fetch(switchUrl)).text();
    assert.match(page, /Currently signed in as alice/);
    const r = await jar.fetch('/login', {
      method: 'POST',
      form: { csrf: hidden(page, 'csrf'), return_to: hidden(page, 'return_to'), account: 'bob', password: 'bob-password-1' },
    });
    assert.equal(r.headers.get('location'), authorizePath());
    const consent2 = await (await jar.fetch(authorizePath())).text();
    assert.match(consent2, /Signed in as bob/);
    // A consent form shown to alice cannot be submitted as bob.
    const stale = await jar.fetch('/oauth2/authorize/decision', {
      method: 'POST',
      form: { csrf: hidden(consent2, 'csrf'), request: hidden(consent, 'request'), uid: hidden(consent, 'uid'), decision: 'allow' },
    });
    assert.equal(stale.status, 303);
    assert.match(stale.headers.get('location') ?? '', /^\/oauth2\/authorize\?/);
    const loc = await authorize(f, jar, authorizePath().slice('/oauth2/authorize?'.length));
    const code = new URL(loc).searchParams.get('code') ?? '';
    const bob = await f.t.ctx.services.users.find('bob');
    const tok = parseTokenBody(
      await (
        await fetch(
          `${f.base}/oauth2/token?${new URLSearchParams({ client_id: f.clientId, client_secret: f.clientSecret, grant_type: 'authorization_code', code })}`,
        )
      ).text(),
    );
    assert.equal((await f.t.ctx.services.oauth.resolveAccessToken(tok.access_token as string))?.userId, bob?.userId);
  });

  test('logout ends the session', async () => {
    const jar = new Jar(f.base);
    await login(jar, 'alice', PASSWORD);
    const page = await (await jar.fetch('/logout')).text();
    assert.match(page, /Sign out of alice/);
    const r = await jar.fetch('/logout', { method: 'POST', form: { csrf: hidden(page, 'csrf') } });
    assert.equal(r.status, 303);
    assert.equal(jar.cookies.has('serviceToken'), false);
    const back = await jar.fetch(authorizePath());
    assert.equal(back.status, 302);
    assert.match(back.headers.get('location') ?? '', /^\/login/);
  });

  test('pages in Simplified Chinese by _locale and by Accept-Language', async () => {
    const jar = new Jar(f.base);
    const a = await (await jar.fetch('/login?_locale=zh_CN')).text();
    assert.match(a, /<html lang="zh-CN">/);
    assert.match(a, /帐号、邮箱或手机号/);
    const b = await (await jar.fetch('/login', { headers: { 'accept-language': 'fr;q=0.9, zh-CN;q=0.8, en;q=0.5' } })).text();
    assert.match(b, /密码/);
    const c = await (await jar.fetch('/login?_locale=en_US', { headers: { 'accept-language': 'zh-CN' } })).text();
    assert.match(c, /Password/);
    const e = await (await jar.fetch('/oauth2/authorize?client_id=1&_locale=zh_CN')).text();
    assert.match(e, /应用不存在/);
  });

  test('login throttling: per account, growing delay, same answer for unknown accounts', async () => {
    const jar = new Jar(f.base);
    const locs: string[] = [];
    for (let i = 0; i < 5; i++) locs.push((await login(jar, 'bob', `wrong-${i}`)).headers.get('location') ?? '');
    assert.match(locs[3] ?? '', /error=invalid/);
    assert.match(locs[4] ?? '', /error=throttled&wait=\d+/);
    // Even the right password is refused while blocked.
    const right = await login(jar, 'bob', 'bob-password-1');
    assert.match(right.headers.get('location') ?? '', /error=throttled/);
    for (let i = 0; i < 5; i++) locs.push((await login(jar, 'ghost-account', `wrong-${i}`)).headers.get('location') ?? '');
    assert.match(locs[9] ?? '', /error=throttled/);
    const events = await f.t.ctx.services.audit.list({ type: 'login.failure' });
    assert.ok(events.length >= 8);
  });
});
