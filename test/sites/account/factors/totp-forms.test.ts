// Second factors through real HTTP and plain forms: TOTP set-up (sealed secret, hashed recovery
// codes), sign-in's second step (a code is good once, a recovery code once), the rules of the
// pages (CSRF refused, GET changes nothing, wrong codes throttled), removal with the password,
// checkPassword asking for the code, id_token amr/acr, and export/import carrying the factors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generate } from 'otplib';
import { exportStore } from '../../../../src/services/transfer.ts';
import { authorize, codeOf, type Fixture, fixture, hidden, Jar, login, PASSWORD } from '../../../helpers/oauth.ts';

const secretOf = (html: string) => (/id="totp-secret"[^>]*>([^<]*)</.exec(html)?.[1] ?? '').replace(/\s/g, '');
const codeAt = (secret: string, ms: number) => generate({ secret, epoch: Math.floor(ms / 1000) });
const outcome = (r: Response) => {
  const loc = r.headers.get('location') ?? '';
  return /error=throttled/.test(loc) ? 'throttled' : /error=/.test(loc) ? 'refused' : 'ok';
};

/** Signs `jar` in as alice and sets up her authenticator app; returns its secret and her recovery codes. */
async function enrollTotp(f: Fixture, jar: Jar): Promise<{ secret: string; codes: string[] }> {
  assert.equal((await login(jar, f.account, PASSWORD)).status, 303);
  const page = await (await jar.fetch('/account/factors')).text();
  const started = await jar.fetch('/account/factors/totp', { method: 'POST', form: { csrf: hidden(page, 'csrf') } });
  assert.equal(started.status, 303);
  const setup = await (await jar.fetch('/account/factors/totp')).text();
  assert.match(setup, /<img src="data:image\/svg\+xml;base64,/);
  const secret = secretOf(setup);
  assert.match(secret, /^[A-Z2-7]{32}$/);
  const wrong = await jar.fetch('/account/factors/totp/confirm', { method: 'POST', form: { csrf: hidden(setup, 'csrf'), code: '000000' } });
  assert.match(wrong.headers.get('location') ?? '', /\/account\/factors\/totp\?.*error=invalid/);
  const ok = await jar.fetch('/account/factors/totp/confirm', {
    method: 'POST',
    form: { csrf: hidden(setup, 'csrf'), code: await codeAt(secret, Date.now()) },
  });
  assert.equal(ok.status, 303);
  assert.match(ok.headers.get('location') ?? '', /^\/account\/factors\/recovery-codes/);
  const shown = await (await jar.fetch('/account/factors/recovery-codes')).text();
  const codes = [...shown.matchAll(/<li><code>([a-z2-9]{5}-[a-z2-9]{5})<\/code><\/li>/g)].map((m) => m[1] ?? '');
  assert.equal(codes.length, 10);
  const done = await jar.fetch('/account/factors/recovery-codes/done', { method: 'POST', form: { csrf: hidden(shown, 'csrf') } });
  assert.equal(done.status, 303);
  assert.equal((await jar.fetch('/account/factors/recovery-codes')).status, 302, 'shown once');
  return { secret, codes };
}

/** Password step on a fresh jar: the 303 to the second step. */
async function passwordStep(f: Fixture, returnTo = '/login', account = f.account): Promise<{ jar: Jar; csrf: string }> {
  const jar = new Jar(f.base);
  const r = await login(jar, account, PASSWORD, returnTo);
  assert.match(r.headers.get('location') ?? '', /^\/login\/factor/);
  assert.equal((await jar.fetch('/account/factors')).status, 302, 'no session before the second factor');
  const html = await (await jar.fetch('/login/factor')).text();
  assert.match(html, /name="code"/);
  return { jar, csrf: hidden(html, 'csrf') };
}

describe('second factors over HTTP', () => {
  let f: Fixture;
  let secret: string;
  let codes: string[];
  before(async () => {
    f = await fixture();
    ({ secret, codes } = await enrollTotp(f, new Jar(f.base)));
  });
  after(async () => {
    await f.t.close();
  });

  test('the secret is stored sealed and the recovery codes hashed', async () => {
    const db = f.t.ctx.db.kysely;
    const rows = await db.selectFrom('user_factors').selectAll().execute();
    assert.equal(rows.length, 1);
    assert.ok(rows[0]?.secret_sealed?.startsWith('v1.') && !rows[0].secret_sealed.includes(secret));
    const stored = await db.selectFrom('recovery_codes').selectAll().execute();
    assert.equal(stored.length, 10);
    for (const c of codes) assert.ok(!stored.some((r) => r.code_hash.includes(c) || r.code_hash.includes(c.replace('-', ''))));
    assert.equal((await f.t.ctx.services.audit.list({ type: 'factor.enrolled' })).length, 1);
  });

  test('sign-in asks for the code after the password; a code is good once', async () => {
    const { jar, csrf } = await passwordStep(f, '/account/factors');
    // The code of the step used at set-up is spent; the next step's code signs in, once.
    const spent = await jar.fetch('/login/factor', { method: 'POST', form: { csrf, code: await codeAt(secret, Date.now() - 30_000) } });
    assert.equal(outcome(spent), 'refused');
    const next = await codeAt(secret, Date.now() + 30_000);
    const ok = await jar.fetch('/login/factor', { method: 'POST', form: { csrf, code: next } });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/account/factors');
    assert.equal((await jar.fetch('/account/factors')).status, 200);
    const again = await passwordStep(f);
    assert.equal(outcome(await again.jar.fetch('/login/factor', { method: 'POST', form: { csrf: again.csrf, code: next } })), 'refused');
    const row = await f.t.ctx.db.kysely.selectFrom('web_sessions').select('amr').where('amr', 'is not', null).executeTakeFirst();
    assert.equal(row?.amr, 'pwd,otp');
  });

  test('a recovery code signs in once; its reuse is refused', async () => {
    const code = codes[0] ?? '';
    const first = await passwordStep(f);
    const ok = await first.jar.fetch('/login/factor', { method: 'POST', form: { csrf: first.csrf, code: code.toUpperCase() } });
    assert.equal(outcome(ok), 'ok');
    const second = await passwordStep(f);
    assert.equal(outcome(await second.jar.fetch('/login/factor', { method: 'POST', form: { csrf: second.csrf, code } })), 'refused');
    assert.ok((await f.t.ctx.services.audit.list({ type: 'factor.failed' })).length >= 1);
  });

  test('CSRF is refused on every factor form', async () => {
    const jar = new Jar(f.base);
    const step = await jar.fetch('/login/factor', { method: 'POST', form: { code: '123456' } });
    assert.match(step.headers.get('location') ?? '', /\/login(\/factor)?\?.*error=(csrf|expired)/);
    const signedIn = await passwordStep(f);
    const forged = { csrf: 'x'.repeat(64) };
    const fresh = await codeAt(secret, Date.now() + 60_000);
    assert.match(
      (await signedIn.jar.fetch('/login/factor', { method: 'POST', form: { ...forged, code: fresh } })).headers.get('location') ?? '',
      /error=csrf/,
    );
    const recovery = codes[1] ?? '';
    assert.equal(
      outcome(await signedIn.jar.fetch('/login/factor', { method: 'POST', form: { csrf: signedIn.csrf, code: recovery } })),
      'ok',
    );
    const factorsBefore = await f.t.ctx.services.factors.list(f.userId);
    for (const path of [
      '/account/factors/totp',
      '/account/factors/remove',
      '/account/factors/passkey',
      '/account/factors/recovery-codes',
    ]) {
      const r = await signedIn.jar.fetch(path, {
        method: 'POST',
        form: { ...forged, factor: factorsBefore[0]?.id ?? '', proof: PASSWORD },
      });
      assert.equal(r.status, 303, path);
      assert.match(r.headers.get('location') ?? '', /error=csrf/, path);
    }
    assert.deepEqual(await f.t.ctx.services.factors.list(f.userId), factorsBefore);
    assert.equal((await f.t.ctx.services.factors.summary(f.userId)).recoveryCodes, 8);
  });

  test('GET changes nothing', async () => {
    const db = f.t.ctx.db.kysely;
    const snapshot = async () => ({
      factors: await db.selectFrom('user_factors').selectAll().orderBy('factor_id').execute(),
      codes: await db.selectFrom('recovery_codes').selectAll().orderBy('code_hash').execute(),
      sessions: (await db.selectFrom('web_sessions').select('session_hash').execute()).length,
      audit: (await f.t.ctx.services.audit.list({})).length,
    });
    const pending = await passwordStep(f);
    const before = await snapshot();
    for (const path of [
      '/login/factor',
      '/login/factor?error=invalid',
      '/account/factors',
      '/account/factors/totp',
      '/account/factors/recovery-codes',
    ]) {
      const r = await pending.jar.fetch(path);
      assert.ok([200, 302].includes(r.status), `${path}: ${r.status}`);
    }
    assert.deepEqual(await snapshot(), before);
  });

  test('wrong codes are throttled like passwords', async () => {
    // Bob's own budget (the throttle keys on the user): alice's tests go on unthrottled.
    const bob = await f.t.ctx.services.users.create({ account: 'bob', password: PASSWORD });
    const bobSecret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    assert.ok(await f.t.ctx.services.factors.enrollTotp(bob.userId, bobSecret, await codeAt(bobSecret, Date.now()), 'app'));
    const { jar, csrf } = await passwordStep(f, '/login', 'bob');
    const got: string[] = [];
    for (let i = 0; i < 5; i++)
      got.push(outcome(await jar.fetch('/login/factor', { method: 'POST', form: { csrf, code: String(100000 + i) } })));
    // 3 free attempts per 15 minutes, then one per gate opening (1 s, 2 s, …).
    assert.deepEqual(got.slice(0, 3), ['refused', 'refused', 'refused']);
    assert.ok(got.includes('throttled'), got.join(','));
    assert.equal((await f.t.ctx.services.audit.list({ type: 'factor.throttled' })).length >= 1, true);
  });

  test('an authorize request continues after the factor; the id_token says amr pwd+otp, acr 2', async () => {
    const redirect = 'https://app.example.com/cb';
    const q = new URLSearchParams({ client_id: f.clientId, redirect_uri: redirect, response_type: 'code', scope: 'openid', state: 's' });
    const start = await new Jar(f.base).fetch(`/oauth2/authorize?${q}`);
    const returnTo = new URL(start.headers.get('location') ?? '', f.base).searchParams.get('return_to') ?? '';
    assert.match(returnTo, /^\/oauth2\/authorize\?/);
    const { jar, csrf } = await passwordStep(f, returnTo);
    const r = await jar.fetch('/login/factor', { method: 'POST', form: { csrf, code: codes[3] ?? '' } });
    assert.equal(r.headers.get('location'), returnTo);
    const code = codeOf(await authorize(f, jar, q.toString()));
    const form = { client_id: f.clientId, client_secret: f.clientSecret, grant_type: 'authorization_code', code, redirect_uri: redirect };
    const token = (await (await fetch(`${f.base}/oauth2/token`, { method: 'POST', body: new URLSearchParams(form) })).json()) as {
      id_token: string;
    };
    const claims = JSON.parse(Buffer.from(token.id_token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(claims.amr, ['pwd', 'otp']);
    assert.equal(claims.acr, '2');
  });

  test('checkPassword asks for the code once the password is right (the first page is the same for any id)', async () => {
    const callback = 'https://app.example.com/xm/cb';
    const jar = new Jar(f.base);
    const open = async (xmUserId = f.userId) => {
      const html = await (await jar.fetch(`/checkPassword?${new URLSearchParams({ clientId: f.clientId, xmUserId, callback })}`)).text();
      return { html, csrf: hidden(html, 'csrf'), flow: hidden(html, 'flow') };
    };
    const post = (form: Record<string, string>) => jar.fetch('/checkPassword', { method: 'POST', form: { ...form, decision: 'confirm' } });
    // Before the password: no code field and no passkey, as for an id that names nobody.
    const first = await open();
    const unknown = await open('9999999999');
    for (const page of [first.html, unknown.html]) {
      assert.match(page, /name="password"/);
      assert.doesNotMatch(page, /name="code"|data-passkey/);
    }
    const wrong = await post({ csrf: first.csrf, flow: first.flow, password: 'not-it' });
    assert.match(wrong.headers.get('location') ?? '', /error=invalid/);
    const again = await (await jar.fetch(wrong.headers.get('location') ?? '')).text();
    assert.doesNotMatch(again, /name="code"/);
    // The right password: the second step, which asks for the code and no password.
    const right = await post({ csrf: hidden(again, 'csrf'), flow: first.flow, password: PASSWORD });
    const step = await (await jar.fetch(right.headers.get('location') ?? '')).text();
    assert.match(step, /id="factor-step"/);
    assert.match(step, /name="code"/);
    assert.doesNotMatch(step, /name="password"/);
    const badCode = await post({ csrf: hidden(step, 'csrf'), flow: first.flow, code: '000000' });
    const retry = await (await jar.fetch(badCode.headers.get('location') ?? '')).text();
    assert.match(retry, /Wrong code\. \d attempts left\./);
    const ok = await post({ csrf: hidden(retry, 'csrf'), flow: first.flow, code: codes[4] ?? '' });
    assert.match(ok.headers.get('location') ?? '', /^https:\/\/app\.example\.com\/xm\/cb\?xmResult=true&/);
  });

  test('export carries the factors and recovery codes', async () => {
    const file = await exportStore(f.t.ctx.db.kysely);
    // alice's authenticator and codes, and bob's (the throttle test).
    assert.equal(file.tables.user_factors?.length, 2);
    assert.equal(file.tables.recovery_codes?.length, 20);
    assert.ok(file.tables.user_factors?.every((r) => String(r.secret_sealed).startsWith('v1.')));
  });

  test('removal needs the password or a current code; the last factor takes the recovery codes along', async () => {
    const { jar, csrf } = await passwordStep(f);
    assert.equal(outcome(await jar.fetch('/login/factor', { method: 'POST', form: { csrf, code: codes[2] ?? '' } })), 'ok');
    const page = await (await jar.fetch('/account/factors')).text();
    const id = hidden(page, 'factor');
    const wrong = await jar.fetch('/account/factors/remove', {
      method: 'POST',
      form: { csrf: hidden(page, 'csrf'), factor: id, proof: 'not-it' },
    });
    assert.match(wrong.headers.get('location') ?? '', /error=proof/);
    assert.equal((await f.t.ctx.services.factors.list(f.userId)).length, 1);
    const ok = await jar.fetch('/account/factors/remove', {
      method: 'POST',
      form: { csrf: hidden(page, 'csrf'), factor: id, proof: PASSWORD },
    });
    assert.match(ok.headers.get('location') ?? '', /done=removed/);
    assert.equal((await f.t.ctx.services.factors.list(f.userId)).length, 0);
    const left = await f.t.ctx.db.kysely.selectFrom('recovery_codes').selectAll().where('user_id', '=', f.userId).execute();
    assert.equal(left.length, 0);
    assert.equal((await f.t.ctx.services.audit.list({ type: 'factor.removed' })).length, 1);
    assert.equal(
      (await login(new Jar(f.base), f.account, PASSWORD)).headers.get('location'),
      '/login',
      'the password alone signs in again',
    );
  });
});
