// The open user-data APIs through real HTTP: account-protocol §13 items 13–18 and 20, §6.1–§6.7.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dbBackends, startTestServer, type TestServer } from '../../../helpers/env.ts';
import { call, rawCall } from '../../../helpers/open-api.ts';
import { type Minted, mint, type Seeded, seed } from '../../../helpers/seed.ts';

for (const backend of dbBackends()) {
  describe(`open user-data APIs (${backend})`, () => {
    let t: TestServer;
    let s: Seeded;
    let tok: Minted;
    let friendIds: string[];
    before(async () => {
      t = await startTestServer({ backend, redis: true });
      s = await seed(t.ctx, { user: { nickname: 'Alice', phone: '13800000000', email: 'alice@example.com' } });
      tok = await mint(t.ctx, s.clientId, s.userId, [1, 2, 3, 4, 6]);
      const f1 = await t.ctx.services.users.create({ account: `f1-${s.account}`, password: 'pass-word-1' });
      const f2 = await t.ctx.services.users.create({ account: `f2-${s.account}`, password: 'pass-word-1' });
      await t.ctx.services.friends.add(s.userId, f1.userId);
      await t.ctx.services.friends.add(s.userId, f2.userId);
      friendIds = [f1.userId, f2.userId];
    });
    after(async () => {
      await t.close();
    });
    const url = (path: string, q: Record<string, string>) => `${t.accountUrl}${path}?${new URLSearchParams(q)}`;

    it('13/14: profile without MAC header, exact envelope, icons that load', async () => {
      const r = await call(url('/user/profile', { clientId: s.clientId, token: tok.accessToken }));
      assert.equal(r.status, 200);
      assert.match(r.text, /^\{"result":"ok","code":0,"description":"no error","data":\{.*\}\}$/s);
      assert.ok(!r.text.endsWith('\n') && !r.text.startsWith('&&&START&&&'));
      assert.equal(r.headers.get('content-type'), 'application/json;charset=UTF-8');
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
      const d = r.json.data as Record<string, string>;
      assert.equal(d.unionId, tok.unionId);
      assert.equal(d.miliaoNick, 'Alice');
      assert.equal(d.userId, s.userId);
      assert.ok(Number(d.userId) < 2 ** 53);
      for (const k of ['miliaoIcon', 'miliaoIcon_75', 'miliaoIcon_90', 'miliaoIcon_120', 'miliaoIcon_320', 'miliaoIcon_orig']) {
        assert.equal(typeof d[k], 'string', k);
        assert.ok(d[k], `${k} is empty`);
        const img = await fetch(d[k] ?? '');
        assert.equal(img.status, 200, k);
        assert.equal(img.headers.get('content-type'), 'image/png');
        const png = Buffer.from(await img.arrayBuffer());
        assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], k);
        const size = png.readUInt32BE(16);
        const want = { miliaoIcon_75: 75, miliaoIcon_90: 90, miliaoIcon_120: 120, miliaoIcon_320: 320 }[k];
        if (want) assert.equal(size, want, k);
      }
      assert.ok(!r.text.includes('null'));
    });

    it('a custom avatar (opal user update --avatar) is used for every variant', async () => {
      const u = await seed(t.ctx, { user: { avatarUrl: 'https://cdn.example/avatar/a1.jpg' } });
      const m = await mint(t.ctx, u.clientId, u.userId, [1]);
      const r = await call(url('/user/profile', { clientId: u.clientId, token: m.accessToken }));
      assert.equal((r.json.data as Record<string, string>).miliaoIcon_320, 'https://cdn.example/avatar/a1.jpg');
    });

    it('emitUserId=false drops userId', async () => {
      const u = await seed(t.ctx, { flags: { emitUserId: false } });
      const m = await mint(t.ctx, u.clientId, u.userId, [1]);
      const r = await call(url('/user/profile', { clientId: u.clientId, token: m.accessToken }));
      assert.equal(r.json.code, 0);
      assert.ok(!('userId' in (r.json.data ?? {})));
    });

    it('15: openidV2 (and openIdV2) return openId and openid', async () => {
      for (const path of ['/user/openidV2', '/user/openIdV2']) {
        const r = await call(url(path, { clientId: s.clientId, token: tok.accessToken }));
        assert.deepEqual(r.json, { result: 'ok', code: 0, description: 'no error', data: { openId: tok.openId, openid: tok.openId } });
      }
    });

    it('16: relation is a comma string of ids; empty → ""', async () => {
      const r = await call(url('/user/relation', { clientId: s.clientId, token: tok.accessToken }));
      const friends = (r.json.data as { friends: string }).friends;
      assert.equal(typeof friends, 'string');
      assert.deepEqual(friends.split(',').map(BigInt).map(String).sort(), [...friendIds].sort());
      assert.ok(!friends.includes(' '));
      const lonely = await seed(t.ctx);
      const m = await mint(t.ctx, lonely.clientId, lonely.userId, [2]);
      const r2 = await call(url('/user/relation', { clientId: lonely.clientId, token: m.accessToken }));
      assert.equal(r2.text, '{"result":"ok","code":0,"description":"no error","data":{"friends":""}}');
    });

    it('17: phoneAndEmail gives "" for absent or ungranted values, never null; /user/phone alias', async () => {
      const r = await call(url('/user/phoneAndEmail', { clientId: s.clientId, token: tok.accessToken }));
      assert.deepEqual(r.json.data, { phone: '13800000000', email: 'alice@example.com' });
      const bare = await seed(t.ctx);
      const m = await mint(t.ctx, bare.clientId, bare.userId, [4, 6]);
      const r2 = await call(url('/user/phoneAndEmail', { clientId: bare.clientId, token: m.accessToken }));
      assert.equal(r2.text, '{"result":"ok","code":0,"description":"no error","data":{"phone":"","email":""}}');
      const phoneOnly = await mint(t.ctx, s.clientId, s.userId, [4]);
      const r3 = await call(url('/user/phoneAndEmail', { clientId: s.clientId, token: phoneOnly.accessToken }));
      assert.deepEqual(r3.json.data, { phone: '13800000000', email: '' });
      const r4 = await call(url('/user/phone', { clientId: s.clientId, token: phoneOnly.accessToken }));
      assert.deepEqual(r4.json.data, { phone: '13800000000' });
    });

    it('18: client_id accepted; mismatched client → 96012 (401); unknown → 96001', async () => {
      const r = await call(url('/user/openidV2', { client_id: s.clientId, token: tok.accessToken }));
      assert.equal(r.json.code, 0);
      const other = await seed(t.ctx);
      const r2 = await call(url('/user/profile', { clientId: other.clientId, token: tok.accessToken }));
      assert.equal(r2.status, 401);
      assert.equal(r2.text, '{"result":"error","code":96012,"description":"server rejected auth request"}');
      const r3 = await call(url('/user/profile', { clientId: '2882303761517999999', token: tok.accessToken }));
      assert.equal(r3.status, 400);
      assert.equal(r3.json.code, 96001);
      assert.ok(!('data' in r3.json));
    });

    it('missing clientId is inferred from the token; POST form works; bad and missing tokens', async () => {
      assert.equal((await call(url('/user/profile', { token: tok.accessToken }))).json.code, 0);
      const post = await call(`${t.accountUrl}/user/profile`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ clientId: s.clientId, token: tok.accessToken }).toString(),
      });
      assert.equal(post.json.code, 0);
      const postQuery = await call(url('/user/profile', { clientId: s.clientId, token: tok.accessToken }), { method: 'POST' });
      assert.equal(postQuery.json.code, 0);
      const bad = await call(url('/user/profile', { clientId: s.clientId, token: 'nope-not-a-token-at-all' }));
      assert.equal(bad.status, 403);
      assert.equal(bad.text, '{"result":"error","code":96008,"description":"token invalid or expired"}');
      const none = await call(url('/user/profile', { clientId: s.clientId }));
      assert.equal(none.status, 400);
      assert.equal(none.json.code, 96002);
    });

    it('scope not granted → 96005; revoked grant → 96008', async () => {
      const m = await mint(t.ctx, s.clientId, s.userId, [1]);
      const r = await call(url('/user/relation', { clientId: s.clientId, token: m.accessToken }));
      assert.equal(r.json.code, 96005);
      const limited = await seed(t.ctx, { scopes: [1] });
      const m2 = await mint(t.ctx, limited.clientId, limited.userId, [1, 3]);
      const r2 = await call(url('/user/openidV2', { clientId: limited.clientId, token: m2.accessToken }));
      assert.equal(r2.json.code, 96005);
      const gone = await seed(t.ctx);
      const m3 = await mint(t.ctx, gone.clientId, gone.userId, [1]);
      await t.ctx.services.oauth.revokeGrant(gone.userId, gone.clientId);
      const r3 = await call(url('/user/profile', { clientId: gone.clientId, token: m3.accessToken }));
      assert.equal(r3.json.code, 96008);
    });

    it('requireMac: a call without the MAC header is refused', async () => {
      const strict = await seed(t.ctx, { flags: { requireMac: true } });
      const m = await mint(t.ctx, strict.clientId, strict.userId, [1]);
      const r = await call(url('/user/profile', { clientId: strict.clientId, token: m.accessToken }));
      assert.equal(r.json.code, 96012);
    });

    it('20: GET / always answers with a current Last-Modified (the C# SDK reads it as the server clock)', async () => {
      /** Last-Modified of one GET /, checked to lie between the request's start and end (whole seconds). */
      const lastModified = async (): Promise<number> => {
        const start = Math.floor(Date.now() / 1000) * 1000;
        const r = await fetch(`${t.accountUrl}/`);
        assert.equal(r.status, 200);
        await r.text();
        const lm = r.headers.get('last-modified');
        assert.ok(lm, 'Last-Modified is present');
        assert.match(lm, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
        const at = Date.parse(lm);
        assert.ok(at >= start && at <= Date.now(), `${lm} within the request`);
        return at;
      };
      const first = await lastModified();
      await new Promise((r) => setTimeout(r, 1100));
      assert.ok((await lastModified()) > first, 'a later request carries a later clock');
    });

    it('openApiErrorStatus=200 keeps errors at HTTP 200', async () => {
      const t2 = await startTestServer({ env: { OPAL_OPEN_API_ERROR_STATUS: '200' } });
      try {
        const r = await rawCall(t2.accountUrl, '/user/profile?clientId=1&token=x');
        assert.equal(r.status, 200);
        assert.equal(r.json.result, 'error');
      } finally {
        await t2.close();
      }
    });
  });
}
