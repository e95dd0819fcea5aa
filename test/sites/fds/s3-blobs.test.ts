// The FDS origin over S3-compatible blob storage (scale-out mode; s3rver in process): uploads,
// ranged downloads, multipart concatenation and freeing bytes go through the S3 blob store.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FdsFixture, md5Hex, startFds } from '../../helpers/fds-fixture.ts';
import { type S3rverHandle, startS3rver } from '../../helpers/s3rver.ts';

describe('FDS on S3-compatible blob storage', () => {
  let f: FdsFixture;
  let s3: S3rverHandle;
  before(async () => {
    s3 = await startS3rver('fds-blobs');
    f = await startFds({ env: { OPAL_BLOB_URL: s3.url('opal') }, buckets: ['s3b'] });
  });
  after(async () => {
    await f?.close();
    await s3?.close();
  });

  it('put, get, ranged get, metadata', async () => {
    const body = Buffer.from('0123456789'.repeat(1000));
    await f.owner.ok('PUT', '/s3b/a.txt', { body, headers: { 'content-md5': md5Hex(body), 'content-type': 'text/plain' } });
    const g = await f.owner.send('GET', '/s3b/a.txt');
    assert.equal(g.headers.get('content-type'), 'text/plain');
    assert.ok(Buffer.from(await g.arrayBuffer()).equals(body));
    const r = await f.owner.send('GET', '/s3b/a.txt', { headers: { range: 'bytes=10-19' } });
    assert.equal(r.status, 206);
    assert.equal(await r.text(), '0123456789');
    assert.equal(r.headers.get('content-range'), `bytes 10-19/${body.length}`);
    const m = await f.owner.send('GET', '/s3b/a.txt?metadata');
    assert.equal(m.headers.get('content-md5'), md5Hex(body));
  });

  it('multipart parts are concatenated from S3 into one object; removing a version frees its bytes', async () => {
    const init = await f.owner.json<{ uploadId: string }>('PUT', '/s3b/mp?uploads');
    const parts = [];
    for (const [i, p] of ['alpha-', 'beta-', 'gamma'].entries()) {
      parts.push(await f.owner.json('PUT', `/s3b/mp?uploadId=${init.uploadId}&partNumber=${i + 1}`, { body: p }));
    }
    await f.owner.ok('PUT', `/s3b/mp?uploadId=${init.uploadId}`, { body: JSON.stringify({ uploadPartResultList: parts }) });
    const g = await f.owner.send('GET', '/s3b/mp');
    assert.equal(await g.text(), 'alpha-beta-gamma');
    assert.equal(g.headers.get('content-md5'), md5Hex('alpha-beta-gamma'));
    const row = await f.t.ctx.db.kysely.selectFrom('fds_objects').selectAll().where('name', '=', 'mp').executeTakeFirstOrThrow();
    assert.equal(await f.t.ctx.blobs.size(row.blob_key), 16);
    await f.owner.ok('DELETE', `/s3b/mp?versionId=${row.version_id}`);
    assert.equal(await f.t.ctx.blobs.size(row.blob_key), undefined);
  });
});
