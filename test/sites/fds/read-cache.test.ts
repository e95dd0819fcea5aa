// GETs of small objects served from the node's read cache (OPAL_FDS_READ_CACHE_MB,
// store/blobs/read-cache.ts): a cached object is served without its stored bytes (removed here
// behind the server's back to show it: a row of the embedded database for a small blob), whole
// and in ranges; an overwrite or a delete is seen at once, since
// every GET still reads the object's metadata and a new version is a new blob.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FdsFixture, startFds, storedBlobOf } from '../../helpers/fds-fixture.ts';

describe('FDS GET of small objects from the read cache', () => {
  let f: FdsFixture;
  before(async () => {
    f = await startFds({ buckets: ['rc'] });
  });
  after(() => f.close());

  it('serves a read object from memory, whole and in ranges', async () => {
    const body = 'abcdefghijklmnopqrstuvwxyz'.repeat(100);
    await f.owner.ok('PUT', '/rc/a.txt', { body });
    assert.equal(await (await f.owner.ok('GET', '/rc/a.txt')).text(), body);
    await (await storedBlobOf(f, 'rc', 'a.txt')).remove();
    const again = await f.owner.ok('GET', '/rc/a.txt');
    assert.equal(again.headers.get('content-length'), String(body.length));
    assert.equal(await again.text(), body);
    const part = await f.owner.send('GET', '/rc/a.txt', { headers: { range: 'bytes=26-51' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 26-51/${body.length}`);
    assert.equal(await part.text(), 'abcdefghijklmnopqrstuvwxyz');
  });

  it('an overwrite and a delete are seen at once', async () => {
    await f.owner.ok('PUT', '/rc/b.txt', { body: 'first' });
    assert.equal(await (await f.owner.ok('GET', '/rc/b.txt')).text(), 'first');
    await f.owner.ok('PUT', '/rc/b.txt', { body: 'second, longer' });
    assert.equal(await (await f.owner.ok('GET', '/rc/b.txt')).text(), 'second, longer');
    await f.owner.ok('DELETE', '/rc/b.txt');
    assert.equal((await f.owner.send('GET', '/rc/b.txt')).status, 404);
  });

  it('a range of a small object not read yet is cut from the whole, which is then kept', async () => {
    await f.owner.ok('PUT', '/rc/c.txt', { body: '0123456789' });
    const part = await f.owner.send('GET', '/rc/c.txt', { headers: { range: 'bytes=-3' } });
    assert.equal(part.status, 206);
    assert.equal(await part.text(), '789');
    await (await storedBlobOf(f, 'rc', 'c.txt')).remove();
    assert.equal(await (await f.owner.ok('GET', '/rc/c.txt')).text(), '0123456789');
  });
});

describe('FDS GET with the read cache off (OPAL_FDS_READ_CACHE_MB=0)', () => {
  let f: FdsFixture;
  before(async () => {
    f = await startFds({ buckets: ['rc'], env: { OPAL_FDS_READ_CACHE_MB: '0' } });
  });
  after(() => f.close());

  it('reads the stored bytes on every GET', async () => {
    await f.owner.ok('PUT', '/rc/a.txt', { body: 'bytes on disk' });
    assert.equal(await (await f.owner.ok('GET', '/rc/a.txt')).text(), 'bytes on disk');
    await (await storedBlobOf(f, 'rc', 'a.txt')).remove();
    const r = await f.owner.send('GET', '/rc/a.txt');
    assert.equal(r.status, 500, 'the bytes are gone: an error answer, not an empty body');
    await r.arrayBuffer();
  });
});
