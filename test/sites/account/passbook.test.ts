// Passbook through real HTTP: the app-authenticated issuing API, GET /app/get_pass (scope 16000,
// imei device binding, per-app isolation, revocation) and MAC on the passbook host name.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { dbBackends, startTestServer, type TestServer } from '../../helpers/env.ts';
import { call, canon, hmacB64, javaEnc, javaNonce, rawCall } from '../../helpers/open-api.ts';
import { type Minted, mint, type Seeded, seed } from '../../helpers/seed.ts';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
type WirePass = Record<string, string | number>;

for (const backend of dbBackends()) {
  describe(`passbook (${backend})`, () => {
    let t: TestServer;
    let s: Seeded;
    let tok: Minted;
    const api = async (path: string, body: Record<string, string>, who: { clientId: string; clientSecret: string } | null = s) =>
      call(`${t.accountUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(who ? { clientId: who.clientId, clientSecret: who.clientSecret, ...body } : body).toString(),
      });
    const getPass = (q: Record<string, string>) => call(`${t.accountUrl}/app/get_pass?${new URLSearchParams(q)}`);
    const passIds = (r: Awaited<ReturnType<typeof call>>) => (r.json.data as unknown as WirePass[]).map((p) => p.passId).sort();

    before(async () => {
      t = await startTestServer({ backend, redis: true, env: { OPAL_PASSBOOK_HOST: 'passbook.opal.test' } });
      s = await seed(t.ctx);
      tok = await mint(t.ctx, s.clientId, s.userId, [1, 16000]);
    });
    after(async () => {
      await t.close();
    });

    it('an empty passbook is an empty array in the open-API envelope', async () => {
      const r = await getPass({ clientId: s.clientId, token: tok.accessToken });
      assert.equal(r.status, 200);
      assert.equal(r.text, '{"result":"ok","code":0,"description":"no error","data":[]}');
    });

    /** A plan of `who`'s app and four passes: to the user, with a code, to a device, to the user on a device. */
    async function issueAll(who: Seeded): Promise<{ planId: string; ids: Record<string, string> }> {
      const plan = await api(
        '/app/pass_plan/create',
        {
          title: '10% off',
          description: 'On any order',
          logoUrl: 'https://cdn.example/logo.png',
          validStartDate: '2026-01-01T00:00:00Z',
          validEndDate: '2027-01-01T00:00:00Z',
        },
        who,
      );
      assert.equal(plan.json.code, 0, plan.text);
      const planId = (plan.json.data as { planId: string }).planId;
      assert.match(planId, /^\d+$/);
      const ids: Record<string, string> = {};
      const issue = async (name: string, body: Record<string, string>) => {
        const r = await api('/app/pass/issue', { planId, ...body }, who);
        assert.equal(r.json.code, 0, r.text);
        ids[name] = (r.json.data as { passId: string }).passId;
      };
      await issue('plain', { userId: who.userId });
      await issue('coded', { userId: who.userId, passCode: 'CODE-123' });
      await issue('device', { imeiMd5: md5('860000000000001').toUpperCase() });
      await issue('userOnDevice', { userId: who.userId, imei: '860000000000002' });
      return { planId, ids };
    }
    /** The passes of the seeded app and user that the tests below read (issued by the first that needs them). */
    let issuing: ReturnType<typeof issueAll> | undefined;
    const issued = () => {
      issuing ??= issueAll(s);
      return issuing;
    };

    it('issuing API: plans and passes to the user, with a code, to a device, to the user on a device', async () => {
      const { planId } = await issued();
      const listed = await api('/app/pass/list', {});
      assert.equal((listed.json.data as unknown as unknown[]).length, 4);
      const plans = await api('/app/pass_plan/list', {});
      assert.deepEqual(
        (plans.json.data as unknown as Array<{ planId: string }>).map((p) => p.planId),
        [planId],
      );
    });

    it('get_pass: the user sees their passes; device passes only with that imei', async () => {
      const { planId, ids } = await issued();
      const appName = (await t.ctx.services.apps.require(s.clientId)).name;
      const r = await getPass({ clientId: s.clientId, token: tok.accessToken });
      const passes = r.json.data as unknown as WirePass[];
      assert.deepEqual(passIds(r), [ids.plain, ids.coded].sort());
      const plain = passes.find((p) => p.passId === ids.plain);
      assert.deepEqual(plain, {
        passId: ids.plain,
        passCode: '',
        appName,
        appId: s.clientId,
        logoUrl: 'https://cdn.example/logo.png',
        planId,
        title: '10% off',
        description: 'On any order',
        validStartDate: Date.parse('2026-01-01T00:00:00Z'),
        validEndDate: Date.parse('2027-01-01T00:00:00Z'),
      });
      assert.equal(passes.find((p) => p.passId === ids.coded)?.passCode, 'CODE-123');
      assert.ok(!r.text.includes('null'));

      const d1 = await getPass({ clientId: s.clientId, token: tok.accessToken, imei: md5('860000000000001') });
      assert.deepEqual(passIds(d1), [ids.plain, ids.coded, ids.device].sort());
      const d2 = await getPass({ clientId: s.clientId, token: tok.accessToken, imei: md5('860000000000002').toUpperCase() });
      assert.deepEqual(passIds(d2), [ids.plain, ids.coded, ids.userOnDevice].sort());
      const bad = await getPass({ clientId: s.clientId, token: tok.accessToken, imei: '860000000000001' });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.code, 96002);
    });

    it('another app sees none of these passes; other users on the same app see none either', async () => {
      const { planId, ids } = await issued();
      const other = await seed(t.ctx);
      const m = await mint(t.ctx, other.clientId, s.userId, [16000]);
      const r = await getPass({ clientId: other.clientId, token: m.accessToken, imei: md5('860000000000001') });
      assert.deepEqual(r.json.data, []);
      const u2 = await t.ctx.services.users.create({ account: `pb-${s.account}`, password: 'pass-word-1' });
      const m2 = await mint(t.ctx, s.clientId, u2.userId, [16000]);
      const r2 = await getPass({ clientId: s.clientId, token: m2.accessToken, imei: md5('860000000000002') });
      assert.deepEqual(r2.json.data, []);
      // …but a device-only pass is the device's, whoever holds it.
      const r3 = await getPass({ clientId: s.clientId, token: m2.accessToken, imei: md5('860000000000001') });
      assert.deepEqual(passIds(r3), [ids.device]);
      // The other app can neither issue on nor revoke this app's plan/passes.
      const steal = await api('/app/pass/issue', { planId, userId: s.userId }, other);
      assert.equal(steal.status, 404);
      const revoke = await api('/app/pass/revoke', { passId: ids.plain ?? '' }, other);
      assert.equal(revoke.status, 404);
    });

    it('scope 16000 is required', async () => {
      const m = await mint(t.ctx, s.clientId, s.userId, [1]);
      const r = await getPass({ clientId: s.clientId, token: m.accessToken });
      assert.equal(r.json.code, 96005);
      assert.ok(!('data' in r.json));
    });

    it('revoked passes disappear', async () => {
      // Passes of an app of its own: the other tests read the seeded app's passes.
      const own = await seed(t.ctx);
      const { ids } = await issueAll(own);
      const ownTok = await mint(t.ctx, own.clientId, own.userId, [1, 16000]);
      const r = await api('/app/pass/revoke', { passId: ids.coded ?? '' }, own);
      assert.equal(r.json.code, 0, r.text);
      const again = await api('/app/pass/revoke', { passId: ids.coded ?? '' }, own);
      assert.equal(again.status, 409);
      const g = await getPass({ clientId: own.clientId, token: ownTok.accessToken });
      assert.deepEqual(passIds(g), [ids.plain]);
    });

    it('app authentication: wrong secret 96003, unknown client 96001, missing 96002; Basic and JSON work', async () => {
      const wrong = await api('/app/pass_plan/list', {}, { clientId: s.clientId, clientSecret: 'nope' });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.json.code, 96003);
      const unknown = await api('/app/pass_plan/list', {}, { clientId: '2882303761517999999', clientSecret: 'x' });
      assert.equal(unknown.json.code, 96001);
      const missing = await api('/app/pass_plan/list', {}, null);
      assert.equal(missing.json.code, 96002);
      const basic = await call(`${t.accountUrl}/app/pass_plan/list`, {
        headers: { authorization: `Basic ${Buffer.from(`${s.clientId}:${s.clientSecret}`).toString('base64')}` },
      });
      assert.equal(basic.json.code, 0, basic.text);
      const json = await call(`${t.accountUrl}/app/pass_plan/create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: s.clientId, clientSecret: s.clientSecret, title: 'JSON plan', validEndDate: Date.now() + 1000 }),
      });
      assert.equal(json.json.code, 0, json.text);
      const badPlan = await api('/app/pass_plan/create', { title: '' });
      assert.equal(badPlan.status, 400);
      assert.equal(badPlan.json.code, 96002);
    });

    it('a secret sent unencoded with + and = (JustAuth) is accepted, as at the token endpoint (§4.4)', async () => {
      const other = await seed(t.ctx);
      let secret = '';
      for (let i = 0; i < 200 && !(secret.includes('+') && secret.includes('=')); i++) {
        secret = await t.ctx.services.apps.rotateSecret(other.clientId);
      }
      assert.ok(secret.includes('+') && secret.includes('='), secret);
      const form = await call(`${t.accountUrl}/app/pass_plan/list`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `clientId=${other.clientId}&clientSecret=${secret}`,
      });
      assert.equal(form.json.code, 0, form.text);
      const query = await call(`${t.accountUrl}/app/pass_plan/list?clientId=${other.clientId}&clientSecret=${secret}`);
      assert.equal(query.json.code, 0, query.text);
      const basic = await call(`${t.accountUrl}/app/pass_plan/list`, {
        headers: { authorization: `Basic ${Buffer.from(`${other.clientId}:${secret}`).toString('base64')}` },
      });
      assert.equal(basic.json.code, 0, basic.text);
      const wrong = await call(`${t.accountUrl}/app/pass_plan/list?clientId=${other.clientId}&clientSecret=${secret.replace(/\+/g, '-')}`);
      assert.equal(wrong.status, 401);
      assert.equal(wrong.json.code, 96003);
      const pub = await seed(t.ctx, { flags: { public: true } });
      const noSecret = await call(`${t.accountUrl}/app/pass_plan/list?clientId=${pub.clientId}`);
      assert.equal(noSecret.status, 400);
      assert.equal(noSecret.json.code, 96002);
      assert.match(noSecret.text, /missing clientSecret/);
    });

    it('get_pass on the passbook host name, MAC signed with that host', async () => {
      const q = `clientId=${s.clientId}&token=${tok.accessToken}`;
      for (const signedHost of ['passbook.opal.test', 'api.passbook.xiaomi.com']) {
        const nonce = javaNonce();
        const mac = hmacB64(tok.macKey, canon(nonce, 'GET', signedHost, '/app/get_pass', q));
        const r = await rawCall(t.accountUrl, `/app/get_pass?${q}`, {
          headers: {
            host: 'passbook.opal.test',
            authorization: `MAC access_token="${tok.accessToken}", nonce="${javaEnc(nonce)}",mac="${javaEnc(mac)}"`,
          },
        });
        assert.equal(r.json.code, 0, `${signedHost}: ${r.text}`);
      }
    });
  });
}
