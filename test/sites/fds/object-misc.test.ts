// The small object operations of fds-protocol §5.13 over real HTTP: `?setMetaData` replaces the
// metadata, `?prefetch` / `?refresh` answer the JSON number Java parses (with each SDK's body),
// `?setOutsideAccess` and `?restoreArchive` — each with its object, bucket and permission checks.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FdsFixture, startFds } from '../../helpers/fds-fixture.ts';

const B = 'misc';

describe('FDS misc object operations (§5.13)', () => {
  let f: FdsFixture;

  before(async () => {
    f = await startFds({ buckets: [B] });
    await f.owner.ok('PUT', `/${B}/o.txt`, { body: 'hello', headers: { 'content-type': 'text/plain', 'x-xiaomi-meta-old': 'gone soon' } });
  });
  after(() => f.close());

  it('setMetaData replaces the metadata (Java/Go body) and keeps the bytes', async () => {
    await f.owner.ok('PUT', `/${B}/o.txt?setMetaData`, {
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: JSON.stringify({ rawMeta: { 'content-type': 'text/x-new', 'x-xiaomi-meta-new': '1', 'cache-control': 'max-age=60' } }),
    });
    const g = await f.owner.ok('GET', `/${B}/o.txt`);
    assert.equal(await g.text(), 'hello');
    assert.equal(g.headers.get('content-type'), 'text/x-new');
    assert.equal(g.headers.get('x-xiaomi-meta-new'), '1');
    assert.equal(g.headers.get('cache-control'), 'max-age=60');
    assert.equal(g.headers.get('x-xiaomi-meta-old'), null);
    assert.equal((await f.other.send('PUT', `/${B}/o.txt?setMetaData`, { body: '{"rawMeta":{}}' })).status, 403);
    assert.equal((await f.owner.send('PUT', `/${B}/none?setMetaData`, { body: '{"rawMeta":{}}' })).status, 404);
    assert.equal((await f.owner.send('PUT', `/${B}/o.txt?setMetaData`, { body: '{"rawMeta":' })).status, 400);
  });

  it('prefetch and refresh answer 0 with every SDK body; other callers and missing objects are refused', async () => {
    // Java: `?prefetch` with the cdnUri as JSON; Python: `prefetch=true` with `""`; JS: the presigned URL as text.
    const java = await f.owner.send('PUT', `/${B}/o.txt?prefetch`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cdnUri: 'http://cdn.example/misc/o.txt' }),
    });
    assert.equal(java.status, 200);
    assert.equal(JSON.parse(await java.text()), 0);
    assert.equal(await (await f.owner.ok('PUT', `/${B}/o.txt?prefetch=true`, { body: '""' })).text(), '0');
    assert.equal(
      await (await f.owner.ok('PUT', `/${B}/o.txt?refresh`, { headers: { 'content-type': 'text/plain' }, body: 'http://x/y?z' })).text(),
      '0',
    );
    assert.equal((await f.anon.send('PUT', `/${B}/o.txt?refresh`)).status, 403);
    assert.equal((await f.other.send('PUT', `/${B}/o.txt?prefetch`)).status, 403);
    assert.equal((await f.owner.send('PUT', `/${B}/missing?prefetch`)).status, 404);
    assert.equal((await f.owner.send('PUT', `/nobucket/o?refresh`)).status, 404);
  });

  it('setOutsideAccess needs the object ACL admin and true|false; restoreArchive needs WRITE', async () => {
    await f.owner.ok('PUT', `/${B}/o.txt?setOutsideAccess=true`);
    await f.owner.ok('PUT', `/${B}/o.txt?setOutsideAccess=false`);
    assert.equal((await f.owner.send('PUT', `/${B}/o.txt?setOutsideAccess=maybe`)).status, 400);
    assert.equal((await f.other.send('PUT', `/${B}/o.txt?setOutsideAccess=true`)).status, 403);
    assert.equal((await f.owner.send('PUT', `/${B}/missing?setOutsideAccess=true`)).status, 404);
    const audited = await f.t.ctx.db.kysely
      .selectFrom('audit_events')
      .select('type')
      .where('type', '=', 'fds.object_outside_access')
      .execute();
    assert.equal(audited.length, 2);
    await f.owner.ok('PUT', `/${B}/o.txt?restoreArchive=true`, { body: '""' });
    assert.equal((await f.anon.send('PUT', `/${B}/o.txt?restoreArchive=true`)).status, 403);
    assert.equal((await f.owner.send('PUT', `/${B}/missing?restoreArchive`)).status, 404);
    // The bucket-level flag is a configuration (owner only).
    await f.owner.ok('PUT', `/${B}?setOutsideAccess=true`);
    assert.equal((await f.other.send('PUT', `/${B}?setOutsideAccess=true`)).status, 403);
  });
});
