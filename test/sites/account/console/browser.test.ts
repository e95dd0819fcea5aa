// The developer console and the OAuth playground in real Chromium, at desktop size and at 390×844,
// in English and Chinese: a developer signs in, creates an app in the console (the redirect URIs
// checked live by the page's script), then completes a real sign-in with it through the playground
// (authorize → consent → code → exchange → each open API MAC-signed, verified by the server); the
// authorize error page explains a bad redirect_uri to them. And the first-start banner's "try" link
// of a real `opal serve` ends on the playground with a code. Every page is checked by axe-core and
// photographed into test-artifacts/console/ (listed in docs/console.md).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { axeVariant, browserSkip, launchBrowser, type TestBrowser } from '../../../helpers/browser.ts';
import { tmpDir } from '../../../helpers/env.ts';
import { type OpalProcess, spawnOpal } from '../../../helpers/opal-cli.ts';
import { ARTIFACTS, checkPage, LOCALES, pageSuite, VIEWPORTS } from '../../../helpers/page-check.ts';

const SHOTS = join(ARTIFACTS, 'console');
const PASSWORD = 'console-Browser-pass-42';
const APIS = ['/user/profile', '/user/openIdV2', '/user/phoneAndEmail', '/user/relation'];
const check = (page: Page, name: string, axe: boolean) => checkPage(page, SHOTS, name, { axe });

/** On a playground run page: every open-API call answered `ok`. */
async function assertCallsOk(page: Page): Promise<void> {
  const calls = page.locator('section.api-call');
  assert.deepEqual(await calls.evaluateAll((els) => els.map((e) => e.getAttribute('data-path'))), APIS);
  for (const r of await page.locator('section.api-call pre.response').allTextContents()) {
    assert.equal((JSON.parse(r) as { result: string }).result, 'ok', r);
  }
  assert.match((await page.locator('#raw-body').textContent()) ?? '', /^&&&START&&&\{.*"mac_key":/);
}

describe('developer console and playground in Chromium', { skip: browserSkip }, () => {
  const suite = pageSuite(SHOTS);

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    for (const locale of LOCALES) {
      test(`${size} ${locale}: create an app in the console, sign in with it through the playground`, async () => {
        const name = `${size}-${locale}`;
        const axe = axeVariant(size, locale);
        const account = `dev-${size}-${locale === 'en' ? 'en' : 'zh'}`;
        await suite.t.ctx.services.admin.createUser(
          {
            account,
            password: PASSWORD,
            nickname: account,
            phone: `139${String(Object.keys(VIEWPORTS).indexOf(size))}${String(LOCALES.indexOf(locale))}000000`,
            role: 'developer',
          },
          { actor: 'test' },
        );
        const context = await suite.b.browser.newContext({ viewport, locale });
        const page = await context.newPage();
        const base = suite.t.accountUrl;
        try {
          await page.goto(`${base}/console`);
          await page.waitForURL(/\/login\?/);
          await page.fill('#account', account);
          await page.fill('#password', PASSWORD);
          await page.click('button[type=submit]');
          await page.waitForURL(`${base}/console`);
          assert.equal(await page.locator('html').getAttribute('lang'), locale);
          await check(page, `${name}-console`, axe);

          // Create an app; the redirect check runs as the fields change.
          const callback = `${base}/playground/callback`;
          await page.fill('#name', `App ${name}`);
          await page.fill('#redirectUris', callback);
          for (const s of [2, 3, 4]) await page.locator(`input[name="scope_${s}"]`).check();
          await page.locator('input[name="flag_requireMac"]').check();
          await page.fill('#test-uri', `${callback}/deeper?x=1`);
          await page.locator('#test-result p[data-matches="true"]').waitFor();
          await page.fill('#test-uri', 'http://evil.example/playground/callback');
          await page.locator('#test-result p[data-matches="false"]').waitFor();
          assert.equal(await page.locator('#test-result li[data-rule="port"]').count(), 1);
          await check(page, `${name}-console-create`, axe);
          await page.click('#create-app button[type=submit]');
          await page.waitForURL(/\/console\/apps\/\d+\?shown=/);
          const clientId = (await page.locator('#client-id').textContent()) ?? '';
          const secret = (await page.locator('#client-secret').textContent()) ?? '';
          assert.equal(await suite.t.ctx.services.apps.verifySecret(clientId, secret), true);
          await check(page, `${name}-console-app`, axe);

          // The playground: authorize with PKCE, consent, code, exchange, open APIs.
          await page.goto(`${base}/playground?app=${clientId}`);
          await page.locator('input[name="pkce"][value="S256"]').check();
          for (const s of [2, 4]) await page.locator(`input[name="scope_${s}"]`).check();
          await check(page, `${name}-playground`, axe);
          await page.click('#playground-start button[type=submit]');
          await page.waitForURL(/\/oauth2\/authorize\?/);
          await check(page, `${name}-consent`, axe);
          await page.click('button[value=allow]');
          await page.waitForURL(/\/playground\/callback\?code=/);
          assert.match((await page.locator('#code').textContent()) ?? '', /^\S{20,}$/);
          await check(page, `${name}-playground-callback`, axe);
          await page.locator('input[name="method"][value="POST"]').check();
          await page.click('#exchange button[type=submit]');
          await page.waitForURL(/\/playground\/runs\//);
          await assertCallsOk(page);
          assert.match((await page.locator('#token-request').textContent()) ?? '', /^POST \/oauth2\/token/);
          await check(page, `${name}-playground-run`, axe);

          // Item 8: the app's developer sees why a redirect_uri was refused.
          const bad = new URLSearchParams({
            client_id: clientId,
            response_type: 'code',
            redirect_uri: 'https://evil.example/cb',
            scope: '1',
          });
          await page.goto(`${base}/oauth2/authorize?${bad}`);
          assert.equal(await page.locator('#redirect-received').textContent(), 'https://evil.example/cb');
          await check(page, `${name}-authorize-redirect-explained`, axe);

          // The app page now shows the usage counted by the server.
          await page.goto(`${base}/console/apps/${clientId}`);
          assert.ok((await page.locator('#usage tbody tr').count()) >= 2 + APIS.length);
          await check(page, `${name}-console-app-usage`, axe);
          await page.click(`a[href="/console/apps/${clientId}/bindings"]`);
          await page.selectOption('#provider', 'QQ');
          await page.fill('#oauthAppId', '101234');
          await page.click('#add-binding button[type=submit]');
          await page.locator('#bindings code', { hasText: '101234' }).waitFor();
          await check(page, `${name}-console-bindings`, axe);
          await page.goto(`${base}/console/apps/${clientId}/passes`);
          await page.fill('#title', 'Gold card');
          await page.click('#create-plan button[type=submit]');
          await page.locator('#plans').waitFor();
          await page.fill('#user', account);
          await page.fill('#passCode', 'G-1');
          await page.click('#issue-pass button[type=submit]');
          await page.locator('#passes tbody tr').waitFor();
          await check(page, `${name}-console-passes`, axe);
          await page.goto(
            `${base}/console/redirect-check?uri=${encodeURIComponent('ftp://x.example/')}&registered=${encodeURIComponent(callback)}`,
          );
          await check(page, `${name}-redirect-check`, axe);
        } finally {
          await context.close();
        }
      });
    }
  }
});

describe('the first-start banner in Chromium', { skip: browserSkip }, () => {
  const dir = tmpDir('opal-try-');
  let p: OpalProcess;
  let b: TestBrowser;
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    p = spawnOpal(['serve'], { OPAL_DATA_DIR: dir.path, OPAL_PORT: '0', OPAL_FDS_PORT: '0' });
    b = await launchBrowser();
  });
  after(async () => {
    await b?.close();
    p?.kill();
    await p?.exited;
    dir.remove();
  });

  test('the "try" link signs in as the demo user and ends on the playground with a code', async () => {
    const tryUrl = (await p.waitFor(/^ {2}try:\s+(http\S+)$/, 60_000, 'stderr')).match[1] ?? '';
    const page = await b.context.newPage();
    await page.goto(tryUrl);
    await page.waitForURL(/\/login\?/);
    await page.fill('#account', 'demo');
    await page.fill('#password', 'opal-demo');
    await page.click('button[type=submit]');
    await page.waitForURL(/\/oauth2\/authorize\?/);
    await page.click('button[value=allow]');
    await page.waitForURL(/\/playground\/callback\?/);
    assert.match((await page.locator('#code').textContent()) ?? '', /^\S{20,}$/);
    await check(page, 'try-link-callback', true);
    await page.click('#exchange button[type=submit]');
    await page.waitForURL(/\/playground\/runs\//);
    await assertCallsOk(page);
    await check(page, 'try-link-run', true);
  });
});
