// /checkPassword in real Chromium for a user whose only second factor is a passkey, at 1280×800 and
// 390×844, in English and Chinese: the first page (password only, as for any id), the right
// password, then the factor step confirmed with the passkey through Chromium's virtual
// authenticator (CDP WebAuthn.addVirtualAuthenticator), and the app's callback: xmResult=true, the
// user id, a _xmSign that verifies with the app secret and a code that redeems at /oauth2/token.
// Every page is checked by axe-core and photographed into test-artifacts/check-password-passkey/.
// The public URL is http://localhost:<port>: a WebAuthn relying party needs a domain name.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { xmSign } from '../../../../src/core/account/xm-sign.ts';
import { browserSkip, launchBrowser, type TestBrowser } from '../../../helpers/browser.ts';
import { startTestServer, type TestServer } from '../../../helpers/env.ts';
import { checkPage, PAGE_LOCALES, VIEWPORTS } from '../../../helpers/page-check.ts';
import { seedApp } from '../../../helpers/seed.ts';

const SHOTS = join(import.meta.dirname, '../../../../test-artifacts/check-password-passkey');
const PASSWORD = 'amber-Lantern-48-violet';
const CALLBACK = 'https://app.example.com/xm/cb';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe('checkPassword with a passkey as second factor, in Chromium', { skip: browserSkip }, () => {
  let t: TestServer;
  let b: TestBrowser;
  let base: string;
  let clientId: string;
  let clientSecret: string;
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const port = await freePort();
    base = `http://localhost:${port}`;
    t = await startTestServer({ env: { OPAL_PORT: String(port), OPAL_PUBLIC_URL: base, OPAL_CHECK_PASSWORD_FLOWS_PER_MINUTE: '0' } });
    ({ clientId, clientSecret } = await seedApp(t.ctx, { name: 'Example App', redirectUris: 'https://app.example.com/cb' }));
    b = await launchBrowser();
  });
  after(async () => {
    await b?.close();
    await t?.close();
  });

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    for (const locale of PAGE_LOCALES) {
      test(`${size} ${locale}: right password, then the passkey, then the signed callback`, async () => {
        const name = `${size}-${locale}`;
        const account = `cp-passkey-${size}-${locale === 'en' ? 'en' : 'zh'}`;
        const user = await t.ctx.services.users.create({ account, password: PASSWORD });
        const context = await b.browser.newContext({ viewport, locale });
        const page = await context.newPage();
        const callbacks: string[] = [];
        await page.route('https://app.example.com/**', (route) => {
          callbacks.push(route.request().url());
          return route.fulfill({ status: 200, contentType: 'text/html', body: '<html lang="en"><title>app</title><p id="app">app</p>' });
        });
        try {
          // The user signs in (no factor yet) and adds a passkey with the virtual authenticator.
          const cdp = await context.newCDPSession(page);
          await cdp.send('WebAuthn.enable');
          await cdp.send('WebAuthn.addVirtualAuthenticator', {
            options: {
              protocol: 'ctap2',
              transport: 'internal',
              hasResidentKey: true,
              hasUserVerification: true,
              isUserVerified: true,
              automaticPresenceSimulation: true,
            },
          });
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
          const q = new URLSearchParams({ clientId, xmUserId: user.userId, callback: CALLBACK });
          await page.goto(`${base}/checkPassword?${q}`);
          assert.equal(await page.locator('html').getAttribute('lang'), locale);
          assert.equal(await page.locator('#code').count(), 0);
          assert.equal(await page.locator('[data-passkey-start]').count(), 0);
          await checkPage(page, SHOTS, `${name}-check-password`);

          // The right password: the factor step offers the passkey (no code field: no authenticator, no recovery codes).
          await page.fill('#password', PASSWORD);
          await page.click('button[value=confirm]');
          await page.locator('#factor-step').waitFor();
          assert.equal(await page.locator('#password').count(), 0);
          await page.locator('form[data-passkey] [data-passkey-start]').waitFor({ state: 'visible' });
          assert.equal(callbacks.length, 0);
          await checkPage(page, SHOTS, `${name}-check-password-passkey`);

          // The passkey confirms: the browser goes to the app's callback, signed.
          await page.click('form[data-passkey] [data-passkey-start]');
          await page.waitForURL(/^https:\/\/app\.example\.com\/xm\/cb\?/);
          assert.equal(callbacks.length, 1);
          const url = callbacks[0] ?? '';
          const u = new URL(url);
          assert.equal(u.searchParams.get('xmResult'), 'true');
          assert.equal(u.searchParams.get('xmUserId'), user.userId);
          assert.equal(xmSign(clientSecret, u.searchParams.get('_xmNonce') ?? '', url), u.searchParams.get('_xmSign'));
          const code = u.searchParams.get('code') ?? '';
          assert.ok(code, 'the callback carries a code');
          const token = await fetch(
            `${base}/oauth2/token?${new URLSearchParams({ client_id: clientId, client_secret: clientSecret, grant_type: 'authorization_code', code, redirect_uri: 'https://app.example.com/cb' })}`,
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
