// Single use under concurrency: many redemptions of one authorization code, or rotations of one
// refresh token, started at once (all of them read the row before any of them commits). At most one
// may succeed; the single-use mark written inside the issuing transaction is what decides. On
// SQLite and, with OPAL_TEST_DATABASE_URL, on PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { XM, XmOAuthError } from '../../../src/core/account/errors.ts';
import { createTestContext, dbBackends, type TestContext } from '../../helpers/env.ts';
import { mint, SEED_REDIRECT, type Seeded, seed } from '../../helpers/seed.ts';

const RACERS = 8;

/** Splits settled results into successes and the error codes of the refusals. */
function outcome<T>(results: PromiseSettledResult<T>[]): { won: T[]; refused: number[] } {
  const won: T[] = [];
  const refused: number[] = [];
  for (const r of results) {
    if (r.status === 'fulfilled') won.push(r.value);
    else if (r.reason instanceof XmOAuthError) refused.push(r.reason.code);
    else throw r.reason;
  }
  return { won, refused };
}

for (const backend of dbBackends())
  describe(`single use under concurrency (${backend})`, () => {
    let t: TestContext;
    let s: Seeded;
    before(async () => {
      t = await createTestContext({ backend });
      s = await seed(t.ctx);
    });
    after(async () => {
      await t.close();
    });

    test(`${RACERS} concurrent redemptions of one code: exactly one gets tokens`, async () => {
      const oauth = t.ctx.services.oauth;
      const code = await oauth.issueCode({ clientId: s.clientId, userId: s.userId, scopes: [1], redirectUri: SEED_REDIRECT });
      const results = await Promise.allSettled(Array.from({ length: RACERS }, () => oauth.redeemCode({ clientId: s.clientId, code })));
      const { won, refused } = outcome(results);
      assert.equal(won.length, 1, `successful redemptions: ${won.length}`);
      assert.deepEqual(refused, Array(RACERS - 1).fill(XM.INVALID_CODE));
      // A refused redemption is a replay: what the code issued is revoked (account-protocol §4.2).
      for (const w of won) assert.equal(await oauth.resolveAccessToken(w.accessToken), undefined);
    });

    test(`${RACERS} concurrent rotations of one refresh token: exactly one gets a new pair`, async () => {
      const oauth = t.ctx.services.oauth;
      const first = await mint(t.ctx, s.clientId, s.userId, [1]);
      const results = await Promise.allSettled(Array.from({ length: RACERS }, () => oauth.refresh(s.clientId, first.refreshToken)));
      const { won, refused } = outcome(results);
      assert.equal(won.length, 1, `successful rotations: ${won.length}`);
      assert.deepEqual(refused, Array(RACERS - 1).fill(XM.INVALID_REFRESH_TOKEN));
      for (const w of won) {
        assert.equal(await oauth.resolveAccessToken(w.accessToken), undefined, 'the replay revoked the family');
        await assert.rejects(oauth.refresh(s.clientId, w.refreshToken), (e: unknown) => e instanceof XmOAuthError);
      }
    });
  });
