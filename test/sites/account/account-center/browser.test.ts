// Every account-center section in real Chromium, at 1280×800 and 390×844, in English and Chinese:
// profile (nickname, avatar upload seen at every size URL /user/profile gives apps, e-mail change
// with the code from the developer outbox), password, sessions (signing out another browser and
// all others), authorized apps (revoking one, after which its MAC-signed /user/profile fails with
// the revoked-token error at once), friends (a request, accepted in a second browser; a request to
// a name no account holds answers the same), passes (QR code), storage tokens, the security log.
// Every page is checked by axe-core and photographed into test-artifacts/account-center/.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { axeVariant, browserSkip, checkPage, launchBrowser, type TestBrowser } from '../../../helpers/browser.ts';
import { startTestServer, type TestServer, tmpDir } from '../../../helpers/env.ts';
import { hidden, Jar } from '../../../helpers/oauth.ts';
import { canon, hmacB64, javaEnc, javaNonce, type OpenResponse, rawCall } from '../../../helpers/open-api.ts';
import { mint, seedApp, seedUser } from '../../../helpers/seed.ts';

const SHOTS = join(import.meta.dirname, '../../../../test-artifacts/account-center');
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, mobile: { width: 390, height: 844 } } as const;
const LOCALES = ['en', 'zh-CN'] as const;
const PASSWORD = 'velvet-Harbor-62-quartz';
const check = (page: Page, name: string, axe: boolean) => checkPage(page, SHOTS, name, { axe });

/**
 * Opens a section from the menu and waits until its page has loaded: the click only starts the
 * navigation, and a list read right after it was once read from the page before (empty, under load).
 */
async function openSection(page: Page, section: string): Promise<void> {
  await page.click(`nav.sections a[href="/account/${section}"]`);
  await page.waitForURL(new RegExp(`/account/${section}(?:[?#]|$)`));
}

/** /user/profile signed with the token's MAC key, as the official SDKs call it. */
function macProfile(base: string, clientId: string, token: string, macKey: string): Promise<OpenResponse> {
  const q = `clientId=${clientId}&token=${token}`;
  const nonce = javaNonce();
  const mac = hmacB64(macKey, canon(nonce, 'GET', 'open.account.xiaomi.com', '/user/profile', q));
  return rawCall(base, `/user/profile?${q}`, {
    headers: { authorization: `MAC access_token="${token}", nonce="${javaEnc(nonce)}",mac="${javaEnc(mac)}"` },
  });
}

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

/** Signs `jar` in as an iPhone's Safari would (the session remembers the User-Agent of its sign-in). */
async function phoneLogin(jar: Jar, account: string): Promise<void> {
  const headers = { 'user-agent': IPHONE };
  const csrf = hidden(await (await jar.fetch('/login', { headers })).text(), 'csrf');
  const r = await jar.fetch('/login', { method: 'POST', headers, form: { csrf, return_to: '/account', account, password: PASSWORD } });
  assert.equal(r.status, 303);
}

/** Submits the form of the list item holding `text` (its only button). */
async function clickIn(page: Page, list: string, text: string): Promise<void> {
  await page.locator(`${list} > li`, { hasText: text }).locator('button').click();
}

describe('account center in Chromium', { skip: browserSkip }, () => {
  let t: TestServer;
  let b: TestBrowser;
  const files = tmpDir('opal-avatar-');
  let image = '';
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    t = await startTestServer({ env: { OPAL_BRAND_NAME: 'Acme ID' } });
    b = await launchBrowser();
    image = join(files.path, 'me.png');
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="500" height="400"><rect width="500" height="400" fill="#1d4ed8"/><circle cx="250" cy="200" r="120" fill="#facc15"/></svg>';
    writeFileSync(image, await sharp(Buffer.from(svg)).png().toBuffer());
  });
  after(async () => {
    await b?.close();
    await t?.close();
    files.remove();
  });

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    for (const locale of LOCALES) {
      test(`${size} ${locale}: every section of the account center`, async () => {
        const name = `${size}-${locale}`;
        const axe = axeVariant(size, locale);
        const ctx = t.ctx;
        const base = t.accountUrl;
        const user = await seedUser(ctx, { password: PASSWORD, nickname: `Dana ${name}`, email: `dana-${name}@example.com` });
        const friend = await seedUser(ctx, { nickname: 'Friend', password: PASSWORD });
        const { clientId } = await seedApp(ctx, { name: `Photo Printer ${name}`, scopes: [1, 3, 6] });
        const token = await mint(ctx, clientId, user.userId, [1, 3, 6]);
        const plan = await ctx.services.passbook.createPlan({ clientId, title: 'Coffee card' });
        await ctx.services.passbook.issue({ clientId, planId: plan.planId, user: user.userId, passCode: `CAFE-${size}-${locale}` });
        await ctx.services.storageTokens.issueServiceToken(user.userId, '127.0.0.1');
        const phone = new Jar(base);
        await phoneLogin(phone, user.account);

        const context = await b.browser.newContext({ viewport, locale });
        const page = await context.newPage();
        try {
          // Signed out: /account goes to sign-in and comes back.
          await page.goto(`${base}/account`);
          await page.waitForURL(/\/login\?return_to=%2Faccount/);
          await page.fill('#account', user.account);
          await page.fill('#password', PASSWORD);
          await page.click('button[type=submit]');
          await page.waitForURL(`${base}/account`);
          assert.equal(await page.locator('html').getAttribute('lang'), locale);
          assert.match((await page.locator('#overview-hello').textContent()) ?? '', new RegExp(user.account));
          assert.equal(
            await page.locator('nav.sections a[href="/account/factors"]').textContent(),
            locale === 'en' ? 'Second factors' : '两步验证',
          );
          await check(page, `${name}-overview`, axe);

          // Profile: nickname, avatar, e-mail change by code.
          await openSection(page, 'profile');
          await check(page, `${name}-profile`, axe);
          await page.fill('#nickname', `Dana the ${size}`);
          await page.click('form[action="/account/profile"] button');
          await page.locator('#account-notice').waitFor();
          assert.equal((await ctx.services.users.get(user.userId))?.nickname, `Dana the ${size}`);
          await page.setInputFiles('#avatar', image);
          await page.click('form[action="/account/avatar"] button');
          await page.waitForURL(/done=avatar/);
          await check(page, `${name}-profile-avatar`, axe);
          const urls = (await page.evaluate(`[...document.querySelectorAll('#avatar-sizes a')].map((a) => a.href)`)) as string[];
          assert.equal(urls.length, 6);
          // Each URL loads as an image of its size in the browser.
          const widths = await page.evaluate(
            `Promise.all(${JSON.stringify(urls)}.map((u) => new Promise((ok, fail) => {
              const img = new Image(); img.onload = () => ok(img.naturalWidth); img.onerror = () => fail(new Error(u)); img.src = u;
            })))`,
          );
          assert.deepEqual(widths, [320, 75, 90, 120, 320, 400]);
          const profile = await macProfile(base, clientId, token.accessToken, token.macKey);
          assert.equal(profile.json.code, 0, profile.text);
          const data = profile.json.data ?? {};
          assert.deepEqual(
            ['miliaoIcon', 'miliaoIcon_75', 'miliaoIcon_90', 'miliaoIcon_120', 'miliaoIcon_320', 'miliaoIcon_orig'].map((k) => data[k]),
            urls,
            '/user/profile gives apps the same URLs',
          );
          assert.equal(data.miliaoNick, `Dana the ${size}`);
          await page.goto(urls[3] ?? '');
          await page.screenshot({ path: join(SHOTS, `${name}-avatar-120.png`) });
          await page.goto(`${base}/account/profile`);
          const newEmail = `dana-new-${name}@example.com`;
          await page.fill('#email', newEmail);
          await page.fill('#email-current', PASSWORD);
          await page.click('form[action="/account/contact"] button >> nth=0');
          await page.locator('#contact-pending').waitFor();
          await check(page, `${name}-profile-code`, axe);
          // The message is sent in the background: look until it is in the outbox.
          let code = '';
          for (let i = 0; i < 50 && !code; i++) {
            await page.goto(`${base}/dev/outbox`);
            const text =
              (await page
                .locator(`article[data-to="${newEmail}"] pre`)
                .first()
                .textContent({ timeout: 100 })
                .catch(() => '')) ?? '';
            code = /\b(\d{6})\b/.exec(text)?.[1] ?? '';
          }
          assert.match(code, /^\d{6}$/);
          await page.goto(`${base}/account/profile`);
          await page.fill('#code', code);
          await page.click('form[action="/account/contact/confirm"] button');
          await page.waitForURL(/done=contact/);
          assert.equal((await ctx.services.users.get(user.userId))?.email, newEmail);

          // Sessions: the phone's session is listed with its device; sign it out.
          await openSection(page, 'sessions');
          assert.equal(await page.locator('#sessions > li').count(), 2);
          assert.match((await page.locator('#sessions').textContent()) ?? '', /Mobile Safari 17 · iOS 17/);
          await check(page, `${name}-sessions`, axe);
          await clickIn(page, '#sessions', 'iOS');
          await page.waitForURL(/done=session/);
          assert.equal(await page.locator('#sessions > li').count(), 1);
          assert.equal((await phone.fetch('/account')).status, 303, 'the phone is signed out');
          await phoneLogin(phone, user.account);
          await page.reload();
          await page.click('#end-others');
          await page.waitForURL(/done=sessions&count=1/);
          await check(page, `${name}-sessions-ended`, axe);
          assert.equal((await phone.fetch('/account')).status, 303);

          // Authorized apps: scopes in words; revoking stops the token at once.
          await openSection(page, 'apps');
          const app = page.locator('#apps > li', { hasText: `Photo Printer ${name}` });
          assert.match((await app.textContent()) ?? '', locale === 'en' ? /See your email address/ : /获取您的邮箱地址/);
          await check(page, `${name}-apps`, axe);
          await clickIn(page, '#apps', `Photo Printer ${name}`);
          await page.waitForURL(/done=app/);
          const revoked = await macProfile(base, clientId, token.accessToken, token.macKey);
          assert.equal(revoked.status, 403, revoked.text);
          assert.equal(revoked.text, '{"result":"error","code":96008,"description":"token invalid or expired"}');
          await check(page, `${name}-apps-revoked`, axe);

          // Friends: a request by account name answers the same for a name no account holds;
          // the other side (in its own browser) accepts; both then list each other; remove.
          await openSection(page, 'friends');
          await page.fill('#friend', `nobody-${name}`);
          await page.click('form[action="/account/friends/request"] button');
          await page.waitForURL(/\/account\/friends\?done=friendRequested$/);
          const unknownNotice = await page.locator('#account-notice').textContent();
          await clickIn(page, '#outgoing', `nobody-${name}`);
          await page.waitForURL(/done=requestCancelled/);
          await page.fill('#friend', friend.account);
          await page.click('form[action="/account/friends/request"] button');
          await page.waitForURL(/\/account\/friends\?done=friendRequested$/);
          assert.equal(await page.locator('#account-notice').textContent(), unknownNotice);
          assert.equal(await page.locator('#outgoing > li', { hasText: friend.account }).count(), 1);
          assert.deepEqual(await ctx.services.friends.list(user.userId), []);
          await check(page, `${name}-friends-requested`, axe);
          const other = await b.browser.newContext({ viewport, locale });
          try {
            const them = await other.newPage();
            await them.goto(`${base}/login?return_to=%2Faccount%2Ffriends`);
            await them.fill('#account', friend.account);
            await them.fill('#password', PASSWORD);
            await them.click('button[type=submit]');
            await them.waitForURL(`${base}/account/friends`);
            const asked = them.locator('#incoming > li', { hasText: user.account });
            assert.equal(await asked.count(), 1);
            await check(them, `${name}-friends-incoming`, axe);
            await asked.locator('form[action="/account/friends/accept"] button').click();
            await them.waitForURL(/done=friendAccepted/);
            assert.equal(await them.locator('#incoming').count(), 0);
            assert.equal(await them.locator('#friends > li', { hasText: user.account }).count(), 1);
          } finally {
            await other.close();
          }
          await page.reload();
          assert.equal(await page.locator('#friends > li', { hasText: friend.account }).count(), 1);
          assert.equal(await page.locator('#outgoing').count(), 0);
          assert.deepEqual(await ctx.services.friends.list(user.userId), [friend.userId]);
          assert.deepEqual(await ctx.services.friends.list(friend.userId), [user.userId]);
          await check(page, `${name}-friends`, axe);
          await clickIn(page, '#friends', friend.account);
          await page.waitForURL(/done=friendRemoved/);
          assert.deepEqual(await ctx.services.friends.list(user.userId), []);
          assert.deepEqual(await ctx.services.friends.list(friend.userId), []);

          // Passes: the code and its QR code.
          await openSection(page, 'passes');
          assert.equal(await page.locator('#passes .qr svg').count(), 1);
          assert.match((await page.locator('#passes').textContent()) ?? '', new RegExp(`CAFE-${size}-${locale}`));
          await check(page, `${name}-passes`, axe);

          // Storage tokens: list and revoke.
          await openSection(page, 'storage');
          assert.equal(await page.locator('#storage-tokens > li').count(), 1);
          await check(page, `${name}-storage`, axe);
          await page.locator('#storage-tokens > li button').click();
          await page.waitForURL(/done=storage/);
          assert.equal(await page.locator('#storage-tokens > li').count(), 0);

          // Password: a wrong current password is told; the right one changes it.
          await openSection(page, 'password');
          await check(page, `${name}-password`, axe);
          await page.fill('#current', 'not-my-password');
          await page.fill('#password', 'copper-Meadow-47-falcon');
          await page.click('form[action="/account/password"] button');
          await page.locator('#account-error').waitFor();
          await check(page, `${name}-password-wrong`, axe);
          await page.fill('#current', PASSWORD);
          await page.fill('#password', 'copper-Meadow-47-falcon');
          await page.click('form[action="/account/password"] button');
          await page.waitForURL(/done=password/);
          assert.ok(await ctx.services.users.verifyPassword(user.userId, 'copper-Meadow-47-falcon'));

          // The security log shows what happened.
          await openSection(page, 'log');
          const types = (await page.evaluate(
            `[...document.querySelectorAll('#security-log > li')].map((li) => li.dataset.type)`,
          )) as string[];
          for (const type of [
            'login',
            'oauth.grant.revoke',
            'user.password_set',
            'account.email_changed',
            'account.avatar_set',
            'friend.accept',
          ]) {
            assert.ok(types.includes(type), `${type} in ${types.join(', ')}`);
          }
          await check(page, `${name}-log`, axe);
        } finally {
          await context.close();
        }
      });
    }
  }
});
