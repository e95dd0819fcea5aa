// Each launch gets a fresh, empty profile (playwright's temporary user-data dir).
// Real Chromium (Debian's /usr/bin/chromium, never a downloaded browser) driven by playwright-core.
// Browser tests skip themselves unless OPAL_TEST_BROWSER names the executable (CI sets it).
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
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
