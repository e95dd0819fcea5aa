// End to end in real Chromium: authorize → login (one wrong password first) → consent → redirect
// with a code to a loopback server → token exchange → refresh → revoke → the old token fails.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { browserSkip, launchBrowser, type TestBrowser } from '../../../helpers/browser.ts';
import { startTestServer, type TestServer } from '../../../helpers/env.ts';
import { parseTokenBody } from '../../../helpers/oauth.ts';

describe('OAuth in Chromium', { skip: browserSkip }, () => {
  let t: TestServer;
  let b: TestBrowser;
  let cbServer: Server;
  let cbBase = '';
  const hits: string[] = [];

  before(async () => {
    cbServer = createServer((req, res) => {
      if (req.url?.startsWith('/cb')) hits.push(req.url);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('callback received');
    });
    await new Promise<void>((r) => cbServer.listen(0, '127.0.0.1', r));
    cbBase = `http://127.0.0.1:${(cbServer.address() as AddressInfo).port}`;
    t = await startTestServer();
    b = await launchBrowser();
  });
  after(async () => {
    await b?.close();
    await t?.close();
    await new Promise((r) => cbServer.close(r));
  });

  test('full flow', async () => {
    const { app, clientSecret } = await t.ctx.services.apps.create({ name: 'Browser App', redirectUris: `${cbBase}/cb`, scopes: [1, 3] });
    await t.ctx.services.users.create({ account: 'dora', password: 'dora-password-1' });
    const page = await b.context.newPage();
    const state = 'st+ate/1';
    const authorizeUrl = `${t.accountUrl}/oauth2/authorize?${new URLSearchParams({ client_id: app.clientId, response_type: 'code', redirect_uri: `${cbBase}/cb`, scope: '1 3', state })}`;
    await page.goto(authorizeUrl);
    assert.match(await page.title(), /Sign in/);
    await page.fill('#account', 'dora');
    await page.fill('#password', 'wrong-password');
    await Promise.all([page.waitForURL(/\/login\?/), page.click('button[type=submit]')]);
    assert.match((await page.textContent('#login-error')) ?? '', /Wrong account or password/);
    await page.fill('#account', 'dora');
    await page.fill('#password', 'dora-password-1');
    await Promise.all([page.waitForURL(/\/oauth2\/authorize\?/), page.click('button[type=submit]')]);
    assert.match((await page.textContent('h1')) ?? '', /Authorize Browser App/);
    assert.equal(await page.locator('li[data-scope]').count(), 2);
    await Promise.all([page.waitForURL(`${cbBase}/cb?**`), page.click('button[name=decision][value=allow]')]);
    assert.equal(hits.length, 1);
    const cb = new URL(hits[0] ?? '', cbBase);
    assert.equal(cb.searchParams.get('state'), state);
    const code = cb.searchParams.get('code') ?? '';
    assert.match(code, /^[A-Za-z0-9_-]{32}$/);

    const tokenUrl = `${t.accountUrl}/oauth2/token`;
    const first = parseTokenBody(
      await (
        await fetch(
          `${tokenUrl}?${new URLSearchParams({ client_id: app.clientId, client_secret: clientSecret, grant_type: 'authorization_code', code, redirect_uri: `${cbBase}/cb`, token_type: 'mac' })}`,
        )
      ).text(),
    );
    assert.equal(first.scope, '1 3');
    const second = parseTokenBody(
      await (
        await fetch(
          `${tokenUrl}?${new URLSearchParams({ client_id: app.clientId, client_secret: clientSecret, grant_type: 'refresh_token', refresh_token: first.refresh_token as string })}`,
        )
      ).text(),
    );
    assert.equal(typeof second.access_token, 'string');
    const introspect = async (tok: string) =>
      (await (
        await fetch(`${t.accountUrl}/oauth2/introspect`, {
          method: 'POST',
          body: new URLSearchParams({ client_id: app.clientId, client_secret: clientSecret, token: tok }),
        })
      ).json()) as {
        active: boolean;
      };
    assert.equal((await introspect(second.access_token as string)).active, true);

    // The user revokes the app from their account (grants API, in the logged-in browser).
    await page.goto(`${t.accountUrl}/login`);
    const status = await page.evaluate(async (clientId) => {
      const list = (await (await fetch('/api/account/grants')).json()) as { csrfToken: string };
      const r = await fetch(`/api/account/grants/${clientId}`, { method: 'DELETE', headers: { 'x-csrf-token': list.csrfToken } });
      return r.status;
    }, app.clientId);
    assert.equal(status, 204);
    assert.equal((await introspect(second.access_token as string)).active, false);
    assert.equal((await introspect(first.access_token as string)).active, false);
    assert.equal(await t.ctx.services.oauth.resolveAccessToken(second.access_token as string), undefined);
    const again = parseTokenBody(
      await (
        await fetch(
          `${tokenUrl}?${new URLSearchParams({ client_id: app.clientId, client_secret: clientSecret, grant_type: 'refresh_token', refresh_token: second.refresh_token as string })}`,
        )
      ).text(),
    );
    assert.equal(again.error, 96009);
    await page.close();
  });
});
