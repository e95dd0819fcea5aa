// FDS JSON answers are serialized from their schemas (src/core/fds/responses.ts); the bytes must
// stay what the SDKs have always read: compact JSON, every key present, keys in the order below
// (the serializer writes required keys before optional ones, so a schema out of order would show
// here), nulls where the wire has nulls.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FdsFixture, startFds } from '../../helpers/fds-fixture.ts';

type Json = Record<string, unknown>;

describe('FDS JSON answers keep their keys, order and form', () => {
  let f: FdsFixture;
  before(async () => {
    f = await startFds();
    await f.owner.ok('PUT', '/shapes');
    await f.owner.ok('PUT', '/shapes/dir/a', { body: 'a', headers: { 'x-xiaomi-meta-k': 'v' } });
  });
  after(() => f.close());

  /** The body, checked to be compact JSON (no whitespace, nothing a parse-and-stringify would change). */
  async function body(method: string, target: string, o: Parameters<FdsFixture['owner']['send']>[2] = {}): Promise<unknown> {
    const r = await f.owner.send(method, target, o);
    const text = await r.text();
    assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8', target);
    assert.equal(text, JSON.stringify(JSON.parse(text)), target);
    return JSON.parse(text);
  }
  const keys = (v: unknown) => Object.keys(v as Json);

  it('buckets: list, authorized list, info', async () => {
    const list = (await body('GET', '/')) as { owner: Json; buckets: Json[] };
    assert.deepEqual(keys(list), ['owner', 'buckets']);
    assert.deepEqual(keys(list.owner), ['id', 'displayName']);
    assert.deepEqual(keys(list.buckets[0]), ['name', 'creationTime', 'orgId']);
    assert.deepEqual(keys(await body('GET', '/?authorizedBuckets')), ['buckets']);
    assert.deepEqual(keys(await body('GET', '/shapes')), [
      'name',
      'creationTime',
      'usedSpace',
      'numObjects',
      'allowOutsideAccess',
      'enableSSE',
      'orgId',
    ]);
    assert.deepEqual(keys(await body('GET', '/?developerInfo')), ['developerId', 'displayName']);
  });

  it('put and listing, with and without metadata', async () => {
    const put = (await body('PUT', '/shapes/dir/b', { body: 'b' })) as Json;
    assert.deepEqual(keys(put), ['bucketName', 'objectName', 'accessKeyId', 'signature', 'expires', 'previousVersionId', 'versionId']);
    assert.equal(put.previousVersionId, null);
    const listing = (await body('GET', '/shapes?prefix=&delimiter=/')) as Json & { objects: Json[] };
    assert.deepEqual(keys(listing), [
      'name',
      'prefix',
      'delimiter',
      'marker',
      'nextMarker',
      'maxKeys',
      'truncated',
      'reverse',
      'withMetaData',
      'objects',
      'commonPrefixes',
    ]);
    assert.equal(listing.nextMarker, null);
    assert.deepEqual(listing.commonPrefixes, ['dir/']);
    const flat = (await body('GET', '/shapes?prefix=dir/&delimiter=&withMetaData=true')) as {
      objects: Array<{ metadataBean: { rawMeta: Json } }>;
    };
    assert.deepEqual(keys(flat.objects[0]), ['name', 'size', 'owner', 'etag', 'lastModified', 'uploadTime', 'versionId', 'metadataBean']);
    assert.deepEqual(keys(flat.objects[0]?.metadataBean.rawMeta), [
      'content-type',
      'content-md5',
      'last-modified',
      'x-xiaomi-meta-content-length',
      'x-xiaomi-meta-k',
    ]);
    const plain = (await body('GET', '/shapes?prefix=dir/&delimiter=')) as { objects: Json[] };
    assert.deepEqual(keys(plain.objects[0]), ['name', 'size', 'owner', 'etag', 'lastModified', 'uploadTime', 'versionId']);
  });

  it('ACL policy, batch delete failures, version ids', async () => {
    const acl = (await body('GET', '/shapes/dir/a?acl')) as { owner: Json; accessControlList: Json[] };
    assert.deepEqual(keys(acl), ['owner', 'accessControlList']);
    assert.deepEqual(keys(acl.accessControlList[0]), ['grantee', 'permission', 'type']);
    const failures = (await body('PUT', '/shapes?deleteObjects', { body: '[null,"nope"]' })) as Json[];
    assert.deepEqual(failures, [{ object_name: null, error_code: 400, error_description: 'Invalid Object Name' }]);
    assert.deepEqual(keys(failures[0]), ['object_name', 'error_code', 'error_description']);
    await f.owner.ok('PUT', '/shapes/dir/a', { body: 'a2' });
    assert.equal(((await body('GET', '/shapes/dir/a?versionIds')) as unknown[]).length, 1);
  });

  it('multipart: init, part, parts list, uploads list', async () => {
    const init = (await body('PUT', '/shapes/mp?uploads')) as { uploadId: string };
    assert.deepEqual(keys(init), ['bucketName', 'objectName', 'uploadId']);
    assert.deepEqual(keys(await body('PUT', `/shapes/mp?uploadId=${init.uploadId}&partNumber=1`, { body: 'p' })), [
      'partNumber',
      'etag',
      'partSize',
    ]);
    const parts = (await body('GET', `/shapes/mp?uploadId=${init.uploadId}`)) as { uploadPartResultList: Json[] };
    assert.deepEqual(keys(parts.uploadPartResultList[0]), ['partNumber', 'etag', 'partSize', 'lastModified']);
    assert.deepEqual(keys(await body('GET', '/shapes?uploads')), [
      'bucketName',
      'prefix',
      'delimiter',
      'maxKeys',
      'marker',
      'isTruncated',
      'nextMarker',
      'commonPrefixes',
      'uploads',
    ]);
  });

  it('errors: code, error, message', async () => {
    const r = await f.owner.send('GET', '/shapes/none');
    assert.equal(r.status, 404);
    assert.equal(await r.text(), '{"code":404,"error":"ObjectNotFound","message":"Object Not Found"}');
  });
});
