// Sign-up and recovery in real Chromium, at desktop size and at 390×844, in English and Chinese:
// sign-up with the e-mail code read from the developer outbox, password recovery through the
// outbox's link, then sign-in with the new password. Every page is checked by axe-core (no serious
// or critical violation) and photographed into test-artifacts/self-service/ (not committed).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { axeVariant, browserSkip } from '../../../helpers/browser.ts';
import { ARTIFACTS, checkPage, LOCALES, pageSuite, VIEWPORTS } from '../../../helpers/page-check.ts';

const SHOTS = join(ARTIFACTS, 'self-service');

const check = (page: Page, name: string, axe: boolean) => checkPage(page, SHOTS, name, { axe });

/** The newest outbox message to `to`, read from the /dev/outbox page. */
async function fromOutbox(page: Page, base: string, to: string, name: string, axe: boolean): Promise<string> {
  await page.goto(`${base}/dev/outbox`);
  await check(page, `${name}-outbox`, axe);
  return (await page.locator(`article[data-to="${to}"] pre`).first().textContent()) ?? '';
}

describe('sign-up and recovery in Chromium', { skip: browserSkip }, () => {
  const suite = pageSuite(SHOTS, { env: { OPAL_BRAND_NAME: 'Acme ID' } });

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    for (const locale of LOCALES) {
      test(`${size} ${locale}: sign up with the e-mail code, recover the password, sign in`, async () => {
        const name = `${size}-${locale}`;
        const axe = axeVariant(size, locale);
        const account = `user-${size}-${locale === 'en' ? 'en' : 'zh'}`;
        const email = `${account}@example.com`;
        const password = 'velvet-Harbor-62-quartz';
        const context = await suite.b.browser.newContext({ viewport, locale });
        const page = await context.newPage();
        try {
          const base = suite.t.accountUrl;
          await page.goto(`${base}/`);
          assert.equal(await page.locator('html').getAttribute('lang'), locale);
          await check(page, `${name}-landing`, axe);
          await page.click('a[href^="/signup"]');
          await page.fill('#account', account);
          await page.fill('#password', 'password1');
          await page.fill('#email', email);
          await page.locator('#strength-wrap').waitFor({ state: 'visible' });
          await check(page, `${name}-signup`, axe);
          await page.click('button[type=submit]');
          await page.locator('#signup-error').waitFor();
          assert.equal(await page.inputValue('#account'), account, 'fields kept after a refused password');
          await check(page, `${name}-signup-error`, axe);
          await page.fill('#password', password);
          await page.locator('#reveal-password input').check();
          assert.equal(await page.getAttribute('#password', 'type'), 'text');
          await page.click('button[type=submit]');
          await page.waitForURL(/\/signup\/verify\?/);
          const verifyUrl = page.url();
          await check(page, `${name}-verify`, axe);
          const code = /\b(\d{6})\b/.exec(await fromOutbox(page, base, email, name, axe))?.[1] ?? '';
          assert.match(code, /^\d{6}$/);
          await page.goto(verifyUrl);
          await page.fill('#code', code);
          await page.click('button[type=submit]');
          await page.waitForURL(`${base}/`);
          assert.match((await page.locator('#signed-in').textContent()) ?? '', new RegExp(account));
          await check(page, `${name}-signed-in`, axe);

          // Recovery: sign out, ask for a link, follow it from the outbox, set a new password.
          await page.click('form[action="/logout"] button');
          await page.goto(`${base}/login`);
          await check(page, `${name}-login`, axe);
          await page.click('a[href^="/recover"]');
          await check(page, `${name}-recover`, axe);
          await page.fill('#address', email);
          await page.click('button[type=submit]');
          await page.waitForURL(/\/recover\/sent/);
          await check(page, `${name}-recover-sent`, axe);
          await page.waitForTimeout(100); // the message is sent in the background
          // The link names OPAL_PUBLIC_URL (port 0 in tests): follow its path on this server.
          const link = new URL(/http\S+/.exec(await fromOutbox(page, base, email, `${name}-reset`, axe))?.[0] ?? '');
          await page.goto(`${base}${link.pathname}${link.search}`);
          await check(page, `${name}-reset`, axe);
          const newPassword = 'copper-Meadow-47-falcon';
          await page.fill('#password', newPassword);
          await page.click('button[type=submit]');
          await page.waitForURL(/\/recover\/done/);
          await check(page, `${name}-reset-done`, axe);
          await page.click('a[href^="/login"]');
          await page.fill('#account', account);
          await page.fill('#password', password);
          await page.click('button[type=submit]');
          await page.locator('#login-error').waitFor();
          assert.equal(await page.inputValue('#account'), account, 'the account name is kept after a wrong password');
          await check(page, `${name}-login-error`, axe);
          await page.fill('#password', newPassword);
          await page.click('button[type=submit]');
          await page.waitForURL(/\/login/);
          await page.goto(`${base}/`);
          assert.match((await page.locator('#signed-in').textContent()) ?? '', new RegExp(account));
          await page.goto(`${base}/no-such-page`);
          await check(page, `${name}-404`, axe);
        } finally {
          await context.close();
        }
      });
    }
  }
});
