// The account center's JSON (/api/account/…) over real HTTP with the session cookie and the CSRF
// header: profile, avatar upload in every size, e-mail change by code, sessions, apps (revoked at
// once), passes with their QR code, storage tokens, the security log; bad input changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { dbBackends } from '../../../helpers/env.ts';
import { type Fixture, fixture, Jar, login, PASSWORD } from '../../../helpers/oauth.ts';
import { call } from '../../../helpers/open-api.ts';
import { mint } from '../../../helpers/seed.ts';

type Json = Record<string, unknown>;

for (const backend of dbBackends()) {
  describe(`account center JSON API (${backend})`, () => {
    let f: Fixture;
    let jar: Jar;
    let csrf = '';
    const send = async (method: string, path: string, body?: unknown, type = 'application/json') => {
      const r = await jar.fetch(path, {
        method,
        headers: { 'x-csrf-token': csrf, ...(body !== undefined ? { 'content-type': type } : {}) },
        body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body),
      });
      const text = await r.text();
      return { status: r.status, headers: r.headers, json: (text ? JSON.parse(text) : {}) as Json };
    };
    before(async () => {
      f = await fixture(backend === 'postgres' ? { backend, redis: true } : {});
      jar = new Jar(f.base);
      await login(jar, f.account, PASSWORD);
      const me = (await (await jar.fetch('/api/account')).json()) as Json;
      csrf = String(me.csrfToken);
    });
    after(async () => {
      await f?.t.close();
    });

    it('GET /api/account: who is signed in, the avatar URLs and the CSRF token', async () => {
      const r = await send('GET', '/api/account');
      assert.equal(r.status, 200);
      assert.equal(r.json.account, 'alice');
      assert.equal(r.json.email, 'alice@example.com');
      assert.deepEqual(Object.keys(r.json.avatars as Json), [
        'miliaoIcon',
        'miliaoIcon_75',
        'miliaoIcon_90',
        'miliaoIcon_120',
        'miliaoIcon_320',
        'miliaoIcon_orig',
      ]);
      assert.match(String(r.headers.get('cache-control')), /no-store/);
    });

    it('nickname and avatar: every size stored and served; a non-image is refused and changes nothing', async () => {
      const r = await send('POST', '/api/account/profile', { nickname: ' Alice B ' });
      assert.equal(r.status, 200);
      assert.equal(r.json.nickname, 'Alice B');
      const bad = await send('PUT', '/api/account/avatar', Buffer.from('not an image'), 'image/png');
      assert.equal(bad.status, 400);
      assert.equal((await f.t.ctx.services.users.get(f.userId))?.avatarUrl, '');
      const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#0f766e' } })
        .png()
        .toBuffer();
      const up = await send('PUT', '/api/account/avatar', png, 'image/png');
      assert.equal(up.status, 200);
      const avatars = up.json.avatars as Record<string, string>;
      const sizes: Record<string, number> = {
        miliaoIcon: 320,
        miliaoIcon_75: 75,
        miliaoIcon_90: 90,
        miliaoIcon_120: 120,
        miliaoIcon_320: 320,
        miliaoIcon_orig: 200,
      };
      for (const [k, size] of Object.entries(sizes)) {
        const img = await fetch(avatars[k] ?? '');
        assert.equal(img.status, 200, k);
        assert.equal(img.headers.get('content-type'), 'image/jpeg');
        const meta = await sharp(Buffer.from(await img.arrayBuffer())).metadata();
        assert.deepEqual([meta.width, meta.height], [size, size], k);
      }
      // A new upload gets new URLs; the old ones stop.
      const again = await send('PUT', '/api/account/avatar', png, 'image/png');
      assert.notEqual((again.json.avatars as Json).miliaoIcon, avatars.miliaoIcon);
      assert.equal((await fetch(avatars.miliaoIcon ?? '')).status, 404);
      const removed = await send('DELETE', '/api/account/avatar');
      assert.match(String((removed.json.avatars as Json).miliaoIcon), /\/avatar\/default\.png$/);
    });

    it('e-mail change: the current password first, then the code goes to the new address; a wrong code changes nothing', async () => {
      // A session alone cannot move the account's address (a stolen cookie would, then reset the password).
      const noProof = await send('POST', '/api/account/contact', { kind: 'email', address: 'thief@example.com', current: 'not-it' });
      assert.equal(noProof.status, 403);
      assert.equal(noProof.json.error, 'wrong_password');
      assert.equal(
        f.t.ctx.services.messenger.outbox?.list().find((m) => m.to === 'thief@example.com'),
        undefined,
      );
      const start = await send('POST', '/api/account/contact', { kind: 'email', address: 'alice.new@example.com', current: PASSWORD });
      if (!f.t.ctx.services.messenger.outbox) {
        // PostgreSQL: no developer outbox and no sender configured, so no code can be sent.
        assert.equal(start.status, 503);
        return;
      }
      assert.equal(start.status, 202);
      const invalid = await send('POST', '/api/account/contact', { kind: 'phone', address: 'call me', current: PASSWORD });
      assert.equal(invalid.status, 400);
      const wrong = await send('POST', '/api/account/contact/confirm', { code: '000000' });
      assert.equal(wrong.status, 400);
      assert.equal((await f.t.ctx.services.users.get(f.userId))?.email, 'alice@example.com');
      // The message is sent in the background: wait until it is in the outbox.
      const inOutbox = () => f.t.ctx.services.messenger.outbox?.list().find((m) => m.to === 'alice.new@example.com');
      for (let i = 0; i < 100 && !inOutbox(); i++) await new Promise((r) => setTimeout(r, 50));
      const msg = inOutbox();
      const code = /\b(\d{6})\b/.exec(msg?.text ?? '')?.[1] ?? '';
      const ok = await send('POST', '/api/account/contact/confirm', { code });
      assert.equal(ok.status, 200);
      assert.equal(ok.json.email, 'alice.new@example.com');
      const used = await send('POST', '/api/account/contact/confirm', { code });
      assert.equal(used.status, 400);
      assert.equal(used.json.error, 'expired');
    });

    it('sessions: list with device and address; end another; end all others', async () => {
      const other = new Jar(f.base);
      await login(other, f.account, PASSWORD);
      const list = await send('GET', '/api/account/sessions');
      const sessions = list.json.sessions as Array<Json>;
      assert.equal(sessions.filter((s) => s.current).length, 1);
      const theirs = sessions.find((s) => !s.current);
      assert.ok(theirs && theirs.ip === '127.0.0.1');
      assert.equal((await send('DELETE', '/api/account/sessions/nope')).status, 404);
      assert.equal((await send('DELETE', `/api/account/sessions/${theirs.ref}`)).status, 204);
      assert.equal((await other.fetch('/api/account')).status, 401);
      await login(other, f.account, PASSWORD);
      const all = await send('DELETE', '/api/account/sessions');
      assert.equal(all.json.ended, 1);
      assert.equal((await other.fetch('/api/account')).status, 401);
      assert.equal((await send('GET', '/api/account')).status, 200, 'this session stays');
    });

    it('apps: scopes in words and last use; revoking stops the token at once', async () => {
      const m = await mint(f.t.ctx, f.clientId, f.userId, [1, 6]);
      const list = await send('GET', '/api/account/apps');
      const app = (list.json.apps as Array<Json>).find((a) => a.clientId === f.clientId);
      assert.deepEqual(app?.scopeText, ['See your profile (nickname and avatar)', 'See your email address']);
      assert.ok(Number(app?.lastUsedAt) > 0);
      assert.equal((await send('DELETE', `/api/account/apps/${f.clientId}`)).status, 204);
      const r = await call(`${f.base}/user/profile?clientId=${f.clientId}&token=${encodeURIComponent(m.accessToken)}`);
      assert.equal(r.json.code, 96008);
      assert.equal((await send('DELETE', `/api/account/apps/${f.clientId}`)).status, 404);
    });

    it('passes, storage tokens and the security log', async () => {
      const plan = await f.t.ctx.services.passbook.createPlan({ clientId: f.clientId, title: 'Gym' });
      await f.t.ctx.services.passbook.issue({ clientId: f.clientId, planId: plan.planId, user: f.userId, passCode: 'GYM-42' });
      const passes = (await send('GET', '/api/account/passes')).json.passes as Array<Json>;
      assert.equal(passes[0]?.passCode, 'GYM-42');
      assert.match(String(passes[0]?.qrSvg), /^<svg /);
      const st = await f.t.ctx.services.storageTokens.issueServiceToken(f.userId, '127.0.0.1');
      const tokens = (await send('GET', '/api/account/storage-tokens')).json.tokens as Array<Json>;
      assert.equal(tokens.length, 1);
      assert.equal((await send('DELETE', '/api/account/storage-tokens/someone-elses')).status, 404);
      assert.equal((await send('DELETE', `/api/account/storage-tokens/${tokens[0]?.id}`)).status, 204);
      assert.equal(await f.t.ctx.services.storageTokens.authenticateServiceToken(st.serviceToken, undefined, 'galaxy-fds'), undefined);
      const log = (await send('GET', '/api/account/security-log')).json.events as Array<Json>;
      const types = log.map((e) => e.type);
      const expected = ['login', 'oauth.grant.revoke', 'account.avatar_set', 'account.sessions_ended', 'fds.storage_token.revoked'];
      if (f.t.ctx.services.messenger.outbox) expected.push('account.email_changed');
      for (const t of expected) {
        assert.ok(types.includes(t), `${t} in ${types.join(', ')}`);
      }
    });
  });
}
