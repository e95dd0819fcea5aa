// Grants (src/services/oauth/grants.ts, through the OAuth facade; mutation-testing survivors,
// docs/testing.md): what approve() records and returns, first and when widened (scopes merged and
// sorted, an audit record only when something changed; approvals at once lose no scope — they did
// before the scopes were widened with a compare-and-set); look-ups and listing; revocation, which
// takes exactly the grant's codes and tokens, says who did it, and is announced to every listener
// (one that throws or a garbled message stops none of the others).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sha256Hex } from '../../../src/lib/hash.ts';
import type { GrantRevokedEvent } from '../../../src/services/oauth/types.ts';
import { createTestContext, dbBackends, type TestContext } from '../../helpers/env.ts';
import { oauthOnClock } from '../../helpers/oauth-on-clock.ts';
import { mint, SEED_REDIRECT, seed, seedApp, seedUser } from '../../helpers/seed.ts';

const auditOf = async (t: TestContext, subject: string, type: string) =>
  (await t.ctx.services.audit.list({ subject, type })).map((e) => ({
    actor: e.actor,
    clientId: e.client_id,
    ip: e.ip,
    detail: JSON.parse(e.detail) as unknown,
  }));

for (const backend of dbBackends())
  describe(`grants (${backend})`, () => {
    let t: TestContext;
    before(async () => {
      t = await createTestContext({ backend });
    });
    after(async () => {
      await t.close();
    });

    test('approve: a new grant, widened (merged, sorted, audited), and unchanged when nothing is new', async () => {
      let now = 1_800_000_000_000;
      const oauth = oauthOnClock(t, () => now);
      const s = await seed(t.ctx);
      assert.equal(await oauth.getGrant(s.userId, s.clientId), undefined);
      assert.equal(await oauth.isGrantActive(s.clientId, s.userId), false);

      const g = await oauth.approve(s.userId, s.clientId, [6, 1], '192.0.2.1');
      assert.equal(typeof g.grantId, 'string');
      assert.ok(g.grantId.length >= 20);
      const first = { grantId: g.grantId, clientId: s.clientId, userId: s.userId, scopes: [6, 1], createdAt: now, updatedAt: now };
      assert.deepEqual(g, first);
      assert.deepEqual(await oauth.getGrant(s.userId, s.clientId), first);
      assert.equal(await oauth.isGrantActive(s.clientId, s.userId), true);

      const created = now;
      now += 1000;
      const wider = await oauth.approve(s.userId, s.clientId, [3, 1], '192.0.2.2');
      const widened = { ...first, scopes: [1, 3, 6], createdAt: created, updatedAt: now };
      assert.deepEqual(wider, widened);
      assert.deepEqual(await oauth.getGrant(s.userId, s.clientId), widened);

      now += 1000;
      assert.deepEqual(await oauth.approve(s.userId, s.clientId, [3], '192.0.2.3'), widened, 'nothing new: unchanged');
      assert.deepEqual(await oauth.getGrant(s.userId, s.clientId), widened);

      assert.deepEqual(
        (await auditOf(t, s.userId, 'oauth.grant')).sort((x, y) => String(x.ip).localeCompare(String(y.ip))),
        [
          { actor: s.userId, clientId: s.clientId, ip: '192.0.2.1', detail: { scopes: [6, 1] } },
          { actor: s.userId, clientId: s.clientId, ip: '192.0.2.2', detail: { scopes: [1, 3, 6] } },
        ],
      );
    });

    test('concurrent first approvals of one app: one grant with every scope', async () => {
      const oauth = t.ctx.services.oauth;
      const s = await seed(t.ctx);
      const grants = await Promise.all([[1], [2], [3], [4], [6]].map((sc) => oauth.approve(s.userId, s.clientId, sc)));
      assert.equal(new Set(grants.map((g) => g.grantId)).size, 1);
      assert.deepEqual((await oauth.getGrant(s.userId, s.clientId))?.scopes, [1, 2, 3, 4, 6]);
      // And widenings of an existing grant at once: none of them is lost.
      const w = await seed(t.ctx);
      await oauth.approve(w.userId, w.clientId, [1]);
      await Promise.all([[2], [3], [4], [6], [16000]].map((sc) => oauth.approve(w.userId, w.clientId, sc)));
      assert.deepEqual((await oauth.getGrant(w.userId, w.clientId))?.scopes, [1, 2, 3, 4, 6, 16000]);
    });

    test('listGrants: every app the user approved, and only that user’s', async () => {
      const oauth = t.ctx.services.oauth;
      const u = await seedUser(t.ctx);
      const other = await seedUser(t.ctx);
      assert.deepEqual(await oauth.listGrants(u.userId), []);
      const a = await seedApp(t.ctx);
      const b = await seedApp(t.ctx);
      const ga = await oauth.approve(u.userId, a.clientId, [1]);
      const gb = await oauth.approve(u.userId, b.clientId, [1, 3]);
      await oauth.approve(other.userId, a.clientId, [1]);
      const listed = await oauth.listGrants(u.userId);
      assert.deepEqual(
        listed.sort((x, y) => x.createdAt - y.createdAt || x.clientId.localeCompare(y.clientId)),
        [ga, gb].sort((x, y) => x.createdAt - y.createdAt || x.clientId.localeCompare(y.clientId)),
      );
    });

    test('revokeGrant: the grant, its codes and its tokens go, nobody else’s; audited and announced', async () => {
      const oauth = t.ctx.services.oauth;
      const s = await seed(t.ctx);
      const neighbour = await seedUser(t.ctx);
      const otherApp = await seedApp(t.ctx);
      const events: GrantRevokedEvent[] = [];
      const throwing: GrantRevokedEvent[] = [];
      const unsubscribed: GrantRevokedEvent[] = [];
      oauth.onGrantRevoked((e) => {
        throwing.push(e);
        throw new Error('a listener that fails');
      });
      oauth.onGrantRevoked((e) => events.push(e));
      const stop = oauth.onGrantRevoked((e) => unsubscribed.push(e));
      stop();
      await oauth.grantEventsReady();

      assert.equal(await oauth.revokeGrant(s.userId, s.clientId), false, 'no grant yet');
      const mine = await mint(t.ctx, s.clientId, s.userId, [1]);
      const mine2 = await mint(t.ctx, s.clientId, s.userId, [1]);
      const pending = await oauth.issueCode({ clientId: s.clientId, userId: s.userId, scopes: [1], redirectUri: SEED_REDIRECT });
      const theirs = await mint(t.ctx, s.clientId, neighbour.userId, [1]);
      const elsewhere = await mint(t.ctx, otherApp.clientId, s.userId, [1]);
      const grant = await oauth.getGrant(s.userId, s.clientId);
      assert.ok(grant);
      assert.ok(await oauth.resolveAccessToken(mine.accessToken), 'cached before the revocation');

      // A garbled announcement on the channel is ignored; the real one still reaches every listener.
      await t.ctx.cache.publish('oauth:grant-revoked', '{not json');
      assert.equal(await oauth.revokeGrant(s.userId, s.clientId, 'admin-1', '192.0.2.50'), true);
      assert.equal(await oauth.getGrant(s.userId, s.clientId), undefined);
      assert.equal(await oauth.isGrantActive(s.clientId, s.userId), false);
      assert.equal(await oauth.resolveAccessToken(mine.accessToken), undefined);
      assert.equal(await oauth.resolveAccessToken(mine2.accessToken), undefined);
      for (const tok of [mine.accessToken, mine.refreshToken, mine2.accessToken, mine2.refreshToken]) {
        assert.equal((await oauth.inspect(tok))?.active, false);
      }
      const codes = await t.ctx.db.kysely.selectFrom('oauth_codes').select('code_hash').where('grant_id', '=', grant.grantId).execute();
      assert.deepEqual(codes, [], 'the grant’s codes are deleted');
      assert.equal(
        (await t.ctx.db.kysely.selectFrom('oauth_codes').select('code_hash').where('code_hash', '=', sha256Hex(pending)).execute()).length,
        0,
      );
      assert.ok(await oauth.resolveAccessToken(theirs.accessToken), 'another user’s grant to the app stays');
      assert.ok(await oauth.resolveAccessToken(elsewhere.accessToken), 'the user’s grant to another app stays');

      assert.deepEqual(await auditOf(t, s.userId, 'oauth.grant.revoke'), [
        { actor: 'admin-1', clientId: s.clientId, ip: '192.0.2.50', detail: { tokens: 4 } },
      ]);
      const want = { grantId: grant.grantId, clientId: s.clientId, userId: s.userId };
      for (let i = 0; i < 100 && events.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(events, [want]);
      assert.deepEqual(throwing, [want]);
      assert.deepEqual(unsubscribed, []);

      // Without an actor, the user revoked it.
      await mint(t.ctx, otherApp.clientId, neighbour.userId, [1]);
      assert.equal(await oauth.revokeGrant(neighbour.userId, otherApp.clientId), true);
      assert.deepEqual(await auditOf(t, neighbour.userId, 'oauth.grant.revoke'), [
        { actor: neighbour.userId, clientId: otherApp.clientId, ip: null, detail: { tokens: 2 } },
      ]);
    });
  });
