// The served API description: /openapi.json on each origin holds exactly that origin's operations
// of docs/openapi.json with the origin's public URL as server; /docs (account origin) renders the
// description with Redoc served from this origin in real Chromium under a self-only CSP (no
// request leaves the origin, no CSP violation), checked by axe-core and photographed into
// test-artifacts/api-docs/ (not committed); the OAuth and OIDC metadata point at /docs.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import { describeOrigin } from '../../src/http/api-docs.ts';
import { browserSkip, launchBrowser } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/env.ts';

type Json = Record<string, unknown>;
const DOC = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')) as Json;
const SHOTS = join(import.meta.dirname, '../../test-artifacts/api-docs');

describe('served API description', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t?.close();
  });

  test('/openapi.json on each origin: that origin only, its public URL as server', async () => {
    const got: Record<string, Json> = {};
    for (const [site, url] of [
      ['account', t.accountUrl],
      ['fds', t.fdsUrl],
    ] as const) {
      const r = await fetch(`${url}/openapi.json`);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      const doc = (await r.json()) as Json;
      assert.equal(doc.openapi, '3.1.0');
      assert.deepEqual(
        (doc.servers as Json[]).map((s) => s.url),
        [site === 'account' ? t.config.publicUrl : t.config.fdsPublicUrl],
      );
      got[site] = doc;
    }
    const paths = (site: string) => Object.keys(got[site]?.paths as Json);
    for (const p of ['/oauth2/token', '/user/profile', '/app/get_pass', '/docs', '/openapi.json', '/healthz'])
      assert.ok(paths('account').includes(p), p);
    assert.deepEqual(paths('fds').sort(), ['/', '/healthz', '/metrics', '/openapi.json', '/readyz', '/{bucket}', '/{bucket}/{object}']);
    assert.ok(!paths('account').includes('/{bucket}'));
    // `/` is both the FDS service root and the account home page: each origin keeps only its own operations.
    const root = (site: string) => Object.keys((got[site]?.paths as Record<string, Json> | undefined)?.['/'] ?? {});
    assert.ok(root('fds').includes('put') && !root('account').includes('put'));
    // No operation lost or invented: the two cut-downs together are the whole document.
    const ops = (doc: Json) =>
      Object.entries(doc.paths as Record<string, Json>).flatMap(([p, item]) =>
        Object.keys(item)
          .filter((k) => ['get', 'put', 'post', 'delete', 'head', 'options', 'patch'].includes(k))
          .map((m) => `${m} ${p}`),
      );
    const union = new Set([...ops(got.account as Json), ...ops(got.fds as Json)]);
    assert.deepEqual([...union].sort(), [...new Set(ops(DOC))].sort());
    assert.deepEqual(got.account, JSON.parse(JSON.stringify(describeOrigin('account', t.config.publicUrl))));
  });

  test('FDS: `openapi.json` is a reserved bucket name, and /docs stays an FDS path', async () => {
    const r = await fetch(`${t.fdsUrl}/docs`);
    assert.notEqual(r.headers.get('content-type')?.startsWith('text/html'), true);
    await r.arrayBuffer();
    const { checkBucketName } = await import('../../src/core/fds/names.ts');
    assert.throws(() => checkBucketName('openapi.json'), /Invalid Bucket Name|InvalidBucketName/);
  });

  test('OAuth and OpenID Connect metadata: service_documentation is /docs', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const m = (await (await fetch(`${t.accountUrl}${path}`)).json()) as Json;
      assert.equal(m.service_documentation, `${t.config.publicUrl}/docs`, path);
    }
  });

  test('/docs: HTML with a self-only CSP and no inline script', async () => {
    const r = await fetch(`${t.accountUrl}/docs`);
    assert.equal(r.status, 200);
    const csp = r.headers.get('content-security-policy') ?? '';
    for (const directive of csp.split(';').map((d) => d.trim())) {
      const sources = directive.split(/\s+/).slice(1);
      for (const s of sources) assert.ok(["'self'", "'none'", "'unsafe-inline'", 'data:', 'blob:'].includes(s), `${directive}: ${s}`);
    }
    assert.match(csp, /script-src 'self';/);
    const html = await r.text();
    assert.doesNotMatch(html, /<script>|<script [^>]*>[^<]/, 'no inline script');
    assert.doesNotMatch(html, /https?:\/\//, 'no absolute URL (no CDN)');
    for (const [path, type] of [
      ['/docs/api-docs.js', /^text\/javascript/],
      ['/docs/api-docs.css', /^text\/css/],
    ] as const) {
      const r = await fetch(`${t.accountUrl}${path}`);
      assert.equal(r.status, 200, path);
      assert.match(r.headers.get('content-type') ?? '', type);
      assert.ok(html.includes(path), `the page loads ${path}`);
      await r.arrayBuffer();
    }
    const js = await fetch(`${t.accountUrl}/docs/redoc.standalone.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    const code = await js.text();
    assert.ok(code.length > 100_000);
    assert.doesNotMatch(code, /cdn\./, 'nothing from a CDN');
  });

  test('/docs renders in Chromium from this origin alone', { skip: browserSkip }, async () => {
    mkdirSync(SHOTS, { recursive: true });
    const b = await launchBrowser();
    try {
      for (const [name, viewport] of [
        ['desktop', { width: 1280, height: 800 }],
        ['mobile', { width: 390, height: 844 }],
      ] as const) {
        const context = await b.browser.newContext({ viewport });
        const page = await context.newPage();
        const foreign: string[] = [];
        const problems: string[] = [];
        const origin = new URL(t.accountUrl).origin;
        page.on('request', (req) => {
          const u = new URL(req.url());
          if (!['data:', 'blob:'].includes(u.protocol) && u.origin !== origin) foreign.push(req.url());
        });
        page.on('response', (res) => {
          if (res.status() >= 400) problems.push(`${res.status()} ${res.url()}`);
        });
        page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
        page.on('console', (m) => {
          if (m.type() === 'error') problems.push(`console: ${m.text()}`);
        });
        await page.goto(`${t.accountUrl}/docs`);
        await page
          .getByRole('heading', { name: /Opal HTTP API/ })
          .first()
          .waitFor({ timeout: 30_000 });
        await page.getByText('/oauth2/token').first().waitFor({ timeout: 30_000 });
        await page.screenshot({ path: join(SHOTS, `docs-${name}.png`) });
        assert.deepEqual(foreign, [], 'requests to other origins');
        assert.deepEqual(problems, [], 'errors and CSP violations');
        if (name === 'desktop') {
          // axe-core over Redoc's rendering (about 30,000 elements), with Opal's theme and select
          // names (web/templates/api-docs.js): no serious or critical finding at all. The `region`
          // rule is left out: its findings are at most moderate, so it could never fail this check,
          // and over this page it took 27 of axe's 60 s (2026-12-06).
          const axe = await new AxeBuilder({ page })
            .options({ resultTypes: ['violations'] })
            .disableRules(['region'])
            .analyze();
          const bad = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
          writeFileSync(join(SHOTS, 'axe.json'), JSON.stringify(bad, null, 2));
          assert.deepEqual(
            bad.map((v) => `${v.id}: ${v.nodes.length} nodes`),
            [],
            'axe violations',
          );
          // Every select Redoc rendered has a name (the content type and example choosers).
          const unnamed = await page.locator('select:not([aria-label])').count();
          assert.equal(unnamed, 0);
          assert.ok((await page.locator('select[aria-label="Content type"]').count()) > 0);
        }
        await context.close();
      }
    } finally {
      await b.close();
    }
  });
});
