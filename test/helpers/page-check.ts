import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { checkPage, launchBrowser, type TestBrowser } from './browser.ts';
import { startTestServer, type TestServer } from './env.ts';

export const ARTIFACTS = join(import.meta.dirname, '../../test-artifacts');
export const VIEWPORTS = { desktop: { width: 1280, height: 800 }, mobile: { width: 390, height: 844 } } as const;
export const LOCALES = ['en', 'zh-CN'] as const;
export const PAGE_LOCALES = LOCALES;

export { checkPage };

export interface PageSuite {
  /** The server of the suite (set once `before` ran). */
  readonly t: TestServer;
  readonly b: TestBrowser;
}

/**
 * Registers the suite's before/after: the screenshot folder, a test server (with `opts`) and
 * Chromium, closed afterwards. Call inside `describe`.
 */
export function pageSuite(shots: string, opts: Parameters<typeof startTestServer>[0] = {}): PageSuite {
  const s: { t?: TestServer; b?: TestBrowser } = {};
  before(async () => {
    mkdirSync(shots, { recursive: true });
    s.t = await startTestServer(opts);
    s.b = await launchBrowser();
  });
  after(async () => {
    await s.b?.close();
    await s.t?.close();
  });
  return {
    get t() {
      if (!s.t) throw new Error('pageSuite used before its before hook');
      return s.t;
    },
    get b() {
      if (!s.b) throw new Error('pageSuite used before its before hook');
      return s.b;
    },
  };
}
