// The account center's security log (review findings): second-factor events are shown; events a
// person's own log shows but another person caused (a friend, an admin) carry no address of theirs;
// and events the log does not show (token issues, written on every sign-in) never push the shown
// ones out of it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestContext, type TestContext } from '../../helpers/env.ts';
import { seedUser } from '../../helpers/seed.ts';

describe('account center security log', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
  });
  after(async () => {
    await t.close();
  });

  it('shows factor events, hides other people’s addresses, and is not crowded out by hidden events', async () => {
    const me = await seedUser(t.ctx);
    const other = await seedUser(t.ctx);
    const audit = t.ctx.services.audit;
    await audit.record({ type: 'login.failure', subject: me.userId, ip: '198.51.100.1' });
    await audit.record({ type: 'factor.removed', actor: me.userId, subject: me.userId, ip: '198.51.100.2' });
    await audit.record({ type: 'friend.remove', actor: other.userId, subject: me.userId, ip: '203.0.113.9' });
    await audit.record({ type: 'user.locked', actor: 'admin-1', subject: me.userId, ip: '203.0.113.10' });
    for (let i = 0; i < 250; i++) await audit.record({ type: 'oauth.token.issue', subject: me.userId, ip: '198.51.100.3' });
    const log = (await t.ctx.services.account.center.securityLog(me.userId)).map((e) => ({ type: e.type, ip: e.ip }));
    assert.deepEqual(log, [
      { type: 'user.locked', ip: null },
      { type: 'friend.remove', ip: null },
      { type: 'factor.removed', ip: '198.51.100.2' },
      { type: 'login.failure', ip: '198.51.100.1' },
    ]);
  });
});
