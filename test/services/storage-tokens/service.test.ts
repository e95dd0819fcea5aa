// The exchange as a service against fake QQ / Sina / RenRen servers on loopback: tokens verified
// at the provider, tokens of another app refused, switches, bindings, timeouts, rate limits,
// audit events, look-up, expiry and revocation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FdsError } from '../../../src/core/fds/errors.ts';
import { createTestContext, dbBackends, type TestContext } from '../../helpers/env.ts';
import { type FakeProviders, fakeProviderEnv, startFakeProviders } from '../../helpers/fake-providers.ts';

const QQ_APP = '101364207';
const SINA_APP = '3748582991';
const RENREN_APP = '239085';

for (const backend of dbBackends()) {
  describe(`storage-token exchange service (${backend})`, () => {
    let fakes: FakeProviders;
    let t: TestContext;
    let appId: string;
    const ex = (o: Record<string, string>, ip = '198.51.100.1') =>
      t.ctx.services.storageTokens.exchange(new Map(Object.entries({ storageAccessToken: '', appId, ...o })), ip);
    const refused = async (p: Promise<unknown>, error: string, re: RegExp) => {
      await assert.rejects(p, (e: unknown) => {
        assert.ok(e instanceof FdsError, String(e));
        assert.equal(e.code, error);
        assert.match(e.message, re);
        return true;
      });
    };
    /** An exchange the provider's answer refuses (VerifyOAuthAccessTokenError, message matching `re`). */
    const notVerified = (
      oauthProvider: string,
      oauthAppId: string,
      oauthAccessToken: string,
      re: RegExp,
      extra: Record<string, string> = {},
    ) => refused(ex({ oauthAppId, oauthAccessToken, oauthProvider, ...extra }), 'VerifyOAuthAccessTokenError', re);

    before(async () => {
      fakes = await startFakeProviders();
      t = await createTestContext({ backend, env: { ...fakeProviderEnv(fakes), OPAL_FDS_OAUTH_TIMEOUT_MS: '300' } });
      const { app } = await t.ctx.services.apps.create({ name: 'Photos', redirectUris: 'https://photos.example/cb' });
      appId = app.clientId;
      const st = t.ctx.services.storageTokens;
      await st.bind(appId, 'QQ', QQ_APP);
      await st.bind(appId, 'Sina', SINA_APP);
      await st.bind(appId, 'RenRen', RENREN_APP);
      fakes.qq.tokens.set('qq-alice', { userId: '805CFCB3AFEA40CA7CE4B6D8A8668793', appId: QQ_APP });
      fakes.qq.tokens.set('qq-other-app', { userId: '805CFCB3AFEA40CA7CE4B6D8A8668793', appId: '999999' });
      fakes.sina.tokens.set('sina-bob', { userId: '5712659759', appId: SINA_APP });
      fakes.sina.tokens.set('sina-other-app', { userId: '5712659759', appId: '1111' });
      fakes.sina.tokens.set('sina-expired', { userId: '5712659759', appId: SINA_APP, expired: true });
      fakes.renren.tokens.set('rr-carol', { userId: '242164211', appId: RENREN_APP });
      fakes.renren.tokens.set('rr-other-app', { userId: '242164211', appId: '7' });
      fakes.renren.tokens.set('rr-expired', { userId: '242164211', appId: RENREN_APP, expired: true });
    });
    after(async () => {
      await t.close();
      await fakes.close();
    });

    it('QQ: exchanges a token issued to oauthAppId and authenticates with the storage token', async () => {
      const before = Date.now();
      const r = await ex({
        oauthAppId: QQ_APP,
        oauthAccessToken: 'qq-alice',
        oauthProvider: 'QQ',
        oauthOpenId: '805CFCB3AFEA40CA7CE4B6D8A8668793',
      });
      assert.match(r.token, /^[A-Za-z0-9_-]{40}$/);
      const week = 7 * 24 * 3600 * 1000;
      assert.ok(r.expireTime >= before + week && r.expireTime <= Date.now() + week);
      const caller = await t.ctx.services.storageTokens.authenticateStorageToken(appId, r.token);
      assert.equal(caller?.provider, 'QQ');
      assert.equal(caller?.providerUserId, '805CFCB3AFEA40CA7CE4B6D8A8668793');
      assert.equal(caller?.appId, appId);
      assert.equal(
        await t.ctx.services.storageTokens.authenticateStorageToken('2882303761517999999', r.token),
        undefined,
        'bound to its appId',
      );
      assert.equal(await t.ctx.services.storageTokens.authenticateStorageToken(appId, `${r.token}x`), undefined);
      const sent = fakes.qq.requests.at(-1);
      assert.equal(sent?.url, '/oauth2.0/me?access_token=qq-alice');
    });

    it('QQ: refuses a token issued to another app, an unknown token and a wrong oauthOpenId', async () => {
      await notVerified('QQ', QQ_APP, 'qq-other-app', /another app/);
      await notVerified('QQ', QQ_APP, 'qq-nobody', /100016/);
      await notVerified('QQ', QQ_APP, 'qq-alice', /oauthOpenId/, { oauthOpenId: 'AAAA' });
    });

    it('Sina: POSTs get_token_info, accepts its own app, refuses another app and expired tokens', async () => {
      const r = await ex({ oauthAppId: SINA_APP, oauthAccessToken: 'sina-bob', oauthProvider: 'Sina' });
      const caller = await t.ctx.services.storageTokens.authenticateStorageToken(appId, r.token);
      assert.equal(caller?.providerUserId, '5712659759');
      const sent = fakes.sina.requests.at(-1);
      assert.equal(sent?.method, 'POST');
      assert.equal(sent?.body, 'access_token=sina-bob');
      await notVerified('Sina', SINA_APP, 'sina-other-app', /another app/);
      await notVerified('Sina', SINA_APP, 'sina-expired', /21327/);
      await notVerified('Sina', SINA_APP, 'sina-nobody', /21332/);
    });

    it('RenRen: reads user and app, refuses another app and expired tokens', async () => {
      const r = await ex({ oauthAppId: RENREN_APP, oauthAccessToken: 'rr-carol', oauthProvider: 'RenRen' });
      assert.equal((await t.ctx.services.storageTokens.authenticateStorageToken(appId, r.token))?.providerUserId, '242164211');
      await notVerified('RenRen', RENREN_APP, 'rr-other-app', /another app/);
      await notVerified('RenRen', RENREN_APP, 'rr-expired', /EXPIRED-TOKEN/);
    });

    it('refuses bad parameters, unknown apps and oauth apps not bound to the FDS app', async () => {
      await refused(
        ex({ oauthAppId: QQ_APP, oauthAccessToken: 'qq-alice', oauthProvider: 'Twitter' }),
        'InvalidOAuthParameters',
        /unknown oauthProvider/,
      );
      await refused(ex({ oauthAppId: QQ_APP, oauthProvider: 'QQ' }), 'InvalidOAuthParameters', /missing parameter oauthAccessToken/);
      await refused(
        t.ctx.services.storageTokens.exchange(
          new Map(Object.entries({ appId: '2882303761517000404', oauthAppId: QQ_APP, oauthAccessToken: 'qq-alice', oauthProvider: 'QQ' })),
          'x',
        ),
        'InvalidOAuthParameters',
        /unknown appId/,
      );
      await refused(ex({ oauthAppId: '555', oauthAccessToken: 'qq-alice', oauthProvider: 'QQ' }), 'InvalidOAuthParameters', /not bound/);
    });

    it('audits every issued and refused exchange without secrets', async () => {
      const audited = async () => ({
        issued: await t.ctx.services.audit.list({ type: 'fds.storage_token.issued' }),
        refused: await t.ctx.services.audit.list({ type: 'fds.storage_token.refused' }),
      });
      const before = await audited();
      // Exchanges of its own (this test does not count on the ones of the tests before it).
      await ex({ oauthAppId: QQ_APP, oauthAccessToken: 'qq-alice', oauthProvider: 'QQ' });
      await ex({ oauthAppId: SINA_APP, oauthAccessToken: 'sina-bob', oauthProvider: 'Sina' });
      await ex({ oauthAppId: RENREN_APP, oauthAccessToken: 'rr-carol', oauthProvider: 'RenRen' });
      await notVerified('QQ', QQ_APP, 'qq-other-app', /another app/);
      await notVerified('QQ', QQ_APP, 'qq-nobody', /100016/);
      await notVerified('QQ', QQ_APP, 'qq-alice', /oauthOpenId/, { oauthOpenId: 'AAAA' });
      await notVerified('Sina', SINA_APP, 'sina-other-app', /another app/);
      await notVerified('Sina', SINA_APP, 'sina-expired', /21327/);
      await notVerified('Sina', SINA_APP, 'sina-nobody', /21332/);
      await notVerified('RenRen', RENREN_APP, 'rr-other-app', /another app/);
      await notVerified('RenRen', RENREN_APP, 'rr-expired', /EXPIRED-TOKEN/);
      const { issued, refused: refusedEvents } = await audited();
      assert.equal(issued.length - before.issued.length, 3);
      assert.equal(refusedEvents.length - before.refused.length, 8);
      const all = JSON.stringify([...issued, ...refusedEvents]);
      for (const secret of ['qq-alice', 'sina-bob', 'rr-carol', 'qq-other-app']) assert.ok(!all.includes(secret), secret);
      assert.ok(refusedEvents.some((e) => e.detail.includes('another app')));
    });

    it('revokes a token and refuses an expired one', async () => {
      const st = t.ctx.services.storageTokens;
      const a = await ex({ oauthAppId: QQ_APP, oauthAccessToken: 'qq-alice', oauthProvider: 'QQ' });
      const b = await ex({ oauthAppId: QQ_APP, oauthAccessToken: 'qq-alice', oauthProvider: 'QQ' });
      const live = await st.authenticateStorageToken(
        appId,
        (await ex({ oauthAppId: QQ_APP, oauthAccessToken: 'qq-alice', oauthProvider: 'QQ' })).token,
      );
      assert.ok(live);
      const ca = await st.authenticateStorageToken(appId, a.token);
      assert.ok(ca);
      assert.equal(await st.revokeWhere({ id: ca.tokenId }, 'test'), 1);
      assert.equal(await st.authenticateStorageToken(appId, a.token), undefined, 'revoked (cached look-up dropped)');
      const cb = await st.authenticateStorageToken(appId, b.token);
      assert.ok(cb);
      await t.ctx.db.kysely
        .updateTable('fds_storage_tokens')
        .set({ expires_at: Date.now() - 1 })
        .where('id', '=', cb.tokenId)
        .execute();
      await t.ctx.cache.del(
        `fds:st:${(await t.ctx.db.kysely.selectFrom('fds_storage_tokens').select('token_hash').where('id', '=', cb.tokenId).executeTakeFirstOrThrow()).token_hash}`,
      );
      assert.equal(await st.authenticateStorageToken(appId, b.token), undefined, 'expired');
      const listed = await st.list({ appId, all: true });
      assert.ok(listed.some((x) => x.id === ca.tokenId && x.state === 'revoked'));
      assert.ok(listed.some((x) => x.id === cb.tokenId && x.state === 'expired'));
      assert.equal(await st.purge(60_000), 0, 'kept for the retention period');
      assert.ok((await st.purge(0)) >= 2);
      const left = await st.list({ appId, all: true });
      assert.ok(!left.some((x) => x.id === ca.tokenId || x.id === cb.tokenId));
      assert.ok(
        left.some((x) => x.id === live.tokenId && x.state === 'live'),
        'live tokens stay',
      );
    });

    it('reports a provider that does not answer in time as an upstream error', async () => {
      fakes.qq.delayMs = 1000;
      try {
        await refused(
          ex({ oauthAppId: QQ_APP, oauthAccessToken: 'qq-alice', oauthProvider: 'QQ' }),
          'UpstreamServiceError',
          /no reply within 300 ms/,
        );
      } finally {
        fakes.qq.delayMs = 0;
      }
    });
  });
}

describe('storage-token exchange switches and limits', () => {
  it('refuses a disabled provider and rate-limits per address', async () => {
    const t = await createTestContext({ env: { OPAL_FDS_OAUTH_PROVIDERS: 'XiaoMi,Sina', OPAL_FDS_TOKEN_EXCHANGE_PER_MINUTE: '3' } });
    try {
      const { app } = await t.ctx.services.apps.create({ name: 'A', redirectUris: 'https://a.example/cb' });
      const q = new Map(Object.entries({ appId: app.clientId, oauthAppId: '1', oauthAccessToken: 'x', oauthProvider: 'QQ' }));
      const st = t.ctx.services.storageTokens;
      await assert.rejects(st.exchange(q, '203.0.113.9'), /oauthProvider QQ is disabled/);
      await assert.rejects(st.exchange(q, '203.0.113.9'), /disabled/);
      await assert.rejects(st.exchange(q, '203.0.113.9'), /disabled/);
      await assert.rejects(st.exchange(q, '203.0.113.9'), (e: unknown) => e instanceof FdsError && e.status === 429);
      await assert.rejects(st.exchange(q, '203.0.113.10'), /disabled/, 'another address has its own budget');
    } finally {
      await t.close();
    }
  });
});
