// Only developer credentials create buckets (issue 11, finding 6e): an app user with a serviceToken
// (or a storage token) could otherwise take names the developers mean to use.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FdsFixture, startFds } from '../../helpers/fds-fixture.ts';
import { seedUser } from '../../helpers/seed.ts';

describe('FDS bucket creation by app users', () => {
  let f: FdsFixture;
  let token: string;
  before(async () => {
    f = await startFds();
    const u = await seedUser(f.t.ctx, { account: 'squatter', password: 'correct horse battery', nickname: 'S' });
    token = (await f.t.ctx.services.storageTokens.issueServiceToken(u.userId, '127.0.0.1')).serviceToken;
  });
  after(() => f.close());

  it('a serviceToken cannot create a bucket; the developer then can', async () => {
    const r = await fetch(`${f.t.fdsUrl}/wanted-name?serviceToken=${token}`, { method: 'PUT', headers: { authorization: 'SSO' } });
    assert.equal(r.status, 403);
    assert.equal(((await r.json()) as { error: string }).error, 'BucketAccessDenied');
    assert.equal(await f.t.ctx.services.fds.repos.buckets.get('wanted-name'), undefined);
    await f.owner.ok('PUT', '/wanted-name');
  });
});
