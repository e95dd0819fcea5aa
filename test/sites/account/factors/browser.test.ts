// Second factors in real Chromium, at desktop size and at 390×844, in English and Chinese: set up
// an authenticator app (codes computed here with otplib) and sign in with it; a recovery code signs
// in once and its reuse is refused; a passkey is added and signs in without a password through
// Chromium's virtual authenticator (CDP WebAuthn domain: CTAP2, internal transport, resident keys,
// user verification), and serves as the second step too; checkPassword asks for the authenticator
// code. Every page is checked by axe-core and photographed into
// test-artifacts/factors/ (not committed). The server's public URL is http://localhost:<port>: a
// WebAuthn relying party needs a domain name, not an IP address.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import { addVirtualAuthenticator, axeVariant, browserSkip, launchBrowser, type TestBrowser } from '../../../helpers/browser.ts';
import { freePort, startTestServer, type TestServer } from '../../../helpers/env.ts';
import { checkPage, PAGE_LOCALES, VIEWPORTS } from '../../../helpers/page-check.ts';
import { seedApp } from '../../../helpers/seed.ts';

const SHOTS = join(import.meta.dirname, '../../../../test-artifacts/factors');
const PASSWORD = 'velvet-Harbor-62-quartz';
const CALLBACK = 'https://app.example.com/xm/cb';

const codeAt = (secret: string, ms: number) => generate({ secret, epoch: Math.floor(ms / 1000) });

/**
 * The code of the step `offset` steps from now (the server accepts the previous, current and next
 * step), such that the browser's submission still reaches the server within that window. A code
 * of the current or the next step stays accepted through the whole next step; the previous step's
 * code only until the current step ends, so near a step's end it waits for the next step (taken
 * in the last seconds of a step, such a code once arrived two steps late under load and was
 * refused). Only it waits: up to 10 s, a third of the time.
 */
async function stepCode(secret: string, offset: -1 | 0 | 1): Promise<string> {
  const left = 30_000 - (Date.now() % 30_000);
  if (offset === -1 && left < 10_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
  return codeAt(secret, Date.now() + offset * 30_000);
}

describe('second factors in Chromium', { skip: browserSkip }, () => {
  let t: TestServer;
  let b: TestBrowser;
  let base: string;
  let clientId: string;
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const port = await freePort();
    base = `http://localhost:${port}`;
    t = await startTestServer({ env: { OPAL_PORT: String(port), OPAL_PUBLIC_URL: base, OPAL_CHECK_PASSWORD_FLOWS_PER_MINUTE: '0' } });
    ({ clientId } = await seedApp(t.ctx, { name: 'Example App', redirectUris: 'https://app.example.com/cb' }));
    b = await launchBrowser();
  });
  after(async () => {
    await b?.close();
    await t?.close();
  });

  async function signInWithPassword(page: Page, account: string): Promise<void> {
    await page.goto(`${base}/login?return_to=${encodeURIComponent('/account/factors')}`);
    await page.fill('#account', account);
    await page.fill('#password', PASSWORD);
    await page.click('form[action="/login"] button[type=submit]');
  }

  async function signOut(page: Page): Promise<void> {
    await page.goto(`${base}/logout`);
    await page.click('form[action="/logout"] button');
  }

  /** Signs out, signs in with the password and answers the second step with `code` (checking the step's page as `shot`). */
  async function secondStep(page: Page, account: string, code: string, shot?: string, axe = true): Promise<void> {
    await signOut(page);
    await signInWithPassword(page, account);
    await page.waitForURL(/\/login\/factor/);
    if (shot) await checkPage(page, SHOTS, shot, { axe });
    await page.fill('#code', code);
    await page.click('form:has(#code) button[type=submit]');
  }

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    for (const locale of PAGE_LOCALES) {
      test(`${size} ${locale}: authenticator app, recovery codes, passkey, checkPassword`, async () => {
        const name = `${size}-${locale}`;
        const axe = axeVariant(size, locale);
        const account = `factor-${size}-${locale === 'en' ? 'en' : 'zh'}`;
        const user = await t.ctx.services.users.create({ account, password: PASSWORD });
        const context = await b.browser.newContext({ viewport, locale });
        const page = await context.newPage();
        await page.route('https://app.example.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'app' }));
        try {
          // Password sign-in (no factor yet), then the factors page.
          await signInWithPassword(page, account);
          await page.waitForURL(`${base}/account/factors`);
          assert.equal(await page.locator('html').getAttribute('lang'), locale);
          await checkPage(page, SHOTS, `${name}-factors-empty`, { axe });

          // Authenticator app: QR code and key, a first code, ten recovery codes shown once.
          await page.click('#totp-setup');
          await page.waitForURL(/\/account\/factors\/totp/);
          assert.equal(await page.locator('img[src^="data:image/svg+xml"]').count(), 1);
          await checkPage(page, SHOTS, `${name}-totp-setup`, { axe });
          const secret = ((await page.textContent('#totp-secret')) ?? '').replace(/\s/g, '');
          await page.fill('#code', '000000');
          await page.click('button[type=submit]');
          await page.locator('#totp-error').waitFor();
          await checkPage(page, SHOTS, `${name}-totp-wrong`, { axe });
          // The previous step's code (still good): the current and next steps stay free for the sign-in and checkPassword.
          await page.fill('#code', await stepCode(secret, -1));
          await page.click('button[type=submit]');
          await page.waitForURL(/\/account\/factors\/recovery-codes/);
          const codes = await page.locator('#recovery-codes code').allTextContents();
          assert.equal(codes.length, 10);
          await checkPage(page, SHOTS, `${name}-recovery-codes`, { axe });
          await page.click('form[action="/account/factors/recovery-codes/done"] button');
          await page.waitForURL(/\/account\/factors(\?|$)/);

          // A passkey, through Chromium's virtual authenticator.
          await addVirtualAuthenticator(context, page);
          await page.reload();
          await page.locator('#passkey-add').waitFor({ state: 'visible' });
          await page.click('#passkey-add');
          await page.waitForURL(/done=passkey/);
          assert.equal(await page.locator('li[data-factor="passkey"]').count(), 1);
          assert.equal(await page.locator('li[data-factor="totp"]').count(), 1);
          await checkPage(page, SHOTS, `${name}-factors`, { axe });

          // Sign-in with the password, then the authenticator's code.
          await secondStep(page, account, await stepCode(secret, 0), `${name}-second-step`, axe);
          await page.waitForURL(`${base}/account/factors`);

          // A recovery code signs in once; its reuse is refused.
          await secondStep(page, account, codes[0] ?? '');
          await page.waitForURL(`${base}/account/factors`);
          await secondStep(page, account, codes[0] ?? '');
          await page.locator('#factor-error').waitFor();
          await checkPage(page, SHOTS, `${name}-second-step-error`, { axe });

          // Sign-in with the passkey alone, from the sign-in page.
          await page.goto(`${base}/login?return_to=${encodeURIComponent('/account/factors')}`);
          await page.locator('#passkey-login').waitFor({ state: 'visible' });
          await checkPage(page, SHOTS, `${name}-login`, { axe });
          await page.click('#passkey-login [data-passkey-start]');
          await page.waitForURL(`${base}/account/factors`);
          const amrOf = async () =>
            (await t.ctx.db.kysely.selectFrom('web_sessions').select('amr').where('user_id', '=', user.userId).execute()).map((r) => r.amr);
          assert.deepEqual(await amrOf(), ['hwk']);

          // The passkey as the second step after the password.
          await signOut(page);
          await signInWithPassword(page, account);
          await page.waitForURL(/\/login\/factor/);
          await page.click('form[data-passkey] [data-passkey-start]');
          await page.waitForURL(`${base}/account/factors`);
          assert.deepEqual(await amrOf(), ['pwd,hwk']);

          // checkPassword asks for the authenticator code too.
          const q = new URLSearchParams({ clientId, xmUserId: user.userId, callback: CALLBACK });
          await page.goto(`${base}/checkPassword?${q}`);
          await checkPage(page, SHOTS, `${name}-check-password`, { axe });
          await page.fill('#password', PASSWORD);
          await page.click('button[value=confirm]');
          await page.locator('#code').waitFor();
          await checkPage(page, SHOTS, `${name}-check-password-factor`, { axe });
          await page.fill('#code', await stepCode(secret, 1));
          await page.click('button[value=confirm]');
          await page.waitForURL(/^https:\/\/app\.example\.com\/xm\/cb\?xmResult=true&/);
        } finally {
          await context.close();
        }
      });
    }
  }
});
