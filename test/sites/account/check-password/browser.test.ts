// The password re-check in real Chromium: wrong password, then right; the app's callback server
// verifies _xmSign and redeems the code at /oauth2/token.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { xmSign } from '../../../../src/core/account/xm-sign.ts';
import { browserSkip, launchBrowser, type TestBrowser } from '../../../helpers/browser.ts';
import { startTestServer, type TestServer } from '../../../helpers/env.ts';

describe('checkPassword in Chromium', { skip: browserSkip }, () => {
  let t: TestServer;
  let b: TestBrowser;
  let appServer: Server;
  let appUrl = '';
  let clientId = '';
  let clientSecret = '';
  let userId = '';
  const seen: Array<{ verified: boolean; userId: string; token: boolean; result: string }> = [];

  before(async () => {
    t = await startTestServer();
    // The third-party app: its callback verifies the signature and redeems the code.
    appServer = createServer(async (req, res) => {
      if (!req.url?.startsWith('/xm/')) return void res.writeHead(404).end();
      const url = `${appUrl}${req.url}`;
      const u = new URL(url);
      const verified = xmSign(clientSecret, u.searchParams.get('_xmNonce') ?? '', url) === u.searchParams.get('_xmSign');
      let token = false;
      if (verified && u.searchParams.get('code')) {
        const r = await fetch(
          `${t.accountUrl}/oauth2/token?${new URLSearchParams({ client_id: clientId, client_secret: clientSecret, grant_type: 'authorization_code', code: u.searchParams.get('code') ?? '', redirect_uri: `${appUrl}/cb` })}`,
        );
        token = (await r.text()).includes('"access_token"');
      }
      seen.push({ verified, userId: u.searchParams.get('xmUserId') ?? '', token, result: u.searchParams.get('xmResult') ?? '' });
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<p id="done">${verified && token ? 'verified' : 'rejected'}</p>`);
    });
    await new Promise<void>((r) => appServer.listen(0, '127.0.0.1', r));
    appUrl = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`;
    const created = await t.ctx.services.apps.create({ name: 'Browser App', redirectUris: `${appUrl}/cb`, scopes: [1] });
    clientId = created.app.clientId;
    clientSecret = created.clientSecret;
    userId = (await t.ctx.services.users.create({ account: 'browser.user@example.com', password: 'right-password-1' })).userId;
    b = await launchBrowser();
  });
  after(async () => {
    await b?.close();
    await new Promise((r) => appServer.close(r));
    await t.close();
  });

  it('wrong password, then right: the callback verifies and its code redeems', async () => {
    const page = await b.context.newPage();
    const q = new URLSearchParams({ clientId, xmUserId: userId, callback: `${appUrl}/xm/verify` });
    await page.goto(`${t.accountUrl}/checkPassword?${q}`);
    assert.match((await page.textContent('#masked-account')) ?? '', /^b\*+r@example\.com$/);
    await page.fill('input[name=password]', 'wrong-password');
    await page.click('button[name=decision][value=confirm]');
    await page.waitForSelector('#check-error');
    assert.equal(seen.length, 0);
    await page.fill('input[name=password]', 'right-password-1');
    await Promise.all([page.waitForURL(`${appUrl}/xm/verify?**`), page.click('button[name=decision][value=confirm]')]);
    assert.equal(await page.textContent('#done'), 'verified');
    assert.deepEqual(seen, [{ verified: true, userId, token: true, result: 'true' }]);
    await page.close();
  });
});
