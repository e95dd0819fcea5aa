// Revoking a grant while tokens are being minted under it (real HTTP): a refresh that commits
// during the revocation must not leave a live token behind, and a token whose grant is gone never
// resolves at the open API.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { dbBackends } from '../../../helpers/env.ts';
import { type Fixture, fixture, parseTokenBody } from '../../../helpers/oauth.ts';

const REDIRECT = 'https://app.example.com/cb';

for (const backend of dbBackends())
  describe(`grant revocation versus token minting (${backend})`, () => {
    let f: Fixture;
    before(async () => {
      f = await fixture({ backend, redis: true });
    });
    after(async () => {
      await f.t.close();
    });

    // A client address of its own: the token endpoint's failure counters in Redis are shared with
    // other test files.
    const ip = `2001:db8::${randomBytes(6).toString('hex').match(/.{4}/g)?.join(':')}`;
    const token = async (q: Record<string, string>) =>
      parseTokenBody(
        await (
          await fetch(`${f.base}/oauth2/token?${new URLSearchParams({ client_id: f.clientId, client_secret: f.clientSecret, ...q })}`, {
            headers: { 'x-forwarded-for': ip },
          })
        ).text(),
      );
    const issue = async () => {
      const code = await f.t.ctx.services.oauth.issueCode({ clientId: f.clientId, userId: f.userId, scopes: [1], redirectUri: REDIRECT });
      const t = await token({ grant_type: 'authorization_code', code });
      assert.equal(typeof t.access_token, 'string', JSON.stringify(t));
      return t as { access_token: string; refresh_token: string };
    };
    const profile = async (accessToken: string) =>
      ((await (await fetch(`${f.base}/user/profile?clientId=${f.clientId}&token=${accessToken}`)).json()) as { code: number }).code;
    const grantId = async () => (await f.t.ctx.services.oauth.getGrant(f.userId, f.clientId))?.grantId ?? '';

    test('a token whose grant is gone does not resolve, even if the token row itself was missed', async () => {
      const t = await issue();
      const fresh = await issue();
      const pending = await f.t.ctx.services.oauth.issueCode({
        clientId: f.clientId,
        userId: f.userId,
        scopes: [1],
        redirectUri: REDIRECT,
      });
      assert.equal(await profile(t.access_token), 0);
      // What the race leaves behind: the grant row deleted, a token under it never revoked (the
      // revocation's UPDATE did not see it). `fresh` was never looked up, so nothing is cached.
      await f.t.ctx.db.kysely
        .deleteFrom('oauth_grants')
        .where('grant_id', '=', await grantId())
        .execute();
      assert.equal(await profile(fresh.access_token), 96008);
      assert.equal((await token({ grant_type: 'refresh_token', refresh_token: fresh.refresh_token })).error, 96009);
      assert.equal((await token({ grant_type: 'authorization_code', code: pending })).error, 96013);
    });

    test('a refresh that reaches the grant while a revocation holds it mints nothing', {
      skip: backend !== 'postgres' && 'PostgreSQL only (row locks)',
    }, async () => {
      const t = await issue();
      const id = await grantId();
      let release: () => void = () => undefined;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let deleted: () => void = () => undefined;
      const isDeleted = new Promise<void>((r) => {
        deleted = r;
      });
      // The revocation's DELETE, not yet committed, while the refresh runs.
      const revocation = f.t.ctx.db.kysely.transaction().execute(async (trx) => {
        await trx.deleteFrom('oauth_grants').where('grant_id', '=', id).execute();
        deleted();
        await held;
        await trx
          .updateTable('oauth_tokens')
          .set({ revoked_at: Date.now() })
          .where('grant_id', '=', id)
          .where('revoked_at', 'is', null)
          .execute();
      });
      await isDeleted;
      const refreshed = token({ grant_type: 'refresh_token', refresh_token: t.refresh_token });
      await new Promise((r) => setTimeout(r, 300));
      release();
      await revocation;
      const r = await refreshed;
      assert.equal(r.error, 96009, JSON.stringify(r));
      const live = await f.t.ctx.db.kysely
        .selectFrom('oauth_tokens')
        .select('token_hash')
        .where('grant_id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
      assert.deepEqual(live, []);
    });
  });
