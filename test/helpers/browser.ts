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

/** Desktop and phone (390 px wide) viewports of the page tests. */
export const VIEWPORTS = { desktop: { width: 1280, height: 800 }, mobile: { width: 390, height: 844 } } as const;

/**
 * A page check for `shotsDir`: photographs the page (`<name>.png`, full page), asserts that axe-core
 * finds no serious or critical violation and that nothing is wider than the viewport.
 */
export function pageChecker(shotsDir: string): (page: Page, name: string) => Promise<void> {
  return async (page, name) => {
    await page.screenshot({ path: join(shotsDir, `${name}.png`), fullPage: true });
    const r = await new AxeBuilder({ page }).analyze();
    const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(
      bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      [],
      `${name}: axe violations`,
    );
    // Good at 390 px: nothing wider than the viewport.
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    assert.ok(Number(overflow) <= 0, `${name}: ${overflow}px wider than the viewport`);
  };
}
