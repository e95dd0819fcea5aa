// The admin console in real Chromium, at desktop size and at 390×844, in English and Chinese: an
// admin signs in through the redirect, finds a user, locks them; the user then cannot sign in; the
// audit filter finds the lock; the CSV download with the same filters is parsed and holds it. Every
// page (and the refusal a developer gets) is checked by axe-core (no serious or critical
// violation), must fit the viewport, and is photographed into test-artifacts/admin-console/.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { axeVariant, browserSkip, checkPage, launchBrowser, type TestBrowser } from '../../../helpers/browser.ts';
import { startTestServer, type TestServer } from '../../../helpers/env.ts';
import { seedApp, seedUser } from '../../../helpers/seed.ts';

const SHOTS = join(import.meta.dirname, '../../../../test-artifacts/admin-console');
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, mobile: { width: 390, height: 844 } } as const;
const LOCALES = ['en', 'zh-CN'] as const;

const check = (page: Page, name: string, axe: boolean) => checkPage(page, SHOTS, name, { axe });

async function signIn(page: Page, account: string, password: string): Promise<void> {
  await page.fill('#account', account);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
}

describe('admin console in Chromium', { skip: browserSkip }, () => {
  let t: TestServer;
  let b: TestBrowser;
  let browser: Browser;
  const admin = { account: 'chief', password: 'granite-Orchid-55-meadow', userId: '' };

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    t = await startTestServer({ env: { OPAL_ADMIN_ACCOUNT: admin.account, OPAL_ADMIN_PASSWORD: admin.password } });
    admin.userId = (await t.ctx.services.users.find(admin.account))?.userId ?? '';
    const dev = await seedUser(t.ctx, { account: 'dev-carla' });
    await t.ctx.services.admin.setRole(dev.userId, 'developer', { actor: 'test' });
    await seedApp(t.ctx, { name: 'Carla Notes', developer: 'dev-carla' });
    b = await launchBrowser();
    browser = b.browser;
  });
  after(async () => {
    await b?.close();
    await t?.close();
  });

  test('a developer is refused the console', async () => {
    const dev = await seedUser(t.ctx);
    await t.ctx.services.admin.setRole(dev.userId, 'developer', { actor: 'test' });
    const context = await browser.newContext({ viewport: VIEWPORTS.mobile });
    const page = await context.newPage();
    try {
      await page.goto(`${t.accountUrl}/admin/users`);
      await page.waitForURL(/\/login\?return_to=%2Fadmin%2Fusers/);
      await signIn(page, dev.account, dev.password);
      await page.waitForURL(/\/admin\/users$/);
      assert.match((await page.locator('main').textContent()) ?? '', /admin role/);
      await check(page, 'mobile-en-refused-developer', true);
    } finally {
      await context.close();
    }
  });

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    for (const locale of LOCALES) {
      test(`${size} ${locale}: lock a user, who then cannot sign in; the audit filter and the CSV find the lock`, async () => {
        const name = `${size}-${locale}`;
        const axe = axeVariant(size, locale);
        const victim = await seedUser(t.ctx, {
          account: `victim-${size}-${locale === 'en' ? 'en' : 'zh'}`,
          email: `victim-${name}@example.com`,
        });
        const context = await browser.newContext({ viewport, locale });
        const page = await context.newPage();
        const base = t.accountUrl;
        try {
          await page.goto(`${base}/admin`);
          await page.waitForURL(/\/login\?return_to=%2Fadmin/);
          await signIn(page, admin.account, admin.password);
          await page.waitForURL(`${base}/admin`);
          assert.equal(await page.locator('html').getAttribute('lang'), locale);
          assert.match((await page.locator('#status').textContent()) ?? '', /sqlite/);
          await check(page, `${name}-status`, axe);

          await page.click('nav.sections a[href="/admin/users"]');
          await page.fill('#q', victim.account);
          await page.click('form[role=search] button[type=submit]');
          await page.waitForURL(/\/admin\/users\?/);
          assert.equal(await page.locator('#users tbody tr').count(), 1);
          await check(page, `${name}-users`, axe);
          await page.click(`#users a[href="/admin/users/${victim.userId}"]`);
          await page.waitForURL(`${base}/admin/users/${victim.userId}`);
          await check(page, `${name}-user`, axe);
          await page.click('#form-lock button');
          await page.waitForURL(/done=locked/);
          await page.locator('#admin-notice').waitFor();
          assert.equal((await t.ctx.services.users.require(victim.userId)).locked, true);
          await check(page, `${name}-user-locked`, axe);

          // The locked user cannot sign in (the answer a wrong password gets).
          const theirs = await browser.newContext({ viewport, locale });
          const theirPage = await theirs.newPage();
          try {
            await theirPage.goto(`${base}/login`);
            await signIn(theirPage, victim.account, victim.password);
            await theirPage.locator('#login-error').waitFor();
            await theirPage.goto(`${base}/`);
            assert.equal(await theirPage.locator('#signed-in').count(), 0);
          } finally {
            await theirs.close();
          }

          await page.click('nav.sections a[href="/admin/developers"]');
          await page.locator('#roles').waitFor();
          await check(page, `${name}-developers`, axe);
          await page.click('nav.sections a[href="/admin/apps"]');
          await page.locator('#apps').waitFor();
          await check(page, `${name}-apps`, axe);

          await page.click('nav.sections a[href="/admin/audit"]');
          await page.fill('#f-kind', 'user.locked');
          await page.fill('#f-subject', victim.userId);
          await page.click('#audit-filters button[type=submit]');
          await page.waitForURL(/kind=user.locked/);
          const rows = page.locator('#events tbody tr');
          assert.equal(await rows.count(), 1);
          assert.equal(await rows.first().getAttribute('data-type'), 'user.locked');
          assert.match((await rows.first().textContent()) ?? '', new RegExp(`${admin.userId}.*${victim.userId}`));
          await check(page, `${name}-audit`, axe);

          const [download] = await Promise.all([page.waitForEvent('download'), page.click('#audit-csv')]);
          assert.equal(download.suggestedFilename(), 'opal-audit.csv');
          const records = parse(readFileSync(await download.path(), 'utf8'), { columns: true }) as Array<Record<string, string>>;
          assert.equal(records.length, 1);
          assert.equal(records[0]?.type, 'user.locked');
          assert.equal(records[0]?.actor, admin.userId);
          assert.equal(records[0]?.subject, victim.userId);
          assert.match(records[0]?.time ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        } finally {
          await context.close();
        }
      });
    }
  }
});
