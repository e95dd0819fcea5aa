// The token lifecycle rule by rule (src/services/oauth/lifecycle.ts, through the OAuth facade;
// mutation-testing survivors, docs/testing.md), on a clock the test sets: codes and refresh tokens
// expire at their exact millisecond; every refusal of a code redemption (another client's code,
// redirect binding, PKCE, an app or grant gone) refuses without revoking or minting anything;
// what mint() issues (lifetimes, scope, type, refresh or not, OIDC sessions without the nonce on
// refresh); RFC 7009 revocation; present(); the purge of day-old expired rows; and the same flow
// without a transaction handle.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { XM, XmOAuthError } from '../../../src/core/account/errors.ts';
import { LIFETIMES } from '../../../src/core/account/lifetimes.ts';
import { s256 } from '../../../src/core/account/pkce.ts';
import { codeFamily, familyId } from '../../../src/core/account/token-family.ts';
import { sha256Hex } from '../../../src/lib/hash.ts';
import type { OAuthService } from '../../../src/services/oauth/oauth-service.ts';
import { OAuthTokensRepo } from '../../../src/store/db/oauth-tokens-repo.ts';
import { createTestContext, dbBackends, type TestContext } from '../../helpers/env.ts';
import { oauthOnClock } from '../../helpers/oauth-on-clock.ts';
import { SEED_REDIRECT, type Seeded, seed, seedApp } from '../../helpers/seed.ts';

const L = LIFETIMES.legacy;
const T0 = 1_800_000_000_000;
const refused = (code: number) => (e: unknown) => e instanceof XmOAuthError && e.code === code;
/** An INVALID_GRANT refusal whose description names the rule. */
const grantRefused = (says: string) => (e: unknown) =>
  e instanceof XmOAuthError && e.code === XM.INVALID_GRANT && e.description === `invalid grant: ${says}`;
const VERIFIER = 'v'.repeat(43);

for (const backend of dbBackends())
  describe(`token lifecycle rules (${backend})`, () => {
    let t: TestContext;
    let s: Seeded;
    let now = T0;
    /** An OAuth service over the context's store on the test's clock (with or without transactions). */
    const service = (withDb = true) => oauthOnClock(t, () => now, { transactions: withDb });
    let oauth: OAuthService;
    const rows = (familyId: string) => t.ctx.db.kysely.selectFrom('oauth_tokens').selectAll().where('family_id', '=', familyId).execute();
    const row = (token: string) =>
      t.ctx.db.kysely.selectFrom('oauth_tokens').selectAll().where('token_hash', '=', sha256Hex(token)).executeTakeFirst();
    const codeRow = (code: string) =>
      t.ctx.db.kysely.selectFrom('oauth_codes').selectAll().where('code_hash', '=', sha256Hex(code)).executeTakeFirst();
    /** The family a code's exchange starts (its row's issue time and hash). */
    const family = async (code: string) => {
      const c = await codeRow(code);
      assert.ok(c, 'the code has a row');
      return codeFamily(c.created_at, c.code_hash);
    };
    const issue = (extra: Partial<Parameters<OAuthService['issueCode']>[0]> = {}) =>
      oauth.issueCode({ clientId: s.clientId, userId: s.userId, scopes: [1, 3], redirectUri: SEED_REDIRECT, ...extra });
    const reuses = async (userId: string) => (await t.ctx.services.audit.list({ subject: userId, type: 'oauth.code.reuse' })).length;

    before(async () => {
      t = await createTestContext({ backend });
      s = await seed(t.ctx);
      oauth = service();
    });
    after(async () => {
      await t.close();
    });

    test('a code and a refresh token expire at their exact millisecond', async () => {
      now = T0;
      const code = await issue();
      assert.equal((await codeRow(code))?.expires_at, T0 + L.codeMs);
      now = T0 + L.codeMs;
      await assert.rejects(oauth.redeemCode({ clientId: s.clientId, code }), refused(XM.INVALID_CODE));
      now = T0 + L.codeMs - 1;
      const pair = await oauth.redeemCode({ clientId: s.clientId, code });
      const issuedAt = now;
      assert.equal((await row(pair.refreshToken))?.expires_at, issuedAt + L.refreshTokenSec * 1000);
      assert.equal((await row(pair.accessToken))?.expires_at, issuedAt + L.accessTokenSec * 1000);

      now = issuedAt + L.accessTokenSec * 1000;
      assert.equal(await oauth.resolveAccessToken(pair.accessToken), undefined, 'the access token expires at its millisecond');
      now = issuedAt + L.refreshTokenSec * 1000;
      await assert.rejects(oauth.refresh(s.clientId, pair.refreshToken), refused(XM.INVALID_REFRESH_TOKEN));
      now = issuedAt + L.refreshTokenSec * 1000 - 1;
      assert.ok((await oauth.refresh(s.clientId, pair.refreshToken)).accessToken);
      now = T0;
    });

    test('what a redemption issues: lifetimes, scope, type, a refresh token; an implicit token has none', async () => {
      const code = await issue();
      const t1 = await oauth.redeemCode({ clientId: s.clientId, code });
      assert.equal(t1.expiresIn, L.accessTokenSec);
      assert.equal(t1.scope, '1 3');
      assert.equal(t1.tokenType, 'mac');
      assert.equal(t1.macKey, oauth.macKeyOf(t1.accessToken));
      assert.equal(t1.openId, oauth.openIdOf(s.clientId, s.userId));
      assert.equal('oidc' in t1, false);
      assert.ok(t1.refreshToken.length >= 30);
      const fam = await rows(await family(code));
      assert.deepEqual(fam.map((r) => r.kind).sort(), ['access', 'refresh']);
      for (const r of fam) {
        assert.equal(r.scopes, '1,3');
        assert.equal(r.token_type, 'mac');
        assert.equal(r.created_at, now);
        assert.equal(r.oidc, null);
      }

      const app = await t.ctx.services.apps.require(s.clientId);
      const imp = await oauth.issueImplicit(app, s.userId, [1], '192.0.2.70');
      assert.equal(imp.refreshToken, '');
      const impRow = await row(imp.accessToken);
      assert.ok(impRow);
      assert.ok(impRow.family_id.startsWith(familyId(now, '')), 'an implicit family begins with its issue time');
      assert.equal(impRow.family_id.length, 9 + 28);
      assert.deepEqual(
        (await rows(impRow.family_id)).map((r) => r.kind),
        ['access'],
      );
      const audit = await t.ctx.services.audit.list({ subject: s.userId, type: 'oauth.token.issue' });
      assert.ok(audit.some((e) => e.ip === '192.0.2.70' && e.client_id === s.clientId && JSON.parse(e.detail).grant === 'implicit'));
    });

    test('no access token, refresh token or MAC key begins with "-" (a command line would take it for an option)', async () => {
      const app = await t.ctx.services.apps.require(s.clientId);
      // 400 MAC tokens: were the key not drawn again, one in 64 would begin with '-' ((63/64)^400 < 0.2 %).
      for (let i = 0; i < 400; i++) {
        const imp = await oauth.issueImplicit(app, s.userId, [1]);
        assert.equal(imp.tokenType, 'mac');
        assert.equal(imp.macKey, oauth.macKeyOf(imp.accessToken));
        assert.ok(!imp.macKey?.startsWith('-') && !imp.accessToken.startsWith('-'), `${imp.accessToken} / ${imp.macKey}`);
      }
    });

    test('OpenID Connect codes issue bearer tokens with the session; a refresh keeps it without the nonce', async () => {
      const session = { authTime: 1_700_000_000, amr: ['pwd', 'otp'], nonce: 'n-0S6_WzA2Mj' };
      const code = await issue({ oidc: session });
      assert.equal((await oauth.present({ code })).oidc, true);
      const t1 = await oauth.redeemCode({ clientId: s.clientId, code });
      assert.equal(t1.tokenType, 'bearer');
      assert.equal(t1.macKey, undefined);
      assert.deepEqual(t1.oidc, session);
      const presented = await oauth.present({ refreshToken: t1.refreshToken });
      assert.equal(presented.oidc, true);
      const t2 = await oauth.refresh(s.clientId, t1.refreshToken, undefined, presented);
      assert.equal(t2.tokenType, 'bearer');
      assert.deepEqual(t2.oidc, { authTime: 1_700_000_000, amr: ['pwd', 'otp'] });
      assert.deepEqual(JSON.parse((await row(t2.refreshToken))?.oidc ?? 'null'), { authTime: 1_700_000_000, amr: ['pwd', 'otp'] });
    });

    test('present(): a code, a refresh token, nothing; a presented credential is used only for its own secret', async () => {
      assert.deepEqual(await oauth.present({}), { kind: 'none', oidc: false });
      const unknown = await oauth.present({ code: 'no-such-code' });
      assert.deepEqual(unknown, { kind: 'code', secret: 'no-such-code', hash: sha256Hex('no-such-code'), row: undefined, oidc: false });
      const unknownRt = await oauth.present({ refreshToken: 'no-such-token' });
      assert.deepEqual(unknownRt, {
        kind: 'refresh',
        secret: 'no-such-token',
        hash: sha256Hex('no-such-token'),
        row: undefined,
        oidc: false,
      });

      const a = await issue();
      const b = await issue();
      const pa = await oauth.present({ code: a });
      assert.equal(pa.kind, 'code');
      assert.equal(pa.oidc, false);
      // Presented for code a, redeemed for code b: b is what is redeemed, a stays unused.
      const tb = await oauth.redeemCode({ clientId: s.clientId, code: b }, pa);
      assert.equal((await row(tb.accessToken))?.family_id, await family(b));
      assert.equal((await codeRow(a))?.used_at, null);
      const ta = await oauth.redeemCode({ clientId: s.clientId, code: a }, pa);
      assert.equal((await row(ta.accessToken))?.family_id, await family(a));

      // The same for refresh tokens.
      const pra = await oauth.present({ refreshToken: ta.refreshToken });
      assert.equal(pra.kind, 'refresh');
      const rb = await oauth.refresh(s.clientId, tb.refreshToken, undefined, pra);
      assert.equal((await row(rb.accessToken))?.family_id, await family(b));
      assert.equal((await row(ta.refreshToken))?.used_at, null);
    });

    test('refused redemptions: another client’s code, redirect binding, PKCE; nothing revoked or minted', async () => {
      const other = await seedApp(t.ctx);
      const before = await reuses(s.userId);
      const code = await issue({ bindRedirectHost: true, codeChallenge: s256(VERIFIER) });
      await assert.rejects(oauth.redeemCode({ clientId: other.clientId, code, codeVerifier: VERIFIER }), refused(XM.INVALID_CODE));
      await assert.rejects(
        oauth.redeemCode({ clientId: s.clientId, code, codeVerifier: VERIFIER, expectRedirectUri: `${SEED_REDIRECT}/x` }),
        refused(XM.INVALID_REDIRECT_URI),
      );
      await assert.rejects(
        oauth.redeemCode({ clientId: s.clientId, code, codeVerifier: VERIFIER, redirectUri: 'https://evil.example.net/cb' }),
        grantRefused('redirect_uri is not on the host the code was issued for'),
      );
      await assert.rejects(
        oauth.redeemCode({ clientId: s.clientId, code, codeVerifier: 'w'.repeat(43) }),
        grantRefused('PKCE verification failed'),
      );
      await assert.rejects(oauth.redeemCode({ clientId: s.clientId, code }), grantRefused('PKCE verification failed'));
      assert.equal((await codeRow(code))?.used_at, null, 'no refusal spent the code');
      // Same host, another path, the exact redirect: accepted.
      const ok = await oauth.redeemCode({
        clientId: s.clientId,
        code,
        codeVerifier: VERIFIER,
        redirectUri: `${SEED_REDIRECT}/other`,
        expectRedirectUri: SEED_REDIRECT,
      });
      assert.ok(ok.accessToken);
      assert.equal(await reuses(s.userId), before, 'no refusal was a replay');

      // Bound, and the exchange sends no redirect_uri (a lenient app): accepted.
      for (const redirectUri of [undefined, '']) {
        const bound = await issue({ bindRedirectHost: true });
        assert.ok((await oauth.redeemCode({ clientId: s.clientId, code: bound, redirectUri })).accessToken);
      }

      // Not bound: any redirect host passes.
      const unbound = await issue();
      assert.ok(
        (await oauth.redeemCode({ clientId: s.clientId, code: unbound, redirectUri: 'https://elsewhere.example.org/cb' })).accessToken,
      );

      // PKCE required and missing; a verifier for a code without challenge; an empty verifier is none.
      const plain = await issue();
      await assert.rejects(
        oauth.redeemCode({ clientId: s.clientId, code: plain, requirePkce: true }),
        grantRefused('PKCE is required for this client'),
      );
      await assert.rejects(
        oauth.redeemCode({ clientId: s.clientId, code: plain, codeVerifier: VERIFIER }),
        grantRefused('code_verifier sent for a code issued without code_challenge'),
      );
      assert.ok((await oauth.redeemCode({ clientId: s.clientId, code: plain, codeVerifier: '', requirePkce: false })).accessToken);
      const pk = await issue({ codeChallenge: s256(VERIFIER) });
      assert.ok((await oauth.redeemCode({ clientId: s.clientId, code: pk, codeVerifier: VERIFIER, requirePkce: true })).accessToken);
      assert.equal(await reuses(s.userId), before);
      assert.equal((await codeRow(plain))?.redirect_host_bound, 0);
      assert.equal((await codeRow(code))?.redirect_host_bound, 1);
    });

    test('a code whose app or grant is gone is refused, and mints nothing', async () => {
      const gone = await seed(t.ctx);
      const code = await oauth.issueCode({ clientId: gone.clientId, userId: gone.userId, scopes: [1], redirectUri: SEED_REDIRECT });
      await t.ctx.services.apps.setDisabled(gone.clientId, true);
      await assert.rejects(oauth.redeemCode({ clientId: gone.clientId, code }), refused(XM.CLIENT_NOT_EXISTS));
      await t.ctx.services.apps.setDisabled(gone.clientId, false);

      // The grant row deleted behind the code's back (a revocation racing the redemption).
      const grant = await oauth.getGrant(gone.userId, gone.clientId);
      assert.ok(grant);
      await t.ctx.db.kysely.deleteFrom('oauth_grants').where('grant_id', '=', grant.grantId).execute();
      await assert.rejects(oauth.redeemCode({ clientId: gone.clientId, code }), refused(XM.INVALID_CODE));
      assert.deepEqual(await rows(await family(code)), [], 'nothing minted');
      assert.equal((await codeRow(code))?.used_at, null, 'the code was not spent');
      assert.equal(await reuses(gone.userId), 0, 'not a replay');

      // A refresh token whose grant is gone.
      const r = await seed(t.ctx);
      const c2 = await oauth.issueCode({ clientId: r.clientId, userId: r.userId, scopes: [1], redirectUri: SEED_REDIRECT });
      const pair = await oauth.redeemCode({ clientId: r.clientId, code: c2 });
      const g2 = await oauth.getGrant(r.userId, r.clientId);
      assert.ok(g2);
      await t.ctx.db.kysely.deleteFrom('oauth_grants').where('grant_id', '=', g2.grantId).execute();
      await assert.rejects(oauth.refresh(r.clientId, pair.refreshToken), refused(XM.INVALID_REFRESH_TOKEN));
      assert.equal((await row(pair.refreshToken))?.used_at, null, 'the refresh token was not spent');
      assert.equal((await rows(await family(c2))).length, 2, 'nothing minted');
      assert.equal((await t.ctx.services.audit.list({ subject: r.userId, type: 'oauth.refresh.reuse' })).length, 0);
    });

    test('a spent code or refresh token coming back is a replay even after expiry or with its app disabled', async () => {
      const u = await seed(t.ctx);
      now = T0;
      const code = await oauth.issueCode({ clientId: u.clientId, userId: u.userId, scopes: [1], redirectUri: SEED_REDIRECT });
      const first = await oauth.redeemCode({ clientId: u.clientId, code });
      now = T0 + L.codeMs + 1;
      await assert.rejects(oauth.redeemCode({ clientId: u.clientId, code }), refused(XM.INVALID_CODE));
      assert.equal(await reuses(u.userId), 1, 'the expired, spent code was replayed');
      assert.equal(typeof (await row(first.accessToken))?.revoked_at, 'number');

      const code2 = await oauth.issueCode({ clientId: u.clientId, userId: u.userId, scopes: [1], redirectUri: SEED_REDIRECT });
      const second = await oauth.redeemCode({ clientId: u.clientId, code: code2 });
      await oauth.refresh(u.clientId, second.refreshToken);
      await t.ctx.services.apps.setDisabled(u.clientId, true);
      await assert.rejects(oauth.redeemCode({ clientId: u.clientId, code: code2 }), refused(XM.INVALID_CODE));
      assert.equal(await reuses(u.userId), 2, 'a replay, not an unknown client');
      const code3 = await oauth.issueCode({ clientId: u.clientId, userId: u.userId, scopes: [1], redirectUri: SEED_REDIRECT });
      await t.ctx.services.apps.setDisabled(u.clientId, false);
      const third = await oauth.redeemCode({ clientId: u.clientId, code: code3 });
      await oauth.refresh(u.clientId, third.refreshToken);
      await t.ctx.services.apps.setDisabled(u.clientId, true);
      await assert.rejects(oauth.refresh(u.clientId, third.refreshToken), refused(XM.INVALID_REFRESH_TOKEN));
      const replays = await t.ctx.services.audit.list({ subject: u.userId, type: 'oauth.refresh.reuse' });
      assert.equal(replays.length, 1, 'a rotated-out refresh token of a disabled app is still a replay');
      now = T0;
    });

    test('a replayed code revokes its family, named by the code’s issue time or, by an earlier build, by its hash', async () => {
      for (const earlierBuild of [false, true]) {
        const u = await seed(t.ctx);
        // Issued, redeemed, refreshed and replayed at four different times.
        now = T0;
        const code = await oauth.issueCode({ clientId: u.clientId, userId: u.userId, scopes: [1], redirectUri: SEED_REDIRECT });
        now = T0 + 1_000;
        const first = await oauth.redeemCode({ clientId: u.clientId, code });
        now = T0 + 2_000;
        const rotated = await oauth.refresh(u.clientId, first.refreshToken);
        assert.equal((await rows(await family(code))).length, 4, 'the exchange and the refresh share the code’s family');
        if (earlierBuild) {
          // As a build before time-ordered families left them: the family is the code's hash.
          await t.ctx.db.kysely
            .updateTable('oauth_tokens')
            .set({ family_id: sha256Hex(code) })
            .where('family_id', '=', await family(code))
            .execute();
          assert.equal((await rows(sha256Hex(code))).length, 4);
        }
        assert.ok(await oauth.resolveAccessToken(rotated.accessToken), 'live before the replay');
        now = T0 + 3_000;
        await assert.rejects(oauth.redeemCode({ clientId: u.clientId, code }), refused(XM.INVALID_CODE));
        for (const token of [first.accessToken, rotated.accessToken, rotated.refreshToken]) {
          assert.equal(typeof (await row(token))?.revoked_at, 'number', `revoked (earlier build: ${earlierBuild})`);
          assert.equal(await oauth.resolveAccessToken(token), undefined);
        }
      }
      now = T0;
    });

    test('refresh refuses an unknown token, one revoked by a password reset and one of a disabled app, as no replay', async () => {
      const u = await seed(t.ctx);
      await assert.rejects(oauth.refresh(u.clientId, 'no-such-token'), refused(XM.INVALID_REFRESH_TOKEN));
      const mk = async () =>
        oauth.redeemCode({
          clientId: u.clientId,
          code: await oauth.issueCode({ clientId: u.clientId, userId: u.userId, scopes: [1], redirectUri: SEED_REDIRECT }),
        });
      // A password reset revokes the user's refresh tokens only: their access tokens stay live.
      const reset = await mk();
      assert.equal(await new OAuthTokensRepo(t.ctx.db.kysely).revokeRefreshOfUser(u.userId, now), 1);
      await assert.rejects(oauth.refresh(u.clientId, reset.refreshToken), refused(XM.INVALID_REFRESH_TOKEN));
      assert.ok(await oauth.resolveAccessToken(reset.accessToken), 'not treated as a replay: the access token stays live');

      const disabled = await mk();
      await t.ctx.services.apps.setDisabled(u.clientId, true);
      await assert.rejects(oauth.refresh(u.clientId, disabled.refreshToken), refused(XM.INVALID_REFRESH_TOKEN));
      await t.ctx.services.apps.setDisabled(u.clientId, false);
      assert.equal((await row(disabled.refreshToken))?.used_at, null, 'not spent');
      assert.equal((await t.ctx.services.audit.list({ subject: u.userId, type: 'oauth.refresh.reuse' })).length, 0);
    });

    test('revokeToken: an access token alone, a refresh token with its family, not another client’s; audited', async () => {
      const u = await seed(t.ctx);
      const other = await seedApp(t.ctx);
      const mk = async () =>
        oauth.redeemCode({
          clientId: u.clientId,
          code: await oauth.issueCode({ clientId: u.clientId, userId: u.userId, scopes: [1], redirectUri: SEED_REDIRECT }),
        });
      const a = await mk();
      assert.equal(await oauth.revokeToken(a.accessToken, other.clientId), false, 'another client’s token');
      assert.equal((await row(a.accessToken))?.revoked_at, null);
      assert.equal(await oauth.revokeToken('no-such-token'), false);
      assert.equal(await oauth.revokeToken(a.accessToken, u.clientId, 'someone', '192.0.2.80'), true);
      assert.equal((await row(a.accessToken))?.revoked_at, now);
      assert.equal((await row(a.refreshToken))?.revoked_at, null, 'an access token alone');
      assert.equal(await oauth.revokeToken(a.accessToken), true, 'revoked already: it still existed');

      const b = await mk();
      const b2 = await oauth.refresh(u.clientId, b.refreshToken);
      assert.equal(await oauth.revokeToken(b2.refreshToken), true);
      for (const tok of [b.accessToken, b.refreshToken, b2.accessToken, b2.refreshToken]) assert.equal((await row(tok))?.revoked_at, now);

      const events = (await t.ctx.services.audit.list({ subject: u.userId, type: 'oauth.token.revoke' })).map((e) => ({
        actor: e.actor,
        clientId: e.client_id,
        ip: e.ip,
        detail: JSON.parse(e.detail) as unknown,
      }));
      assert.deepEqual(
        events.sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
        [
          { actor: u.clientId, clientId: u.clientId, ip: null, detail: { kind: 'access', tokens: 0 } },
          { actor: u.clientId, clientId: u.clientId, ip: null, detail: { kind: 'refresh', tokens: 4 } },
          { actor: 'someone', clientId: u.clientId, ip: '192.0.2.80', detail: { kind: 'access', tokens: 1 } },
        ].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
      );
    });

    test('purgeExpired drops codes and tokens expired more than a day ago, nothing else', async () => {
      const u = await seed(t.ctx);
      now = T0;
      const oldCode = await oauth.issueCode({ clientId: u.clientId, userId: u.userId, scopes: [1], redirectUri: SEED_REDIRECT });
      const app = await t.ctx.services.apps.require(u.clientId);
      const oldToken = await oauth.issueImplicit(app, u.userId, [1]);
      const oldExpiry = (await row(oldToken.accessToken))?.expires_at ?? 0;
      now = T0 + 1000;
      const newCode = await oauth.issueCode({ clientId: u.clientId, userId: u.userId, scopes: [1], redirectUri: SEED_REDIRECT });
      const newToken = await oauth.issueImplicit(app, u.userId, [1]);
      const live = await oauth.issueImplicit(app, u.userId, [1]);

      // A day after the first code expired, but not yet a day after the second.
      now = T0 + L.codeMs + 24 * 3600_000 + 500;
      await oauth.purgeExpired();
      assert.equal(await codeRow(oldCode), undefined);
      assert.ok(await codeRow(newCode));
      assert.ok(await row(oldToken.accessToken), 'a token expiring long after stays');
      now = oldExpiry + 24 * 3600_000 + 500;
      await oauth.purgeExpired();
      assert.equal(await codeRow(newCode), undefined);
      assert.equal(await row(oldToken.accessToken), undefined);
      assert.ok(await row(newToken.accessToken));
      assert.ok(await row(live.accessToken));
      now = T0;
    });

    test('without a transaction handle, codes redeem and refresh tokens rotate the same way', async () => {
      const plain = service(false);
      const u = await seed(t.ctx);
      const code = await plain.issueCode({
        clientId: u.clientId,
        userId: u.userId,
        scopes: [1],
        redirectUri: SEED_REDIRECT,
        ip: '192.0.2.90',
      });
      const t1 = await plain.redeemCode({ clientId: u.clientId, code, ip: '192.0.2.91' });
      const t2 = await plain.refresh(u.clientId, t1.refreshToken, '192.0.2.92');
      assert.ok(await plain.resolveAccessToken(t2.accessToken));
      await assert.rejects(plain.redeemCode({ clientId: u.clientId, code }), refused(XM.INVALID_CODE));
      assert.equal(await plain.resolveAccessToken(t2.accessToken), undefined, 'the replay revoked the family');
      const issues = (await t.ctx.services.audit.list({ subject: u.userId, type: 'oauth.token.issue' })).map((e) => e.ip).sort();
      assert.deepEqual(issues, ['192.0.2.91', '192.0.2.92']);
      assert.equal((await t.ctx.services.audit.list({ subject: u.userId, type: 'oauth.grant' }))[0]?.ip, '192.0.2.90');
    });
  });
