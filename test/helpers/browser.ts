// Each launch gets a fresh, empty profile (playwright's temporary user-data dir).
// Real Chromium (Debian's /usr/bin/chromium, never a downloaded browser) driven by playwright-core.
// Browser tests skip themselves unless OPAL_TEST_BROWSER names the executable (CI sets it).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { BROWSER } from './env.ts';

export const browserSkip = BROWSER ? false : 'set OPAL_TEST_BROWSER=/usr/bin/chromium to run browser tests';

export interface TestBrowser {
  browser: Browser;
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  if (!BROWSER) throw new Error('OPAL_TEST_BROWSER is not set');
  const browser = await chromium.launch({
    executablePath: BROWSER,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const context = await browser.newContext();
  return {
    browser,
    context,
    async close() {
      await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
    },
  };
}

/**
 * Whether a suite that goes through every page in each viewport × locale runs axe-core in this
 * variant: desktop in English and the phone in Chinese, so that each locale and each viewport is
 * checked once. axe is most of a browser suite's time (the account center alone, 2026-12-06: 60 s
 * with axe in all four variants, 26 s without), and the other two variants render the same markup;
 * their screenshots and width checks stay.
 */
export const axeVariant = (size: string, locale: string): boolean => (size === 'desktop') === (locale === 'en');

/**
 * `page.screenshot(opts)`, taken once more after a pause when Chromium answers "Unable to capture
 * screenshot": a known, sporadic refusal of CDP's Page.captureScreenshot for full-page captures
 * (microsoft/playwright#32144), seen once here in a CI rehearsal while two browser suites ran at
 * once. Any other error, or a second refusal, fails.
 */
export async function screenshot(page: Page, opts: Parameters<Page['screenshot']>[0]): Promise<void> {
  try {
    await page.screenshot(opts);
  } catch (e) {
    if (!(e instanceof Error) || !e.message.includes('Unable to capture screenshot')) throw e;
    await new Promise((resolve) => setTimeout(resolve, 500));
    await page.screenshot(opts);
  }
}

/**
 * Saves a full-page screenshot of `page` as `<dir>/<name>.png` and checks it: nothing is wider than
 * the viewport (good at 390 px) and, unless `axe` is false, axe-core finds no serious or critical
 * violation.
 */
export async function checkPage(page: Page, dir: string, name: string, opts: { axe?: boolean } = {}): Promise<void> {
  await screenshot(page, { path: join(dir, `${name}.png`), fullPage: true });
  const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  assert.ok(Number(overflow) <= 0, `${name}: ${overflow}px wider than the viewport`);
  if (opts.axe === false) return;
  // Only violations are collected (not the passes and incomplete results, which cost time on big pages).
  const r = await new AxeBuilder({ page }).options({ resultTypes: ['violations'] }).analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `${name}: axe violations`,
  );
}

/** Gives the page Chromium's virtual platform authenticator (CDP WebAuthn), user-verifying and always present. */
export async function addVirtualAuthenticator(context: BrowserContext, page: Page): Promise<void> {
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
}
