// Issue 11, finding 1 (CSRF cookie tossing), in real Chromium. The FDS origin (same host, other
// port) is the same *site* as the account origin, and so is any other server on that host. An
// attacker who can put a page there gets the anonymous form cookies and token of the login page
// for themselves, then has the victim's browser run a page that plants those cookies with
// `path=/oauth2/authorize` (the longer path is sent first) and auto-submits the consent form for
// the attacker's app with every scope. No code may reach the attacker's redirect URI, and no grant
// may be made. Before the fix, both attacks below got a code.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSkip, launchBrowser, type TestBrowser } from '../../../helpers/browser.ts';
import { startTestServer, type TestServer } from '../../../helpers/env.ts';
import { SdkClient } from '../../../helpers/fds-sdk.ts';
import { type SeededUser, seedApp, seedFdsKey, seedUser } from '../../../helpers/seed.ts';

const ALL_SCOPES = [1, 2, 3, 4, 6, 16000];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** What the attacker prepares with their own browser: the login page's cookies and form token. */
async function attackerMaterial(accountUrl: string): Promise<{ cookies: string[]; csrf: string }> {
  const r = await fetch(`${accountUrl}/login`);
  const html = await r.text();
  const csrf = /name="csrf" value="([^"]*)"/.exec(html)?.[1] ?? '';
  const cookies = r.headers.getSetCookie().map((c) => c.split(';')[0] ?? '');
  return { cookies, csrf };
}

/** The attack page: toss the cookies on the consent path, then submit "allow" for the attacker's app. */
function attackPage(accountUrl: string, material: { cookies: string[]; csrf: string }, request: string, uid: string): string {
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>cat pictures</title>
<form id="f" method="post" action="${esc(accountUrl)}/oauth2/authorize/decision">
<input type="hidden" name="csrf" value="${esc(material.csrf)}">
<input type="hidden" name="request" value="${esc(request)}">
<input type="hidden" name="uid" value="${esc(uid)}">
<input type="hidden" name="decision" value="allow">
</form>
<script>
try { for (const c of ${JSON.stringify(material.cookies)}) document.cookie = c + '; path=/oauth2/authorize'; } catch (e) {}
document.getElementById('f').submit();
</script></html>`;
}

describe('CSRF cookie tossing from a same-site origin', { skip: browserSkip }, () => {
  let t: TestServer;
  let b: TestBrowser;
  let cb: Server;
  let cbBase = '';
  const hits: string[] = [];

  before(async () => {
    cb = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/plain' }).end('attacker callback');
    });
    await new Promise<void>((r) => cb.listen(0, '127.0.0.1', r));
    cbBase = `http://127.0.0.1:${(cb.address() as AddressInfo).port}`;
    t = await startTestServer();
    b = await launchBrowser();
  });
  after(async () => {
    await b?.close();
    await t?.close();
    await new Promise((r) => cb.close(r));
  });

  /** A victim signed in on the account origin, in a browser context (cookie jar) of their own. */
  async function signedInVictim(): Promise<{ victim: SeededUser; page: Page }> {
    hits.length = 0;
    const victim = await seedUser(t.ctx, { password: 'victim-password-1' });
    const page = await (await b.browser.newContext()).newPage();
    await page.goto(`${t.accountUrl}/login`);
    await page.fill('#account', victim.account);
    await page.fill('#password', victim.password);
    await Promise.all([page.waitForURL(`${t.accountUrl}/login`), page.click('button[type=submit]')]);
    assert.equal(await page.locator('form[action="/logout"]').count(), 1, 'the victim is signed in');
    return { victim, page };
  }

  async function attackerApp(developer: string): Promise<{ clientId: string; request: string }> {
    const app = await seedApp(t.ctx, { name: 'Innocent Cats', redirectUris: `${cbBase}/cb`, scopes: ALL_SCOPES, developer });
    const request = new URLSearchParams({
      client_id: app.clientId,
      response_type: 'code',
      redirect_uri: `${cbBase}/cb`,
      scope: ALL_SCOPES.join(' '),
      state: 'pwned',
    }).toString();
    return { clientId: app.clientId, request };
  }

  /** Where the attack ends when it gets that far: the attacker's callback or the consent post's answer. */
  const landed = (u: URL) => u.origin === cbBase || u.href === `${t.accountUrl}/oauth2/authorize/decision`;

  async function assertNothingIssued(victim: SeededUser, clientId: string): Promise<void> {
    assert.deepEqual(
      hits.filter((h) => h.includes('code=')),
      [],
      'no authorization code reached the attacker',
    );
    assert.equal(await t.ctx.services.oauth.getGrant(victim.userId, clientId), undefined, 'no grant was made');
  }

  /** A developer `developer` publishes the attack page as a public text/html object; returns its URL. */
  async function publishAttack(developer: string, bucket: string, victim: SeededUser, website = false) {
    const key = await seedFdsKey(t.ctx, developer);
    const { clientId, request } = await attackerApp(developer);
    const dev = new SdkClient(t.fdsUrl, key);
    await dev.ok('PUT', `/${bucket}`);
    if (website) await dev.ok('PUT', `/${bucket}?website=`, { body: JSON.stringify({ indexDocument: 'index.html' }) });
    const html = attackPage(t.accountUrl, await attackerMaterial(t.accountUrl), request, victim.userId);
    await dev.ok('PUT', `/${bucket}/index.html`, { body: html, headers: { 'content-type': 'text/html; charset=utf-8' } });
    await dev.ok('PUT', `/${bucket}/index.html?acl=true`, {
      body: JSON.stringify({ accessControlList: [{ grantee: { id: 'ALL_USERS' }, permission: 'READ', type: 'GROUP' }] }),
    });
    return { clientId, url: `${t.fdsUrl}/${bucket}/index.html` };
  }

  test('a public text/html object on the FDS origin cannot consent for the victim', async () => {
    const { victim, page } = await signedInVictim();
    const { clientId, url } = await publishAttack('mallory', 'cats', victim);

    // Whatever stops it (the page not rendered as a page, its script not run, the post refused),
    // the browser ends on a download, the account origin or the attacker's callback.
    const settled = Promise.race([
      page.waitForEvent('download').then(() => 'download'),
      page
        .waitForURL(landed)
        // A download aborts the navigation: then only the download event answers.
        .then(
          () => new URL(page.url()).origin,
          () => new Promise<string>(() => undefined),
        ),
    ]);
    await page.goto(url).catch(() => undefined);
    const outcome = await settled;
    await assertNothingIssued(victim, clientId);
    assert.equal(outcome, 'download', 'the FDS origin serves the page as an attachment');
    await page.context().close();
  });

  test('a bucket that opts in to showing HTML (website configuration) runs the script sandboxed: still nothing', async () => {
    const { victim, page } = await signedInVictim();
    const { clientId, url } = await publishAttack('mallory-3', 'cat-site', victim, true);
    // The script runs (in an opaque origin: it cannot plant cookies) and posts the form, which
    // arrives with Origin: null and without the session cookie, and is refused.
    await Promise.all([page.waitForURL(landed), page.goto(url)]);
    await page.waitForLoadState();
    await assertNothingIssued(victim, clientId);
    assert.match(await page.content(), /This form was sent from another site/, 'the account origin refused the post');
    await page.context().close();
  });

  test('a page of any other server on the same host cannot consent for the victim', async () => {
    const { victim, page } = await signedInVictim();
    const { clientId, request } = await attackerApp('mallory-2');
    const html = attackPage(t.accountUrl, await attackerMaterial(t.accountUrl), request, victim.userId);
    const sibling = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html));
    await new Promise<void>((r) => sibling.listen(0, '127.0.0.1', r));
    try {
      const siblingUrl = `http://127.0.0.1:${(sibling.address() as AddressInfo).port}`;
      await Promise.all([page.waitForURL(landed), page.goto(`${siblingUrl}/`)]);
      await page.waitForLoadState();
      await assertNothingIssued(victim, clientId);
      assert.match(await page.content(), /This form was sent from another site/, 'the account origin refused the post');
    } finally {
      await new Promise((r) => sibling.close(r));
      await page.context().close();
    }
  });
});
