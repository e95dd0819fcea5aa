// Second factors as JSON (/api/account/factors…) over real HTTP with the session cookie and the CSRF
// header: an authenticator app set up with a first code, new recovery codes with the password, a
// passkey registered with options bound to the CSRF token (a software authenticator answers), a
// factor removed with a recovery code; no session, no or a wrong CSRF token, a wrong proof and a
// replayed passkey answer change nothing; wrong proofs are throttled; every change is in the
// security log.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generate } from 'otplib';
import { dbBackends } from '../../../helpers/env.ts';
import { type Fixture, fixture, Jar, login, PASSWORD } from '../../../helpers/oauth.ts';
import { SoftPasskey } from '../../../helpers/soft-passkey.ts';

type Json = Record<string, unknown>;

for (const backend of dbBackends()) {
  describe(`second factors JSON API (${backend})`, () => {
    let f: Fixture;
    let jar: Jar;
    let csrf = '';
    let recovery: string[] = [];
    const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = { 'x-csrf-token': csrf }) => {
      const r = await jar.fetch(path, {
        method,
        headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      return { status: r.status, headers: r.headers, json: (text ? JSON.parse(text) : {}) as Json };
    };
    const list = async () => (await send('GET', '/api/account/factors')).json as { factors: Json[]; recoveryCodes: number };
    const logTypes = async () => ((await send('GET', '/api/account/security-log')).json.events as Json[]).map((e) => e.type);

    before(async () => {
      f = await fixture(backend === 'postgres' ? { backend, redis: true } : {});
      jar = new Jar(f.base);
      await login(jar, f.account, PASSWORD);
      csrf = String(((await (await jar.fetch('/api/account')).json()) as Json).csrfToken);
    });
    after(async () => {
      await f?.t.close();
    });

    it('no session: 401 login_required for reading and changing', async () => {
      const anon = new Jar(f.base);
      assert.equal((await anon.fetch('/api/account/factors')).status, 401);
      const r = await anon.fetch('/api/account/factors/totp', { method: 'POST', headers: { 'x-csrf-token': csrf } });
      assert.equal(r.status, 401);
      assert.equal(((await r.json()) as Json).error, 'login_required');
    });

    it('authenticator app: a secret and its otpauth URI, a wrong code refused, a first code confirms; ten recovery codes', async () => {
      assert.deepEqual(await list(), { factors: [], recoveryCodes: 0 });
      // No or a wrong CSRF token: refused, nothing kept for the session.
      for (const headers of [{}, { 'x-csrf-token': 'nope' }] as Record<string, string>[]) {
        const r = await send('POST', '/api/account/factors/totp', undefined, headers);
        assert.equal(r.status, 403);
        assert.equal(r.json.error, 'csrf');
      }
      const none = await send('POST', '/api/account/factors/totp/confirm', { code: '123456' });
      assert.equal(none.json.error, 'expired');

      const begun = await send('POST', '/api/account/factors/totp');
      assert.equal(begun.status, 200);
      const secret = String(begun.json.secret);
      assert.match(String(begun.json.otpauthUri), new RegExp(`^otpauth://totp/.*alice\\?.*secret=${secret}`));
      assert.equal(begun.json.expiresIn, 600);
      const wrong = await send('POST', '/api/account/factors/totp/confirm', { code: '000000' });
      assert.equal(wrong.status, 400);
      assert.equal(wrong.json.error, 'wrong_code');
      assert.deepEqual((await list()).factors, []);
      // A code without the CSRF header changes nothing either.
      const code = await generate({ secret, epoch: Math.floor(Date.now() / 1000) - 30 });
      assert.equal((await send('POST', '/api/account/factors/totp/confirm', { code }, {})).status, 403);
      assert.deepEqual((await list()).factors, []);

      const ok = await send('POST', '/api/account/factors/totp/confirm', { code });
      assert.equal(ok.status, 200);
      recovery = ok.json.recoveryCodes as string[];
      assert.equal(recovery.length, 10);
      const after = await list();
      assert.deepEqual(
        after.factors.map((x) => x.kind),
        ['totp'],
      );
      assert.equal(after.recoveryCodes, 10);
      const again = await send('POST', '/api/account/factors/totp');
      assert.equal(again.status, 409);
      assert.ok((await logTypes()).includes('factor.enrolled'));
    });

    it('new recovery codes need the password or a current code; the old ones stop', async () => {
      const wrong = await send('POST', '/api/account/factors/recovery-codes', { proof: 'not-the-password' });
      assert.equal(wrong.status, 403);
      assert.equal(wrong.json.error, 'wrong_proof');
      assert.equal((await send('POST', '/api/account/factors/recovery-codes', { proof: PASSWORD }, {})).status, 403);
      const old = recovery;
      const r = await send('POST', '/api/account/factors/recovery-codes', { proof: PASSWORD });
      assert.equal(r.status, 200);
      recovery = r.json.recoveryCodes as string[];
      assert.equal(recovery.length, 10);
      assert.equal(recovery.filter((c) => old.includes(c)).length, 0);
      assert.equal(await f.t.ctx.services.factors.checkCode(f.userId, old[0] ?? ''), undefined);
      assert.ok((await logTypes()).includes('factor.recovery_codes'));
    });

    it('passkey: options bound to the CSRF token, a registration verified once; another origin or a replay is refused', async () => {
      const rp = f.t.ctx.services.factors.passkeys;
      const key = new SoftPasskey(rp.rpId, rp.origin);
      assert.equal((await send('POST', '/api/account/factors/passkey/options', undefined, {})).status, 403);
      const options = (await send('POST', '/api/account/factors/passkey/options')).json as { challenge: string; rp: Json; user: Json };
      assert.equal(options.rp.id, rp.rpId);
      assert.equal(options.user.name, 'alice');

      const elsewhere = await send('POST', '/api/account/factors/passkey', {
        response: key.register(options, { origin: 'https://evil.example' }),
      });
      assert.equal(elsewhere.status, 400);
      assert.equal(elsewhere.json.error, 'passkey_refused');

      const fresh = (await send('POST', '/api/account/factors/passkey/options')).json as { challenge: string };
      const answer = key.register(fresh);
      const added = await send('POST', '/api/account/factors/passkey', { name: 'Laptop', response: answer });
      assert.equal(added.status, 201);
      assert.equal(added.json.kind, 'passkey');
      assert.equal(added.json.name, 'Laptop');
      const replay = await send('POST', '/api/account/factors/passkey', { name: 'Again', response: answer });
      assert.equal(replay.status, 400);
      assert.deepEqual((await list()).factors.map((x) => x.kind).sort(), ['passkey', 'totp']);
      const bad = await send('POST', '/api/account/factors/passkey', { response: { nope: 1 } });
      assert.equal(bad.status, 400);
    });

    it('removing a factor: a wrong proof or no CSRF changes nothing; a recovery code proves; an unknown id is 404', async () => {
      const passkey = (await list()).factors.find((x) => x.kind === 'passkey');
      const path = `/api/account/factors/${String(passkey?.id)}`;
      assert.equal((await send('DELETE', path, { proof: recovery[0] }, {})).status, 403);
      const wrong = await send('DELETE', path, { proof: 'wrong' });
      assert.equal(wrong.status, 403);
      assert.equal(wrong.json.error, 'wrong_proof');
      assert.equal((await list()).factors.length, 2);
      assert.equal((await send('DELETE', '/api/account/factors/no-such-factor', { proof: PASSWORD })).status, 404);
      const gone = await send('DELETE', path, { proof: recovery[0] });
      assert.equal(gone.status, 204);
      assert.deepEqual(
        (await list()).factors.map((x) => x.kind),
        ['totp'],
      );
      assert.ok((await logTypes()).includes('factor.removed'));
    });

    it('wrong proofs are throttled (429 with Retry-After) and change nothing', async () => {
      const totp = (await list()).factors[0];
      const tries = await Promise.all(
        Array.from({ length: 6 }, () => send('DELETE', `/api/account/factors/${String(totp?.id)}`, { proof: 'wrong-again' })),
      );
      const throttled = tries.filter((r) => r.status === 429);
      assert.ok(throttled.length > 0, `statuses ${tries.map((r) => r.status).join(',')}`);
      assert.match(String(throttled[0]?.headers.get('retry-after')), /^\d+$/);
      assert.equal(throttled[0]?.json.error, 'throttled');
      assert.equal((await list()).factors.length, 1);
    });
  });
}
