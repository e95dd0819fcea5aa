// What the token lifecycle refuses and what it records (mutation-testing survivors of
// src/services/oauth/lifecycle.ts, docs/testing.md): a refresh with the wrong kind of token, another
// client's, a revoked or an expired one, or for an app deleted meanwhile, is refused and revokes
// nothing; a replay revokes its own family and no other; the audit trail says which grant issued a
// token and who replayed what.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { XM, XmOAuthError } from '../../../src/core/account/errors.ts';
import { sha256Hex } from '../../../src/lib/hash.ts';
import { createTestContext, type TestContext } from '../../helpers/env.ts';
import { expireToken, mint, SEED_REDIRECT, type Seeded, seed, seedApp } from '../../helpers/seed.ts';

const refused = (code: number) => (e: unknown) => e instanceof XmOAuthError && e.code === code;

describe('token lifecycle: refusals and audit records', () => {
  let t: TestContext;
  let s: Seeded;
  before(async () => {
    t = await createTestContext();
    s = await seed(t.ctx);
  });
  after(async () => {
    await t.close();
  });

  const live = async (accessToken: string) => (await t.ctx.services.oauth.resolveAccessToken(accessToken)) !== undefined;

  test('an access token, another client’s refresh token, a revoked or an expired one: refused, nothing revoked', async () => {
    const oauth = t.ctx.services.oauth;
    const pair = await mint(t.ctx, s.clientId, s.userId, [1]);
    await assert.rejects(oauth.refresh(s.clientId, pair.accessToken), refused(XM.INVALID_REFRESH_TOKEN));
    const other = await seedApp(t.ctx);
    await assert.rejects(oauth.refresh(other.clientId, pair.refreshToken), refused(XM.INVALID_REFRESH_TOKEN));
    // Neither refusal was a replay: the pair still works and its refresh token still rotates.
    assert.ok(await live(pair.accessToken));
    const rotated = await oauth.refresh(s.clientId, pair.refreshToken);
    assert.ok(await live(rotated.accessToken));

    const revoked = await mint(t.ctx, s.clientId, s.userId, [1]);
    assert.equal(await oauth.revokeToken(revoked.refreshToken, s.clientId), true);
    await assert.rejects(oauth.refresh(s.clientId, revoked.refreshToken), refused(XM.INVALID_REFRESH_TOKEN));

    const expired = await mint(t.ctx, s.clientId, s.userId, [1]);
    await expireToken(t.ctx, expired.refreshToken);
    await assert.rejects(oauth.refresh(s.clientId, expired.refreshToken), refused(XM.INVALID_REFRESH_TOKEN));
    assert.ok(await live(expired.accessToken), 'an expired refresh token revokes nothing');
  });

  test('a refresh for an app deleted meanwhile is refused', async () => {
    const app = await seedApp(t.ctx);
    const pair = await mint(t.ctx, app.clientId, s.userId, [1]);
    await t.ctx.services.apps.delete(app.clientId);
    // The token row stays; the refresh is refused because its app is gone.
    const row = await t.ctx.db.kysely
      .selectFrom('oauth_tokens')
      .select(['kind', 'revoked_at'])
      .where('token_hash', '=', sha256Hex(pair.refreshToken))
      .executeTakeFirst();
    assert.deepEqual(row, { kind: 'refresh', revoked_at: null });
    await assert.rejects(t.ctx.services.oauth.refresh(app.clientId, pair.refreshToken), refused(XM.INVALID_REFRESH_TOKEN));
  });

  test('a replayed refresh token revokes its own family, not another family of the same user and app', async () => {
    const oauth = t.ctx.services.oauth;
    const a = await mint(t.ctx, s.clientId, s.userId, [1]);
    const b = await mint(t.ctx, s.clientId, s.userId, [1]);
    const a2 = await oauth.refresh(s.clientId, a.refreshToken);
    await assert.rejects(oauth.refresh(s.clientId, a.refreshToken), refused(XM.INVALID_REFRESH_TOKEN));
    assert.equal(await live(a2.accessToken), false, 'the replayed family is revoked');
    assert.ok(await live(b.accessToken), 'the other family is not');
    assert.ok(await live((await oauth.refresh(s.clientId, b.refreshToken)).accessToken));
  });

  test('the audit trail names the grant of every issue and the replays with what they revoked', async () => {
    const oauth = t.ctx.services.oauth;
    const u = await seed(t.ctx);
    const code = await oauth.issueCode({ clientId: u.clientId, userId: u.userId, scopes: [1], redirectUri: SEED_REDIRECT });
    const first = await oauth.redeemCode({ clientId: u.clientId, code, ip: '192.0.2.7' });
    await oauth.refresh(u.clientId, first.refreshToken, '192.0.2.8');
    await assert.rejects(oauth.redeemCode({ clientId: u.clientId, code, ip: '192.0.2.9' }), refused(XM.INVALID_CODE));
    const events = (await t.ctx.services.audit.list({ subject: u.userId })).map((e) => ({
      type: e.type,
      subject: e.subject,
      clientId: e.client_id,
      ip: e.ip,
      detail: JSON.parse(e.detail) as unknown,
    }));
    const of = (type: string) => events.filter((e) => e.type === type);
    assert.deepEqual(
      of('oauth.token.issue').sort((x, y) => String(x.ip).localeCompare(String(y.ip))),
      [
        { type: 'oauth.token.issue', subject: u.userId, clientId: u.clientId, ip: '192.0.2.7', detail: { grant: 'authorization_code' } },
        { type: 'oauth.token.issue', subject: u.userId, clientId: u.clientId, ip: '192.0.2.8', detail: { grant: 'refresh_token' } },
      ],
    );
    // The code's family: the first pair and its rotation, two access and two refresh tokens.
    assert.deepEqual(of('oauth.code.reuse'), [
      { type: 'oauth.code.reuse', subject: u.userId, clientId: u.clientId, ip: '192.0.2.9', detail: { revokedTokens: 4 } },
    ]);

    const pair = await mint(t.ctx, u.clientId, u.userId, [1]);
    await oauth.refresh(u.clientId, pair.refreshToken);
    await assert.rejects(oauth.refresh(u.clientId, pair.refreshToken, '192.0.2.10'), refused(XM.INVALID_REFRESH_TOKEN));
    const replays = (await t.ctx.services.audit.list({ subject: u.userId, type: 'oauth.refresh.reuse' })).map((e) => ({
      clientId: e.client_id,
      ip: e.ip,
      detail: JSON.parse(e.detail) as unknown,
    }));
    assert.deepEqual(replays, [{ clientId: u.clientId, ip: '192.0.2.10', detail: { revokedTokens: 4 } }]);
  });
});
