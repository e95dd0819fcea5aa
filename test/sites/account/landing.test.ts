// The account origin's front door: `/` is the landing page for browsers and the short text with a
// current Last-Modified for SDKs; unknown paths are an HTML 404 page for browsers and Fastify's
// JSON for API clients; branding and the language cookie apply to every page; the sign-in page
// keeps the account name after a wrong password and links to recovery and sign-up.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/env.ts';
import { hidden, Jar } from '../../helpers/oauth.ts';

describe('landing, 404, branding, language, sign-in page', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      env: { OPAL_BRAND_NAME: 'Acme ID', OPAL_BRAND_LOGO_URL: 'https://cdn.example.com/logo.png', OPAL_BRAND_COLOR: '#123abc' },
    });
    await t.ctx.services.users.create({ account: 'alice', password: 'alice-password-1' });
  });
  after(() => t.close());

  it('GET / : the landing page for browsers, the old text for SDKs, Last-Modified on both', async () => {
    const html = await fetch(`${t.accountUrl}/`, { headers: { accept: 'text/html' } });
    assert.equal(html.status, 200);
    assert.ok(html.headers.get('last-modified'));
    const body = await html.text();
    assert.match(body, /href="\/login\?_locale=en"/);
    assert.match(body, /href="\/signup\?_locale=en"/);
    const sdk = await fetch(`${t.accountUrl}/`);
    assert.equal(await sdk.text(), 'Opal account server\n');
    assert.ok(Math.abs(Date.parse(sdk.headers.get('last-modified') ?? '') - Date.now()) < 5000);
  });

  it('unknown paths: an HTML 404 page for browsers, JSON for API clients', async () => {
    const page = await fetch(`${t.accountUrl}/no/such/page`, {
      headers: { accept: 'text/html,application/xhtml+xml', 'accept-language': 'zh-CN' },
    });
    assert.equal(page.status, 404);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /页面不存在/);
    const api = await fetch(`${t.accountUrl}/no/such/api`, { headers: { accept: 'application/json' } });
    assert.equal(api.status, 404);
    assert.deepEqual(await api.json(), { message: 'Route GET:/no/such/api not found', error: 'Not Found', statusCode: 404 });
  });

  it('every page carries the brand name, logo and color', async () => {
    for (const path of ['/login', '/signup', '/recover', '/dev/outbox', '/nowhere']) {
      const body = await (await fetch(`${t.accountUrl}${path}`, { headers: { accept: 'text/html' } })).text();
      assert.match(body, /Acme ID/, path);
      assert.match(body, /src="https:\/\/cdn.example.com\/logo.png"/, path);
      assert.match(body, /--accent:#123abc/, path);
    }
  });

  it('the language switcher keeps the address and the choice is kept in a cookie', async () => {
    const jar = new Jar(t.accountUrl);
    const en = await (await jar.fetch('/recover/code?flow=abc')).text();
    assert.match(en, /href="\/recover\/code\?flow=abc&amp;_locale=zh-CN"/);
    await jar.fetch('/login?_locale=zh-CN');
    assert.equal(jar.cookies.get('opal_locale'), 'zh-CN');
    assert.match(await (await jar.fetch('/signup')).text(), /<html lang="zh-CN">[\s\S]*创建帐号/);
  });

  it('a wrong password keeps the account name; the page links to recovery and sign-up', async () => {
    const jar = new Jar(t.accountUrl);
    const html = await (await jar.fetch('/login')).text();
    assert.match(html, /href="\/recover\?_locale=en"/);
    assert.match(html, /href="\/signup\?_locale=en"/);
    assert.match(html, /data-reveal="reveal-password"/);
    const r = await jar.fetch('/login', {
      method: 'POST',
      form: { csrf: hidden(html, 'csrf'), account: 'alice', password: 'wrong-password' },
    });
    const again = await (await jar.fetch(r.headers.get('location') ?? '')).text();
    assert.match(again, /id="account" name="account" value="alice"/);
    assert.match(again, /login-error/);
  });
});
