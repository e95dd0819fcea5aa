// Access-token look-ups and token details (src/services/oauth/token-lookup.ts, through the OAuth
// facade; mutation-testing survivors, docs/testing.md): what a token resolves to, field by field;
// what never resolves (a refresh token, an expired one, one whose grant or app is gone, a cached
// look-up past the token's expiry); that revocations and forgetCachedTokens drop cached look-ups
// (one by one, or all at once past 200 tokens); that a context without a cache still resolves;
// and inspect()'s details of every kind of token.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createContext } from '../../../src/context.ts';
import { deriveMacKey, deriveOpenId, deriveUnionId } from '../../../src/core/account/ids.ts';
import { sha256Hex } from '../../../src/lib/hash.ts';
import type { OAuthService } from '../../../src/services/oauth/oauth-service.ts';
import { createTestContext, dbBackends, type TestContext, testConfig, tmpDir } from '../../helpers/env.ts';
import { oauthOnClock } from '../../helpers/oauth-on-clock.ts';
import { expireToken, mint, type Seeded, seed, seedApp, seedUser } from '../../helpers/seed.ts';

const tokenRow = (t: TestContext, token: string) =>
  t.ctx.db.kysely.selectFrom('oauth_tokens').selectAll().where('token_hash', '=', sha256Hex(token)).executeTakeFirstOrThrow();

/** A second OAuth service over the context's store, on a clock the test sets. */
function clocked(t: TestContext, start: number): { oauth: OAuthService; at(ms: number): void } {
  let now = start;
  const oauth = oauthOnClock(t, () => now);
  return {
    oauth,
    at(ms: number) {
      now = ms;
    },
  };
}

for (const backend of dbBackends())
  describe(`access-token look-ups and token details (${backend})`, () => {
    let t: TestContext;
    let s: Seeded;
    before(async () => {
      t = await createTestContext({ backend });
      s = await seed(t.ctx);
    });
    after(async () => {
      await t.close();
    });

    test('a MAC token resolves to every field of its grant, from the store and then from the cache', async () => {
      const oauth = t.ctx.services.oauth;
      const app = await t.ctx.services.apps.require(s.clientId);
      const pair = await mint(t.ctx, s.clientId, s.userId, [3, 1]);
      const grant = await oauth.getGrant(s.userId, s.clientId);
      assert.ok(grant);
      const secret = t.ctx.serverSecret;
      const expected = {
        clientId: s.clientId,
        userId: s.userId,
        scopes: [3, 1],
        openId: deriveOpenId(secret, s.clientId, s.userId),
        unionId: deriveUnionId(secret, app.developerId, s.userId),
        tokenType: 'mac',
        macKey: deriveMacKey(secret, pair.accessToken),
        expiresAt: (await tokenRow(t, pair.accessToken)).expires_at,
        grantId: grant.grantId,
        oidc: false,
      };
      assert.deepEqual(await oauth.resolveAccessToken(pair.accessToken), expected);
      assert.deepEqual(await oauth.resolveAccessToken(pair.accessToken), expected, 'the cached look-up');
      // The facade's derivations are the core's, and the ones the token response carried.
      assert.equal(oauth.openIdOf(s.clientId, s.userId), expected.openId);
      assert.equal(oauth.unionIdOf(app.developerId, s.userId), expected.unionId);
      assert.equal(oauth.macKeyOf(pair.accessToken), expected.macKey);
      assert.deepEqual([pair.openId, pair.unionId, pair.macKey], [expected.openId, expected.unionId, expected.macKey]);
    });

    test('a bearer app’s token resolves as bearer, without a MAC key; an OpenID Connect token says so', async () => {
      const oauth = t.ctx.services.oauth;
      const b = await seed(t.ctx, { flags: { bearer: true } });
      const pair = await mint(t.ctx, b.clientId, b.userId, [1]);
      const info = await oauth.resolveAccessToken(pair.accessToken);
      assert.equal(info?.tokenType, 'bearer');
      assert.equal(info?.macKey, undefined);
      assert.equal(info?.oidc, false);

      const code = await oauth.issueCode({
        clientId: s.clientId,
        userId: s.userId,
        scopes: [1],
        redirectUri: 'https://app.example.com/cb',
        oidc: { authTime: 1_700_000_000, amr: ['pwd'] },
      });
      const o = await oauth.redeemCode({ clientId: s.clientId, code });
      const oi = await oauth.resolveAccessToken(o.accessToken);
      assert.equal(oi?.oidc, true);
      assert.equal(oi?.tokenType, 'bearer');
    });

    test('a refresh token, an expired token, one whose grant or app is gone: none resolves', async () => {
      const oauth = t.ctx.services.oauth;
      const pair = await mint(t.ctx, s.clientId, s.userId, [1]);
      assert.equal(await oauth.resolveAccessToken(pair.refreshToken), undefined, 'a refresh token is no access token');
      assert.equal(await oauth.resolveAccessToken(''), undefined);
      assert.equal(await oauth.resolveAccessToken('no-such-token'), undefined);

      const expired = await mint(t.ctx, s.clientId, s.userId, [1]);
      await expireToken(t.ctx, expired.accessToken);
      assert.equal(await oauth.resolveAccessToken(expired.accessToken), undefined);

      // A grant row gone without the revocation that takes its tokens (however that came about).
      const u = await seedUser(t.ctx);
      const orphan = await mint(t.ctx, s.clientId, u.userId, [1]);
      const grant = await oauth.getGrant(u.userId, s.clientId);
      assert.ok(grant);
      await t.ctx.db.kysely.deleteFrom('oauth_grants').where('grant_id', '=', grant.grantId).execute();
      assert.equal(await oauth.resolveAccessToken(orphan.accessToken), undefined);

      const gone = await seedApp(t.ctx);
      const ofGone = await mint(t.ctx, gone.clientId, s.userId, [1]);
      await t.ctx.services.apps.delete(gone.clientId);
      assert.equal(await oauth.resolveAccessToken(ofGone.accessToken), undefined);
    });

    test('revoking a token or a grant drops its cached look-up; so does forgetCachedTokens', async () => {
      const oauth = t.ctx.services.oauth;
      const a = await mint(t.ctx, s.clientId, s.userId, [1]);
      assert.ok(await oauth.resolveAccessToken(a.accessToken));
      assert.equal(await oauth.revokeToken(a.accessToken, s.clientId), true);
      assert.equal(await oauth.resolveAccessToken(a.accessToken), undefined);

      const app = await seed(t.ctx);
      const b = await mint(t.ctx, app.clientId, app.userId, [1]);
      assert.ok(await oauth.resolveAccessToken(b.accessToken));
      // Disabled: the cached look-up holds until it is forgotten (the admin service forgets them).
      await t.ctx.services.apps.setDisabled(app.clientId, true);
      assert.ok(await oauth.resolveAccessToken(b.accessToken), 'still cached');
      await oauth.forgetCachedTokens();
      assert.equal(await oauth.resolveAccessToken(b.accessToken), undefined);
    });

    test('a grant revoked with more than 200 live tokens drops every cached look-up at once', async () => {
      const oauth = t.ctx.services.oauth;
      const many = await seed(t.ctx);
      const app = await t.ctx.services.apps.require(many.clientId);
      const issued = [];
      for (let i = 0; i < 201; i++) issued.push(await oauth.issueImplicit(app, many.userId, [1]));
      const first = issued[0];
      const last = issued[200];
      assert.ok(first && last);
      assert.ok(await oauth.resolveAccessToken(first.accessToken));
      assert.ok(await oauth.resolveAccessToken(last.accessToken));
      assert.equal(await oauth.revokeGrant(many.userId, many.clientId), true);
      assert.equal(await oauth.resolveAccessToken(first.accessToken), undefined);
      assert.equal(await oauth.resolveAccessToken(last.accessToken), undefined);
    });

    test('a cached look-up ends with the token’s expiry', async () => {
      const c = clocked(t, Date.now());
      const app = await t.ctx.services.apps.require(s.clientId);
      const issued = await c.oauth.issueImplicit(app, s.userId, [1]);
      const expiresAt = (await tokenRow(t, issued.accessToken)).expires_at;
      c.at(expiresAt - 1);
      assert.equal((await c.oauth.inspect(issued.accessToken))?.active, true);
      assert.equal((await c.oauth.resolveAccessToken(issued.accessToken))?.expiresAt, expiresAt, 'resolved, and cached');
      c.at(expiresAt);
      assert.equal(await c.oauth.resolveAccessToken(issued.accessToken), undefined, 'the cached look-up has expired with the token');
      assert.equal((await c.oauth.inspect(issued.accessToken))?.active, false, 'inactive from its expiry’s millisecond');
      c.at(expiresAt - 1);
      assert.ok(await c.oauth.resolveAccessToken(issued.accessToken), 'a millisecond earlier, the same cached look-up is live');
    });

    test('inspect: the details of access and refresh tokens, live, rotated, revoked or expired', async () => {
      const oauth = t.ctx.services.oauth;
      const app = await t.ctx.services.apps.require(s.clientId);
      assert.equal(await oauth.inspect('no-such-token'), undefined);
      const pair = await mint(t.ctx, s.clientId, s.userId, [1, 4]);
      const grant = await oauth.getGrant(s.userId, s.clientId);
      const acc = await tokenRow(t, pair.accessToken);
      const common = {
        clientId: s.clientId,
        userId: s.userId,
        scopes: [1, 4],
        tokenType: 'mac',
        grantId: grant?.grantId,
        familyId: acc.family_id,
        createdAt: acc.created_at,
        usedAt: null,
        revokedAt: null,
        openId: oauth.openIdOf(s.clientId, s.userId),
        unionId: oauth.unionIdOf(app.developerId, s.userId),
      };
      assert.deepEqual(await oauth.inspect(pair.accessToken), { ...common, kind: 'access', active: true, expiresAt: acc.expires_at });
      const ref = await tokenRow(t, pair.refreshToken);
      assert.deepEqual(await oauth.inspect(pair.refreshToken), { ...common, kind: 'refresh', active: true, expiresAt: ref.expires_at });

      await oauth.refresh(s.clientId, pair.refreshToken);
      const used = await oauth.inspect(pair.refreshToken);
      assert.equal(used?.active, false, 'rotated out');
      assert.equal(typeof used?.usedAt, 'number');
      assert.equal(used?.revokedAt, null);

      const revoked = await mint(t.ctx, s.clientId, s.userId, [1]);
      await oauth.revokeToken(revoked.accessToken);
      const r = await oauth.inspect(revoked.accessToken);
      assert.equal(r?.active, false);
      assert.equal(typeof r?.revokedAt, 'number');
      assert.equal(r?.usedAt, null);

      const expired = await mint(t.ctx, s.clientId, s.userId, [1]);
      await expireToken(t.ctx, expired.accessToken);
      const e = await oauth.inspect(expired.accessToken);
      assert.equal(e?.active, false);
      assert.deepEqual([e?.usedAt, e?.revokedAt], [null, null]);

      const b = await seed(t.ctx, { flags: { bearer: true } });
      const bp = await mint(t.ctx, b.clientId, b.userId, [1]);
      assert.equal((await oauth.inspect(bp.accessToken))?.tokenType, 'bearer');
      // The app deleted: details stay readable, without a unionId.
      await t.ctx.services.apps.delete(b.clientId);
      const orphan = await oauth.inspect(bp.accessToken);
      assert.equal(orphan?.unionId, '');
      assert.equal(orphan?.openId, oauth.openIdOf(b.clientId, b.userId));
    });
  });

describe('access-token look-ups without a cache (the CLI’s data commands)', () => {
  test('tokens resolve and revocations work on the store alone', async () => {
    const dir = tmpDir();
    const ctx = await createContext(testConfig(dir.path), { full: false });
    try {
      const s = await seed(ctx);
      const pair = await mint(ctx, s.clientId, s.userId, [1]);
      assert.equal((await ctx.services.oauth.resolveAccessToken(pair.accessToken))?.userId, s.userId);
      await ctx.services.oauth.forgetCachedTokens();
      assert.equal(await ctx.services.oauth.revokeToken(pair.accessToken), true);
      assert.equal(await ctx.services.oauth.resolveAccessToken(pair.accessToken), undefined);
      assert.equal(await ctx.services.oauth.revokeGrant(s.userId, s.clientId), true);
    } finally {
      await ctx.close();
      dir.remove();
    }
  });
});
