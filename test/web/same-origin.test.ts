// Every state-changing request of the account pages must come from the account origin itself
// (web/same-origin.ts): Origin, else Sec-Fetch-Site, else Referer. The FDS origin (same host, other
// port: same site) is refused like any other; the refusal is the pages' error page and changes
// nothing (no session, no code, no sign-out, no throttle slot, no checkPassword attempt).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { codeRequestQuery, type Fixture, fixture, hidden, Jar, login, PASSWORD } from '../helpers/oauth.ts';

describe('state-changing page requests from another origin', () => {
  let f: Fixture;
  let fds = '';
  const query = () => codeRequestQuery(f.clientId);

  before(async () => {
    f = await fixture();
    fds = f.t.fdsUrl;
  });
  after(async () => {
    await f.t.close();
  });

  const CROSS: Array<[string, Record<string, string>]> = [
    ['Origin of the FDS origin', {}],
    ['Origin: null', { origin: 'null' }],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Referer of the FDS origin', {}],
  ];
  function headersFor(label: string, extra: Record<string, string>): Record<string, string> {
    if (label.startsWith('Origin of')) return { origin: fds };
    if (label.startsWith('Referer')) return { referer: `${fds}/bucket/page.html` };
    return extra;
  }

  it('login: refused with the error page, no session, no attempt counted', async () => {
    for (const [label, extra] of CROSS) {
      const jar = new Jar(f.base);
      const page = await (await jar.fetch('/login')).text();
      const r = await jar.fetch('/login', {
        method: 'POST',
        headers: headersFor(label, extra),
        form: { csrf: hidden(page, 'csrf'), account: f.account, password: PASSWORD, return_to: '/login' },
      });
      assert.equal(r.status, 403, label);
      assert.match(r.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await r.text(), /This form was sent from another site, so nothing was changed/, label);
      assert.equal(jar.cookies.has('serviceToken'), false, label);
    }
    // Wrong passwords sent cross-origin never reach the throttle: the real user signs in at once.
    for (let i = 0; i < 6; i++) {
      const r = await fetch(`${f.base}/login`, {
        method: 'POST',
        headers: { origin: fds, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ account: f.account, password: `wrong-${i}` }).toString(),
      });
      assert.equal(r.status, 403);
    }
    const jar = new Jar(f.base);
    assert.equal((await login(jar, f.account, PASSWORD)).headers.get('location'), '/login');
  });

  it('consent: refused, no code, no grant; logout: refused, still signed in', async () => {
    const jar = new Jar(f.base);
    await login(jar, f.account, PASSWORD);
    const html = await (await jar.fetch(`/oauth2/authorize?${query()}`)).text();
    const form = { csrf: hidden(html, 'csrf'), request: hidden(html, 'request'), uid: hidden(html, 'uid'), decision: 'allow' };
    for (const [label, extra] of CROSS) {
      const r = await jar.fetch('/oauth2/authorize/decision', { method: 'POST', headers: headersFor(label, extra), form });
      assert.equal(r.status, 403, label);
      assert.equal(r.headers.get('location'), null);
    }
    assert.equal(await f.t.ctx.services.oauth.getGrant(f.userId, f.clientId), undefined);

    const out = await (await jar.fetch('/logout')).text();
    const r = await jar.fetch('/logout', { method: 'POST', headers: { origin: fds }, form: { csrf: hidden(out, 'csrf') } });
    assert.equal(r.status, 403);
    assert.equal((await jar.fetch(`/oauth2/authorize?${query()}`)).status, 200, 'still signed in');

    // From the account origin itself (each of the three signals) the same forms work.
    const same = await jar.fetch('/oauth2/authorize/decision', { method: 'POST', headers: { origin: f.base }, form });
    assert.equal(same.status, 303);
    assert.match(same.headers.get('location') ?? '', /[?&]code=/);
    const sameOriginHeaders: Array<Record<string, string>> = [{ 'sec-fetch-site': 'same-origin' }, { referer: `${f.base}/logout` }];
    for (const h of sameOriginHeaders) {
      const page = await (await jar.fetch('/logout')).text();
      const o = await jar.fetch('/logout', { method: 'POST', headers: h, form: { csrf: hidden(page, 'csrf') } });
      assert.equal(o.status, 303, JSON.stringify(h));
      await login(jar, f.account, PASSWORD);
    }
  });

  it('checkPassword and the grants API refuse another origin too', async () => {
    const jar = new Jar(f.base);
    const page = await (
      await jar.fetch(
        `/checkPassword?${new URLSearchParams({ clientId: f.clientId, xmUserId: f.userId, callback: 'https://app.example.com/xm' })}`,
      )
    ).text();
    const r = await jar.fetch('/checkPassword', {
      method: 'POST',
      headers: { origin: fds },
      form: { csrf: hidden(page, 'csrf'), flow: hidden(page, 'flow'), password: PASSWORD, decision: 'confirm' },
    });
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('location'), null, 'no callback');

    await login(jar, f.account, PASSWORD);
    const list = (await (await jar.fetch('/api/account/grants')).json()) as { csrfToken: string };
    const d = await jar.fetch(`/api/account/grants/${f.clientId}`, {
      method: 'DELETE',
      headers: { origin: fds, 'x-csrf-token': list.csrfToken },
    });
    assert.equal(d.status, 403);
    assert.equal(((await d.json()) as { error: string }).error, 'cross_origin');
  });

  it('OpenID Connect logout: another site may POST the request (a confirmation page), not the confirmation', async () => {
    const jar = new Jar(f.base);
    await login(jar, f.account, PASSWORD);
    const rp = { origin: 'https://rp.example', 'sec-fetch-site': 'cross-site' };
    const asked = await jar.fetch('/oauth2/end_session', { method: 'POST', headers: rp, form: {} });
    assert.equal(asked.status, 200);
    const csrf = hidden(await asked.text(), 'csrf');
    assert.ok(csrf);
    const confirmed = await jar.fetch('/oauth2/end_session', { method: 'POST', headers: rp, form: { csrf } });
    assert.equal(confirmed.status, 403);
    assert.match(await (await jar.fetch('/login')).text(), /signed in as/i);
  });

  it('the error page speaks zh-CN', async () => {
    const r = await fetch(`${f.base}/login?_locale=zh_CN`, {
      method: 'POST',
      headers: { origin: fds, 'accept-language': 'zh-CN', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'account=a&password=b',
    });
    assert.equal(r.status, 403);
    assert.match(await r.text(), /此表单由其他网站提交，未做任何更改/);
  });
});
