// Password recovery over HTTP: the e-mail link and the SMS code through the developer outbox; the
// reset signs out every session and revokes refresh tokens (the grant stays) and is audited; the
// same answers for known and unknown addresses; CSRF refused; GET changes nothing; throttled.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../../../helpers/env.ts';
import { type Fixture, fixture, hidden, Jar, login, PASSWORD } from '../../../helpers/oauth.ts';
import { mint } from '../../../helpers/seed.ts';

const NEW_PASSWORD = 'amber-Glacier-91-compass';

async function form(jar: Jar, path: string, fields: Record<string, string>, page = path): Promise<Response> {
  const html = await (await jar.fetch(page)).text();
  return jar.fetch(path, { method: 'POST', form: { csrf: hidden(html, 'csrf'), ...fields } });
}

const lastTo = (t: TestServer, to: string) => t.ctx.services.messenger.outbox?.list().find((m) => m.to === to);

describe('password recovery', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });
  after(() => f.t.close());

  it('by e-mail link: new password, every session signed out, refresh tokens revoked, grant kept, audited', async () => {
    const t = f.t;
    const signedIn = new Jar(f.base);
    assert.equal((await login(signedIn, 'alice', PASSWORD)).status, 303);
    const minted = await mint(t.ctx, f.clientId, f.userId, [1]);
    const sts = await t.ctx.services.storageTokens.issueServiceToken(f.userId, undefined);
    assert.ok(await t.ctx.services.storageTokens.authenticateServiceToken(sts.serviceToken, undefined, undefined));
    const jar = new Jar(f.base);
    const r = await form(jar, '/recover', { address: 'alice@example.com' });
    assert.equal(r.headers.get('location'), '/recover/sent?_locale=en');
    await new Promise((res) => setTimeout(res, 50)); // sent in the background
    const msg = lastTo(t, 'alice@example.com');
    assert.equal(msg?.kind, 'reset-link');
    const link = new URL(/http\S+/.exec(msg?.text ?? '')?.[0] ?? '');
    const page = `${link.pathname}${link.search}`;
    // Opening the link (GET) changes nothing: the old password still works.
    assert.match(await (await jar.fetch(page)).text(), /name="password"/);
    assert.ok(await t.ctx.services.users.authenticate('alice', PASSWORD));
    const weak = await form(jar, '/recover/reset', { token: link.searchParams.get('token') ?? '', password: 'iloveyou' }, page);
    assert.match(weak.headers.get('location') ?? '', /error=password-common/);
    const done = await form(jar, '/recover/reset', { token: link.searchParams.get('token') ?? '', password: NEW_PASSWORD }, page);
    assert.equal(done.headers.get('location'), '/recover/done?_locale=en');
    assert.ok(await t.ctx.services.users.authenticate('alice', NEW_PASSWORD));
    assert.equal(await t.ctx.services.users.authenticate('alice', PASSWORD), undefined);
    // The other browser's session ended.
    const after = await signedIn.fetch('/login');
    assert.doesNotMatch(await after.text(), /signed in as/i);
    // The FDS serviceToken opened with the old password is revoked, as by `opal user passwd`.
    assert.equal(await t.ctx.services.storageTokens.authenticateServiceToken(sts.serviceToken, undefined, undefined), undefined);
    // The refresh token no longer works; the grant is kept.
    await assert.rejects(t.ctx.services.oauth.refresh(f.clientId, minted.refreshToken));
    assert.ok((await t.ctx.services.oauth.listGrants(f.userId)).some((g) => g.clientId === f.clientId));
    const audit = await t.ctx.db.kysely.selectFrom('audit_events').selectAll().where('type', '=', 'password.reset').execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]?.subject, f.userId);
    // The link is single use: its page offers no form any more, and a post is refused.
    assert.doesNotMatch(await (await jar.fetch(page)).text(), /name="password"/);
    const reuse = await form(
      jar,
      '/recover/reset',
      { token: link.searchParams.get('token') ?? '', password: `${NEW_PASSWORD}x` },
      '/recover',
    );
    assert.match(reuse.headers.get('location') ?? '', /error=expired/);
  });

  it('by SMS code: wrong code refused, right code sets the password', async () => {
    const t = f.t;
    const jar = new Jar(f.base);
    const r = await form(jar, '/recover', { address: '13800000000' });
    const loc = new URL(r.headers.get('location') ?? '', f.base);
    assert.equal(loc.pathname, '/recover/code');
    await new Promise((res) => setTimeout(res, 50));
    const code = /\b(\d{6})\b/.exec(lastTo(t, '13800000000')?.text ?? '')?.[1] ?? '';
    const flow = loc.searchParams.get('flow') ?? '';
    const page = `${loc.pathname}${loc.search}`;
    const wrong = await form(jar, '/recover/reset', { flow, code: code === '000000' ? '111111' : '000000', password: 'x' }, page);
    assert.match(wrong.headers.get('location') ?? '', /error=wrong/);
    const ok = await form(jar, '/recover/reset', { flow, code, password: `${NEW_PASSWORD}-2` }, page);
    assert.equal(ok.headers.get('location'), '/recover/done?_locale=en');
    assert.ok(await t.ctx.services.users.authenticate('alice', `${NEW_PASSWORD}-2`));
  });

  it('answers known and unknown addresses identically (status, location shape, page)', async () => {
    const jar = new Jar(f.base);
    const pairs: Array<[string, string]> = [
      ['alice@example.com', 'nobody@example.com'],
      ['13800000000', '13900000000'],
    ];
    for (const [known, unknown] of pairs) {
      const a = await form(jar, '/recover', { address: known });
      const b = await form(jar, '/recover', { address: unknown });
      assert.equal(a.status, b.status);
      const shape = (r: Response) => (r.headers.get('location') ?? '').replace(/flow=[\w-]+/, 'flow=X');
      assert.equal(shape(a), shape(b));
      // The pages differ only in the random flow id and the CSRF token.
      const norm = (html: string) => html.replace(/value="[^"]*"/g, '').replace(/flow=[\w-]+/g, 'flow=X');
      const pa = norm(await (await jar.fetch(a.headers.get('location') ?? '')).text());
      const pb = norm(await (await jar.fetch(b.headers.get('location') ?? '')).text());
      assert.equal(pa, pb);
    }
    // An unknown number's flow fails like a wrong code, whatever the code.
    const b = await form(jar, '/recover', { address: '13700000000' });
    const loc = new URL(b.headers.get('location') ?? '', f.base);
    const r = await form(
      jar,
      '/recover/reset',
      { flow: loc.searchParams.get('flow') ?? '', code: '123456', password: NEW_PASSWORD },
      `${loc.pathname}${loc.search}`,
    );
    assert.match(r.headers.get('location') ?? '', /error=wrong/);
  });

  it('refuses a form without its CSRF token and sends nothing', async () => {
    const jar = new Jar(f.base);
    await jar.fetch('/recover');
    const n = f.t.ctx.services.messenger.outbox?.list().length;
    const r = await jar.fetch('/recover', { method: 'POST', form: { csrf: 'forged', address: 'alice@example.com' } });
    assert.match(r.headers.get('location') ?? '', /error=csrf/);
    await new Promise((res) => setTimeout(res, 50));
    assert.equal(f.t.ctx.services.messenger.outbox?.list().length, n);
  });

  it('throttles requests per client IP', async () => {
    const jar = new Jar(f.base);
    let last: Response | undefined;
    for (let i = 0; i < 12; i++) last = await form(jar, '/recover', { address: `x${i}@example.com` });
    assert.match(last?.headers.get('location') ?? '', /error=throttled&wait=\d+/);
  });
});
