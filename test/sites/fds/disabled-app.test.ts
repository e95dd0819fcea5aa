// An app an admin disabled is unknown to the protocols (issue 13): its FDS access key must stop
// authenticating at once, signed requests and presigned URLs alike, and work again when the app is
// enabled. Before the fix, the key of a disabled app kept reading and writing its buckets.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FdsFixture, startFds } from '../../helpers/fds-fixture.ts';

describe('FDS access key of a disabled app', () => {
  let f: FdsFixture;
  before(async () => {
    f = await startFds({ buckets: ['disabled-app-bucket'] });
    await f.owner.ok('PUT', '/disabled-app-bucket/a.txt', { body: 'hello' });
  });
  after(() => f.close());

  const by = { actor: 'test-admin' };

  it('signed requests and presigned URLs are refused while the app is disabled, and work again once enabled', async () => {
    const url = f.owner.presign({ bucket: 'disabled-app-bucket', object: 'a.txt', expires: Date.now() + 600_000 });
    assert.equal(await (await fetch(url)).text(), 'hello');

    await f.t.ctx.services.admin.setAppDisabled(f.ownerKey.clientId, true, by);
    const signed = await f.owner.send('GET', '/disabled-app-bucket/a.txt');
    assert.equal(signed.status, 403);
    assert.doesNotMatch(await signed.text(), /hello/);
    assert.equal((await f.owner.send('PUT', '/disabled-app-bucket/b.txt', { body: 'x' })).status, 403);
    const presigned = await fetch(url);
    assert.equal(presigned.status, 403);
    assert.doesNotMatch(await presigned.text(), /hello/);
    // Managing the app still shows its key (the console and the CLI read it by app).
    assert.ok(await f.t.ctx.services.fdsKeys.forApp(f.ownerKey.clientId));

    await f.t.ctx.services.admin.setAppDisabled(f.ownerKey.clientId, false, by);
    assert.equal(await (await f.owner.send('GET', '/disabled-app-bucket/a.txt')).text(), 'hello');
    assert.equal(await (await fetch(url)).text(), 'hello');
  });
});
