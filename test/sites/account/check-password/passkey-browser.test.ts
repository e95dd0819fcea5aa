// /checkPassword in real Chromium for a user whose only second factor is a passkey, at 1280×800 and
// 390×844, in English and Chinese: the first page (password only, as for any id), the right
// password, then the factor step confirmed with the passkey through Chromium's virtual
// authenticator (CDP WebAuthn.addVirtualAuthenticator), and the app's callback: xmResult=true, the
// user id, a _xmSign that verifies with the app secret and a code that redeems at /oauth2/token.
// Every page is checked by axe-core and photographed into test-artifacts/check-password-passkey/.
// The public URL is http://localhost:<port>: a WebAuthn relying party needs a domain name. The app
// is a real server on loopback (a route-intercepted made-up host once failed to resolve in CI).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { xmSign } from '../../../../src/core/account/xm-sign.ts';
import { addVirtualAuthenticator, axeVariant, browserSkip, launchBrowser, type TestBrowser } from '../../../helpers/browser.ts';
import { freePort, startTestServer, type TestServer } from '../../../helpers/env.ts';
import { checkPage, PAGE_LOCALES, VIEWPORTS } from '../../../helpers/page-check.ts';
import { seedApp } from '../../../helpers/seed.ts';

const SHOTS = join(import.meta.dirname, '../../../../test-artifacts/check-password-passkey');
const PASSWORD = 'amber-Lantern-48-violet';

describe('checkPassword with a passkey as second factor, in Chromium', { skip: browserSkip }, () => {
  let t: TestServer;
  let b: TestBrowser;
  let base: string;
  let clientId: string;
  let clientSecret: string;
  let appServer: Server;
  let appUrl = '';
  /** URLs the app's server received (the callbacks), reset by each test. */
  let callbacks: string[] = [];
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    appServer = createServer((req, res) => {
      if (req.url?.startsWith('/xm/cb')) callbacks.push(`${appUrl}${req.url}`); // not the favicon
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html lang="en"><title>app</title><p id="app">app</p>');
    });
    await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`;
    const port = await freePort();
    base = `http://localhost:${port}`;
    t = await startTestServer({ env: { OPAL_PORT: String(port), OPAL_PUBLIC_URL: base, OPAL_CHECK_PASSWORD_FLOWS_PER_MINUTE: '0' } });
    ({ clientId, clientSecret } = await seedApp(t.ctx, { name: 'Example App', redirectUris: `${appUrl}/cb` }));
    b = await launchBrowser();
  });
  after(async () => {
    await b?.close();
    await t?.close();
    appServer?.close();
  });

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    for (const locale of PAGE_LOCALES) {
      test(`${size} ${locale}: right password, then the passkey, then the signed callback`, async () => {
        const name = `${size}-${locale}`;
        const axe = axeVariant(size, locale);
        const account = `cp-passkey-${size}-${locale === 'en' ? 'en' : 'zh'}`;
        const user = await t.ctx.services.users.create({ account, password: PASSWORD });
        const context = await b.browser.newContext({ viewport, locale });
        const page = await context.newPage();
        callbacks = [];
        try {
          // The user signs in (no factor yet) and adds a passkey with the virtual authenticator.
          await addVirtualAuthenticator(context, page);
          await page.goto(`${base}/login?return_to=${encodeURIComponent('/account/factors')}`);
          await page.fill('#account', account);
          await page.fill('#password', PASSWORD);
          await page.click('form[action="/login"] button[type=submit]');
          await page.waitForURL(`${base}/account/factors`);
          await page.locator('#passkey-add').waitFor({ state: 'visible' });
          await page.click('#passkey-add');
          await page.waitForURL(/done=passkey/);
          const factors = await t.ctx.services.factors.list(user.userId);
          assert.deepEqual(
            factors.map((f) => f.kind),
            ['passkey'],
          );

          // The first page: a password field only, no code field, no passkey.
          const q = new URLSearchParams({ clientId, xmUserId: user.userId, callback: `${appUrl}/xm/cb` });
          await page.goto(`${base}/checkPassword?${q}`);
          assert.equal(await page.locator('html').getAttribute('lang'), locale);
          assert.equal(await page.locator('#code').count(), 0);
          assert.equal(await page.locator('[data-passkey-start]').count(), 0);
          await checkPage(page, SHOTS, `${name}-check-password`, { axe });

          // The right password: the factor step offers the passkey (no code field: no authenticator, no recovery codes).
          await page.fill('#password', PASSWORD);
          await page.click('button[value=confirm]');
          await page.locator('#factor-step').waitFor();
          assert.equal(await page.locator('#password').count(), 0);
          await page.locator('form[data-passkey] [data-passkey-start]').waitFor({ state: 'visible' });
          assert.equal(callbacks.length, 0);
          // The passkey button is the only way to confirm: no confirm button that could only fail.
          assert.equal(await page.locator('button[value=confirm]').isVisible(), false);
          await checkPage(page, SHOTS, `${name}-check-password-passkey`, { axe });

          // The passkey confirms: the browser goes to the app's callback, signed.
          await page.click('form[data-passkey] [data-passkey-start]');
          await page.waitForURL(`${appUrl}/xm/cb?**`);
          assert.equal(callbacks.length, 1);
          const url = callbacks[0] ?? '';
          const u = new URL(url);
          assert.equal(u.searchParams.get('xmResult'), 'true');
          assert.equal(u.searchParams.get('xmUserId'), user.userId);
          assert.equal(xmSign(clientSecret, u.searchParams.get('_xmNonce') ?? '', url), u.searchParams.get('_xmSign'));
          const code = u.searchParams.get('code') ?? '';
          assert.ok(code, 'the callback carries a code');
          const token = await fetch(
            `${base}/oauth2/token?${new URLSearchParams({ client_id: clientId, client_secret: clientSecret, grant_type: 'authorization_code', code, redirect_uri: `${appUrl}/cb` })}`,
          );
          assert.match(await token.text(), /"access_token"/);
          const used = (await t.ctx.services.factors.list(user.userId))[0];
          assert.ok(used?.lastUsedAt, 'the passkey was used');
        } finally {
          await context.close();
        }
      });
    }
  }
});
