// The FDS dispatch table (fds-protocol §1.2) and path splitting, pinned operation by operation:
// the exact Operation object (config, remove, kind, what), the table's order when a request names
// several selectors, and which selectors each method and path shape ignores. The table as a whole
// is also in protocol.test.ts (by op name) and fuzzed in test/core/fuzz/dispatch.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUCKET_CONFIGS, CREDENTIAL_PARAMS, dispatch, type Operation, parsePath } from '../../../src/core/fds/dispatch.ts';
import { parseQuery } from '../../../src/core/fds/query.ts';

const route = (method: string, target: string): Operation => {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  return dispatch(method, parsePath(path), parseQuery(q < 0 ? '' : target.slice(q + 1)));
};

const check = (cases: Array<[string, string, Operation]>) => {
  for (const [m, t, want] of cases) assert.deepEqual(route(m, t), want, `${m} ${t}`);
};

describe('parsePath (§1.1)', () => {
  it('no bucket for the root, however many slashes', () => {
    for (const p of ['', '/', '//', '///']) assert.deepEqual(parsePath(p), { bucket: undefined, object: undefined }, p);
  });

  it('leading slashes are dropped; the first slash after the bucket splits; later slashes stay in the object', () => {
    assert.deepEqual(parsePath('/b'), { bucket: 'b', object: undefined });
    assert.deepEqual(parsePath('//b'), { bucket: 'b', object: undefined });
    assert.deepEqual(parsePath('//b/o'), { bucket: 'b', object: 'o' });
    assert.deepEqual(parsePath('/b/'), { bucket: 'b', object: '' });
    assert.deepEqual(parsePath('/b//o'), { bucket: 'b', object: '/o' });
    assert.deepEqual(parsePath('/bucket/dir/obj'), { bucket: 'bucket', object: 'dir/obj' });
    assert.deepEqual(parsePath('/bucket/o/'), { bucket: 'bucket', object: 'o/' });
  });

  it('bucket and object are percent-decoded after the split (an escaped slash stays in its part); + is kept', () => {
    assert.deepEqual(parsePath('/%62ucket/o%20x+y'), { bucket: 'bucket', object: 'o x+y' });
    assert.deepEqual(parsePath('/a%2Fb/c'), { bucket: 'a/b', object: 'c' });
    assert.deepEqual(parsePath('/a%2Fb'), { bucket: 'a/b', object: undefined });
    assert.deepEqual(parsePath('/b/%E4%B8%AD%2F'), { bucket: 'b', object: '中/' });
  });
});

describe('dispatch: service root (§1.2)', () => {
  it('GET: storage-token exchange needs both tokens; then authorizedBuckets, developerInfo, listBuckets', () => {
    check([
      ['GET', '/', { op: 'listBuckets' }],
      ['GET', '/?storageAccessToken&oauthAccessToken=t', { op: 'getStorageToken' }],
      ['GET', '/?storageAccessToken&oauthAccessToken=t&authorizedBuckets', { op: 'getStorageToken' }],
      ['GET', '/?storageAccessToken', { op: 'listBuckets' }],
      ['GET', '/?oauthAccessToken=t', { op: 'listBuckets' }],
      ['GET', '/?authorizedBuckets', { op: 'listAuthorizedBuckets' }],
      ['GET', '/?authorizedBuckets&developerInfo', { op: 'listAuthorizedBuckets' }],
      ['GET', '/?developerInfo', { op: 'developerInfo' }],
      ['GET', '/?clientMetrics', { op: 'listBuckets' }],
      ['GET', '//', { op: 'listBuckets' }],
    ]);
  });

  it('PUT ?clientMetrics only; every other method is refused; OPTIONS is the preflight', () => {
    check([
      ['PUT', '/?clientMetrics', { op: 'clientMetrics' }],
      ['PUT', '/', { op: 'methodNotAllowed' }],
      ['PUT', '/?authorizedBuckets', { op: 'methodNotAllowed' }],
      ['POST', '/?clientMetrics', { op: 'methodNotAllowed' }],
      ['DELETE', '/', { op: 'methodNotAllowed' }],
      ['HEAD', '/', { op: 'methodNotAllowed' }],
      ['OPTIONS', '/', { op: 'options' }],
      ['OPTIONS', '/?clientMetrics', { op: 'options' }],
    ]);
  });

  it('the method is case-insensitive', () => {
    check([
      ['get', '/', { op: 'listBuckets' }],
      ['put', '/?clientMetrics', { op: 'clientMetrics' }],
      ['options', '/b/o', { op: 'options' }],
      ['Delete', '/b/o?uploadId=u', { op: 'abortMultipart' }],
      ['head', '/b', { op: 'headBucket' }],
    ]);
  });
});

describe('dispatch: bucket (§1.2)', () => {
  it('HEAD is headBucket whatever the selectors, with or without the trailing slash', () => {
    check([
      ['HEAD', '/b', { op: 'headBucket' }],
      ['HEAD', '/b/', { op: 'headBucket' }],
      ['HEAD', '/b?acl&quota', { op: 'headBucket' }],
    ]);
  });

  it('PUT: acl (action=delete removes), then deleteObjects, then the first config in table order, else create', () => {
    check([
      ['PUT', '/b?acl', { op: 'putBucketAcl', remove: false }],
      ['PUT', '/b?acl&action=delete', { op: 'putBucketAcl', remove: true }],
      ['PUT', '/b?acl&action=deleted', { op: 'putBucketAcl', remove: false }],
      ['PUT', '/b?acl&action=', { op: 'putBucketAcl', remove: false }],
      ['PUT', '/b?acl&deleteObjects&quota', { op: 'putBucketAcl', remove: false }],
      ['PUT', '/b?deleteObjects&quota', { op: 'deleteObjects' }],
      ['PUT', '/b?cors&quota', { op: 'putBucketConfig', config: 'quota' }],
      ['PUT', '/b?migrate2&migrate', { op: 'putBucketConfig', config: 'migrate' }],
      ['PUT', '/b?tsd', { op: 'createBucket' }],
      ['PUT', '/b?tsd&cors', { op: 'putBucketConfig', config: 'cors' }],
      ['PUT', '/b', { op: 'createBucket' }],
      ['PUT', '/b/', { op: 'createBucket' }],
      ['PUT', '/b?uploads&versions&prefix', { op: 'createBucket' }],
    ]);
    for (const config of BUCKET_CONFIGS) {
      assert.deepEqual(route('PUT', `/b?${config}`), { op: 'putBucketConfig', config }, config);
      assert.deepEqual(route('PUT', `/b/?${config}=x`), { op: 'putBucketConfig', config }, `${config} with /`);
    }
  });

  it('DELETE: only domain, antiStealingLink, mirror and website are deletable configs, in that order', () => {
    check([
      ['DELETE', '/b', { op: 'deleteBucket' }],
      ['DELETE', '/b/', { op: 'deleteBucket' }],
      ['DELETE', '/b?domain', { op: 'deleteBucketConfig', config: 'domain' }],
      ['DELETE', '/b?antiStealingLink', { op: 'deleteBucketConfig', config: 'antiStealingLink' }],
      ['DELETE', '/b?mirror', { op: 'deleteBucketConfig', config: 'mirror' }],
      ['DELETE', '/b?website', { op: 'deleteBucketConfig', config: 'website' }],
      ['DELETE', '/b/?website', { op: 'deleteBucketConfig', config: 'website' }],
      ['DELETE', '/b?website&mirror&antiStealingLink&domain', { op: 'deleteBucketConfig', config: 'domain' }],
      ['DELETE', '/b?website&mirror&antiStealingLink', { op: 'deleteBucketConfig', config: 'antiStealingLink' }],
      ['DELETE', '/b?website&mirror', { op: 'deleteBucketConfig', config: 'mirror' }],
    ]);
    for (const config of [...BUCKET_CONFIGS, 'tsd', 'acl', 'uploads'])
      if (!['domain', 'antiStealingLink', 'mirror', 'website'].includes(config))
        assert.deepEqual(route('DELETE', `/b?${config}`), { op: 'deleteBucket' }, config);
  });

  it('GET: acl, then a readable config (not setOutsideAccess, migrate, migrate2), uploads, versions, a listing key, else bucketInfo', () => {
    check([
      ['GET', '/b?acl&quota', { op: 'getBucketAcl' }],
      ['GET', '/b/?acl', { op: 'getBucketAcl' }],
      ['GET', '/b?tsd', { op: 'getBucketConfig', config: 'tsd' }],
      ['GET', '/b?quota&uploads', { op: 'getBucketConfig', config: 'quota' }],
      ['GET', '/b?setOutsideAccess', { op: 'bucketInfo' }],
      ['GET', '/b?migrate', { op: 'bucketInfo' }],
      ['GET', '/b?migrate2', { op: 'bucketInfo' }],
      ['GET', '/b?migrate&prefix', { op: 'listObjects' }],
      ['GET', '/b?setOutsideAccess&tsd', { op: 'bucketInfo' }],
      ['GET', '/b?uploads&versions', { op: 'listUploads' }],
      ['GET', '/b?versions&prefix', { op: 'listVersions' }],
      ['GET', '/b?zz=1', { op: 'bucketInfo' }],
      ['GET', '/b/', { op: 'bucketInfo' }],
      ['GET', '/b', { op: 'bucketInfo' }],
    ]);
    for (const config of BUCKET_CONFIGS)
      if (!['setOutsideAccess', 'migrate', 'migrate2'].includes(config))
        assert.deepEqual(route('GET', `/b?${config}`), { op: 'getBucketConfig', config }, config);
    for (const key of ['prefix', 'delimiter', 'marker', 'maxKeys', 'reverse', 'isBackup', 'withMetaData', 'archive']) {
      assert.deepEqual(route('GET', `/b?${key}=x`), { op: 'listObjects' }, key);
      assert.deepEqual(route('GET', `/b?zz&${key}`), { op: 'listObjects' }, `${key} after an unknown key`);
    }
  });

  it('POST and other methods on a bucket are refused; POST /b/ is a form upload', () => {
    check([
      ['POST', '/b', { op: 'methodNotAllowed' }],
      ['POST', '/b?uploads', { op: 'methodNotAllowed' }],
      ['PATCH', '/b', { op: 'methodNotAllowed' }],
      ['PATCH', '/b/', { op: 'methodNotAllowed' }],
      ['POST', '/b/', { op: 'postObject' }],
      ['POST', '/b/?uploadId=u', { op: 'postObject' }],
      ['POST', '/b/?uploads', { op: 'postInitMultipart' }],
      ['OPTIONS', '/b', { op: 'options' }],
    ]);
  });
});

describe('dispatch: object (§1.2)', () => {
  it('HEAD is headObject; POST on an object is refused; other methods too', () => {
    check([
      ['HEAD', '/b/o?acl', { op: 'headObject' }],
      ['POST', '/b/o', { op: 'methodNotAllowed' }],
      ['POST', '/b/o?uploads', { op: 'methodNotAllowed' }],
      ['PATCH', '/b/o?acl', { op: 'methodNotAllowed' }],
      ['OPTIONS', '/b/o?acl', { op: 'options' }],
    ]);
  });

  it('GET: selectors in table order', () => {
    check([
      ['GET', '/b/o', { op: 'getObject' }],
      ['GET', '/b/o?acl&metadata', { op: 'getObjectAcl' }],
      ['GET', '/b/o?metadata&versionIds', { op: 'getObjectMetadata' }],
      ['GET', '/b/o?versionIds&uploadId=u', { op: 'listVersionIds' }],
      ['GET', '/b/o?uploadId=u&thirdPartyObject', { op: 'listParts' }],
      ['GET', '/b/o?uploadId=u&partNumber=1', { op: 'getObject' }],
      ['GET', '/b/o?partNumber=1', { op: 'getObject' }],
      ['GET', '/b/o?thirdPartyObject&presignedUrl', { op: 'unsupported', what: 'thirdPartyObject' }],
      ['GET', '/b/o?presignedUrl&thumb', { op: 'presignUrl' }],
      ['GET', '/b/o?thumb&f=webp', { op: 'imageProcess', kind: 'thumb' }],
      ['GET', '/b/o?f=webp&gf=image/png', { op: 'imageProcess', kind: 'webp' }],
      ['GET', '/b/o?f=png', { op: 'getObject' }],
      ['GET', '/b/o?f', { op: 'getObject' }],
      ['GET', '/b/o?gf=image/png', { op: 'imageProcess', kind: 'gif' }],
      ['GET', '/b/o?f=png&gf', { op: 'imageProcess', kind: 'gif' }],
      ['GET', '/b/o?uploads&versions&cp&renameTo=x', { op: 'getObject' }],
    ]);
  });

  it('PUT: selectors in table order (action=delete only matters with acl)', () => {
    check([
      ['PUT', '/b/o', { op: 'putObject' }],
      ['PUT', '/b/o?acl&uploads', { op: 'putObjectAcl', remove: false }],
      ['PUT', '/b/o?acl&action=delete', { op: 'putObjectAcl', remove: true }],
      ['PUT', '/b/o?acl&action=DELETE', { op: 'putObjectAcl', remove: false }],
      ['PUT', '/b/o?action=delete', { op: 'putObject' }],
      ['PUT', '/b/o?uploads&uploadId=u&partNumber=1', { op: 'initMultipart' }],
      ['PUT', '/b/o?uploadId=u&partNumber=1&renameTo=x', { op: 'uploadPart' }],
      ['PUT', '/b/o?uploadId=u&renameTo=x', { op: 'completeMultipart' }],
      ['PUT', '/b/o?partNumber=1', { op: 'putObject' }],
      ['PUT', '/b/o?renameTo=x&cp', { op: 'renameObject' }],
      ['PUT', '/b/o?cp&restore', { op: 'copyObject' }],
      ['PUT', '/b/o?restore&setMetaData', { op: 'restoreObject' }],
      ['PUT', '/b/o?setMetaData&prefetch', { op: 'setObjectMetadata' }],
      ['PUT', '/b/o?prefetch&restoreArchive', { op: 'cdnOperation' }],
      ['PUT', '/b/o?refresh&restoreArchive', { op: 'cdnOperation' }],
      ['PUT', '/b/o?refresh', { op: 'cdnOperation' }],
      ['PUT', '/b/o?restoreArchive&cropImage', { op: 'restoreArchive' }],
      ['PUT', '/b/o?cropImage&setOutsideAccess', { op: 'cropImage' }],
      ['PUT', '/b/o?setOutsideAccess', { op: 'setOutsideAccess' }],
      ['PUT', '/b/o?metadata&versionIds&thumb', { op: 'putObject' }],
    ]);
  });

  it('DELETE: uploadId aborts the upload, else deleteObject', () => {
    check([
      ['DELETE', '/b/o?uploadId=u', { op: 'abortMultipart' }],
      ['DELETE', '/b/o?uploadId', { op: 'abortMultipart' }],
      ['DELETE', '/b/o', { op: 'deleteObject' }],
      ['DELETE', '/b/o?acl&domain', { op: 'deleteObject' }],
    ]);
  });

  it('the object part may itself look like a bucket path', () => {
    check([
      ['GET', '/b//', { op: 'getObject' }],
      ['PUT', '/b/o/', { op: 'putObject' }],
      ['POST', '/b//', { op: 'methodNotAllowed' }],
    ]);
  });
});

describe('dispatch: credential parameters (§2)', () => {
  it('are never selectors, and leave every operation as it is', () => {
    assert.ok(CREDENTIAL_PARAMS.has('GalaxyAccessKeyId') && CREDENTIAL_PARAMS.has('Signature'));
    const creds = [...CREDENTIAL_PARAMS].map((k) => `${k}=x`).join('&');
    check([
      ['GET', `/b?${creds}`, { op: 'bucketInfo' }],
      ['PUT', `/b/o?${creds}`, { op: 'putObject' }],
      ['PUT', `/b/o?${creds}&acl`, { op: 'putObjectAcl', remove: false }],
      ['GET', `/?${creds}`, { op: 'listBuckets' }],
    ]);
  });
});
