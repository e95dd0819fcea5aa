// Pure FDS protocol pieces: dispatch table (§1.2), ACL masks and grant lists (§7), listing
// builder (§5.9), Range (§5.3), lifecycle/CORS rule ids (§9), names (§4).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ANONYMOUS,
  cannedAcl,
  type FdsIdentity,
  grantList,
  maskFor,
  mergeAcl,
  ownerAcl,
  parsePolicy,
  removeAcl,
} from '../../../src/core/fds/acl.ts';
import { lifecycleAge, originAllowed, parseConfig, upsertRule } from '../../../src/core/fds/bucket-config.ts';
import { dispatch, parsePath } from '../../../src/core/fds/dispatch.ts';
import { FdsError } from '../../../src/core/fds/errors.ts';
import { ListingBuilder, listingResult, planListing, successor } from '../../../src/core/fds/listing.ts';
import { checkBucketName } from '../../../src/core/fds/names.ts';
import { MAX_PARTS, parsePartList } from '../../../src/core/fds/part-list.ts';
import { parseQuery } from '../../../src/core/fds/query.ts';
import { resolveRange } from '../../../src/core/fds/range.ts';
import { requestTimes, withinSkew } from '../../../src/core/fds/request-time.ts';
import { LINEAR_BUDGET_MS, LONG_INPUT, timeMs } from '../../helpers/linear-time.ts';

const op = (method: string, target: string) => {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  return dispatch(method, parsePath(path), parseQuery(q < 0 ? '' : target.slice(q + 1))).op;
};

describe('dispatch (§1.2)', () => {
  it('service, bucket and object operations by method, shape and selector presence', () => {
    const cases: Array<[string, string, string]> = [
      ['GET', '/', 'listBuckets'],
      ['GET', '/?authorizedBuckets=true', 'listAuthorizedBuckets'],
      ['GET', '/?storageAccessToken&appId=1&oauthAppId=2&oauthAccessToken=t&oauthProvider=XiaoMi', 'getStorageToken'],
      ['GET', '/?appId=1&storageAccessToken=tok', 'listBuckets'],
      ['PUT', '/?clientMetrics', 'clientMetrics'],
      ['HEAD', '/b', 'headBucket'],
      ['PUT', '/b', 'createBucket'],
      ['PUT', '/b?storageClass=STANDARD', 'createBucket'],
      ['PUT', '/b?acl=true', 'putBucketAcl'],
      ['PUT', '/b?deleteObjects=', 'deleteObjects'],
      ['PUT', '/b?lifecycle=rule', 'putBucketConfig'],
      ['DELETE', '/b', 'deleteBucket'],
      ['DELETE', '/b?domain=a.com', 'deleteBucketConfig'],
      ['GET', '/b?acl', 'getBucketAcl'],
      ['GET', '/b?versioning=true', 'getBucketConfig'],
      ['GET', '/b?uploads', 'listUploads'],
      ['GET', '/b?prefix=&delimiter=%2F', 'listObjects'],
      ['GET', '/b?maxKeys=5', 'listObjects'],
      ['GET', '/b', 'bucketInfo'],
      ['GET', '/b?GalaxyAccessKeyId=A&Expires=1&Signature=x', 'bucketInfo'],
      ['POST', '/b/', 'postObject'],
      ['POST', '/b/?uploads', 'postInitMultipart'],
      ['HEAD', '/b/o', 'headObject'],
      ['GET', '/b/o?acl=true', 'getObjectAcl'],
      ['GET', '/b/o?metadata', 'getObjectMetadata'],
      ['GET', '/b/o?versionIds=true', 'listVersionIds'],
      ['GET', '/b/o?uploadId=u', 'listParts'],
      ['GET', '/b/o?versionId=v', 'getObject'],
      ['GET', '/b/o?thumb=1&w=1&h=1', 'imageProcess'],
      ['GET', '/b/o?f=webp', 'imageProcess'],
      ['GET', '/b/o?gf=image/png', 'imageProcess'],
      ['PUT', '/b/o?cropImage&x=1', 'cropImage'],
      ['GET', '/b/o?presignedUrl&subResources=&expiration=1&httpMethod=GET', 'presignUrl'],
      ['GET', '/b/o?thirdPartyObject', 'unsupported'],
      ['PUT', '/b/o?acl&action=delete', 'putObjectAcl'],
      ['PUT', '/b/o?uploads', 'initMultipart'],
      ['PUT', '/b/o?uploadId=u&partNumber=1', 'uploadPart'],
      ['PUT', '/b/o?uploadId=u', 'completeMultipart'],
      ['PUT', '/b/o?renameTo=x', 'renameObject'],
      ['PUT', '/b/o?cp=', 'copyObject'],
      ['PUT', '/b/o?restore=true', 'restoreObject'],
      ['PUT', '/b/o?prefetch=true', 'cdnOperation'],
      ['PUT', '/b/o', 'putObject'],
      ['PUT', '/b/o?expires=123', 'putObject'],
      ['DELETE', '/b/o?uploadId=u', 'abortMultipart'],
      ['DELETE', '/b/o?enableTrash=false', 'deleteObject'],
      ['OPTIONS', '/b/o', 'options'],
      ['PATCH', '/b/o', 'methodNotAllowed'],
    ];
    for (const [m, t, want] of cases) assert.equal(op(m, t), want, `${m} ${t}`);
  });

  it('splits bucket and UTF-8 object names; %2F and / are the same', () => {
    assert.deepEqual(parsePath('/b/dir%2Fa/%E4%B8%AD'), { bucket: 'b', object: 'dir/a/中' });
    assert.deepEqual(parsePath('/b/'), { bucket: 'b', object: '' });
    assert.deepEqual(parsePath('/'), { bucket: undefined, object: undefined });
  });
});

describe('ACL model (§7, §2.6)', () => {
  const dev: FdsIdentity = {
    kind: 'developer',
    grantIds: ['AK1', 'dev1'],
    ownerId: 'dev1',
    creatorId: 'dev1',
    ssoWrite: false,
    displayName: 'd',
  };

  it('merges by OR, removes bits, drops empty grants', () => {
    let acl = ownerAcl('owner');
    acl = mergeAcl(acl, parsePolicy({ accessControlList: [{ grantee: { id: '111' }, permission: 'READ', type: 'USER' }] }));
    acl = mergeAcl(acl, parsePolicy({ accessControlList: [{ grantee: { id: '111' }, permission: 'WRITE' }] }));
    assert.equal(acl['111:USER'], 3);
    acl = removeAcl(acl, [['111:USER', 1]]);
    assert.equal(acl['111:USER'], 2);
    acl = removeAcl(acl, [['111:USER', 2]]);
    assert.equal(acl['111:USER'], undefined);
  });

  it('lists FULL_CONTROL as one entry, else one entry per bit in READ, WRITE, READ_OBJECTS, SSO_WRITE order', () => {
    const list = grantList({ 'o:USER': 0xff, 'x:USER': 0x0f, 'ALL_USERS:GROUP': 4 });
    assert.deepEqual(
      list.map((g) => `${g.grantee.id}:${g.type}:${g.permission}`),
      ['o:USER:FULL_CONTROL', 'x:USER:READ', 'x:USER:WRITE', 'x:USER:READ_OBJECTS', 'x:USER:SSO_WRITE', 'ALL_USERS:GROUP:READ_OBJECTS'],
    );
  });

  it('a USER grant matches the access key or the developer id; groups match as documented', () => {
    assert.equal(maskFor({ 'AK1:USER': 1 }, dev), 1);
    assert.equal(maskFor({ 'dev1:USER': 2 }, dev), 2);
    assert.equal(maskFor({ 'other:USER': 2 }, dev), 0);
    assert.equal(maskFor({ 'AUTHENTICATED_USERS:GROUP': 4 }, dev), 4);
    assert.equal(maskFor({ 'AUTHENTICATED_USERS:GROUP': 4 }, ANONYMOUS), 0);
    assert.equal(maskFor({ 'ALL_USERS:GROUP': 1 }, ANONYMOUS), 1);
  });

  it('rejects unknown permissions and grant types; maps canned ACLs', () => {
    assert.throws(() => parsePolicy({ accessControlList: [{ grantee: { id: 'x' }, permission: 'ALL' }] }), FdsError);
    // Found by fuzzing (issue 11 item 7): inherited names were permissions (mask = a function).
    for (const permission of ['toString', 'constructor', '__proto__', 'valueOf', 'hasOwnProperty']) {
      assert.throws(() => parsePolicy({ accessControlList: [{ grantee: { id: 'x' }, permission }] }), FdsError, permission);
    }
    assert.throws(() => parsePolicy({ accessControlList: [{ grantee: { id: 'x' }, permission: 'READ', type: 'ROLE' }] }), FdsError);
    assert.deepEqual(cannedAcl('PUBLIC_READ,AUTHENTICATED_READ_OBJECTS'), {
      bucket: [['AUTHENTICATED_USERS:GROUP', 4]],
      object: [['ALL_USERS:GROUP', 1]],
    });
  });
});

describe('listing builder (§5.9)', () => {
  const list = (names: string[], prefix: string, delimiter: string, maxKeys?: number, marker = '') => {
    const req = { prefix, delimiter, marker, maxKeys };
    const plan = planListing('b', req);
    const builder = new ListingBuilder<string>(plan);
    let from = plan.start;
    for (const n of [...names].sort()) {
      if (n < from || !n.startsWith(prefix)) continue;
      const r = builder.add(n, n);
      if (r.kind === 'full') break;
      if (r.kind === 'skip') from = r.from;
    }
    return listingResult('b', req, builder, false);
  };

  it('rolls names up into common prefixes and pages by entries', () => {
    const names = ['a/1', 'a/2', 'b', 'c/1', 'd'];
    const r = list(names, '', '/', 2);
    assert.deepEqual(r.commonPrefixes, ['a/']);
    assert.deepEqual(r.objects, ['b']);
    assert.equal(r.truncated, true);
    assert.equal(r.nextMarker, 'b/c/1');
    assert.equal(r.maxKeys, 1000);
    const r2 = list(names, '', '/', 2, r.nextMarker ?? '');
    assert.deepEqual(r2.commonPrefixes, ['c/']);
    assert.deepEqual(r2.objects, ['d']);
    assert.equal(r2.truncated, false);
    assert.equal(r2.nextMarker, null);
  });

  it('caps pages at 1000 and computes successors', () => {
    assert.equal(planListing('b', { prefix: '', delimiter: '', marker: '', maxKeys: 5000 }).pageSize, 1000);
    assert.equal(successor('a/'), 'a0');
    assert.equal(planListing('b', { prefix: 'x', delimiter: '', marker: 'b/y', maxKeys: undefined }).start, 'y');
  });
});

describe('Range (§5.3)', () => {
  it('resolves the SDK forms and rejects starts past the end', () => {
    assert.deepEqual(resolveRange('bytes=2-', 5), { start: 2, end: 4 });
    assert.deepEqual(resolveRange('bytes=1-2', 5), { start: 1, end: 2 });
    assert.deepEqual(resolveRange('bytes=1-99', 5), { start: 1, end: 4 });
    assert.deepEqual(resolveRange('bytes=-2', 5), { start: 3, end: 4 });
    assert.equal(resolveRange('bytes=0-', 0), undefined);
    assert.equal(resolveRange(undefined, 5), undefined);
    assert.equal(resolveRange('bytes=0-1,3-4', 5), undefined);
    assert.throws(() => resolveRange('bytes=5-', 5), /Request Out of Range/);
    assert.throws(() => resolveRange('bytes=3-1', 5), /Request Out of Range/);
  });
  it('runs in linear time on long whitespace (fuzzing found quadratic backtracking: 1.7 s on 16 KB)', () => {
    for (const h of [`bytes =${' '.repeat(LONG_INPUT)}`, `bytes=1-${' '.repeat(LONG_INPUT)}x`, `bytes=${'\t'.repeat(LONG_INPUT)}x`]) {
      assert.equal(resolveRange(h, 5), undefined);
      assert.ok(timeMs(() => resolveRange(h, 5)) < LINEAR_BUDGET_MS, `${JSON.stringify(h.slice(0, 9))}… (${h.length} chars)`);
    }
    assert.deepEqual(resolveRange(' BYTES = 1 - 2 ', 5), { start: 1, end: 2 });
    assert.deepEqual(resolveRange('bytes=\t-2\t', 5), { start: 3, end: 4 });
    assert.equal(resolveRange('bytes=1 2-3', 5), undefined);
    assert.equal(resolveRange('bytes=1-2-3', 5), undefined);
    assert.equal(resolveRange('bytes=-', 5), undefined);
    assert.equal(resolveRange('bytesx=1-2', 5), undefined);
  });
});

describe('bucket configurations (§9)', () => {
  it('assigns the smallest unused ids as strings; replaces rules by id', () => {
    const c = parseConfig({ rules: [{ prefix: 'a/' }, { id: '1', prefix: 'b/' }, { prefix: 'c/' }] }, 'lifecycle');
    assert.deepEqual(
      c.rules.map((r) => [r.id, r.prefix]),
      [
        ['2', 'a/'],
        ['1', 'b/'],
        ['3', 'c/'],
      ],
    );
    const up = upsertRule(c.rules, { id: 2, prefix: 'z/' }, 'lifecycle');
    assert.deepEqual(
      up.map((r) => [r.id, r.prefix]),
      [
        ['2', 'z/'],
        ['1', 'b/'],
        ['3', 'c/'],
      ],
    );
    assert.equal(upsertRule(up, { allowOrigin: '*' }, 'cors').at(-1)?.id, '4');
  });

  it('computes lifecycle ages for enabled rules and matches CORS origins', () => {
    const cfg = { rules: [{ id: '1', enabled: true, prefix: 'tmp/', actions: { expiration: { days: 0.5 } } }] };
    assert.equal(lifecycleAge(cfg, 'tmp/x', 'expiration'), 43_200_000);
    assert.equal(lifecycleAge(cfg, 'other', 'expiration'), undefined);
    const cors = { rules: [{ id: '1', allowOrigin: '*.example.com' }] };
    assert.equal(originAllowed(cors, 'https://a.example.com'), true);
    assert.equal(originAllowed(cors, 'https://example.org'), false);
  });

  it('numbers id-less rules 1, 2, … skipping taken ids, keeping given ids (linear: test/core/fuzz/bucket-config.test.ts)', () => {
    // Same ids as before: given ids kept, the others numbered 1, 2, … skipping taken ones.
    assert.deepEqual(parseConfig({ rules: [{}, { id: '2' }, {}, { id: 'x' }, {}, { id: '2', prefix: 'p' }] }, 'cors').rules, [
      { id: '1' },
      { id: '2', prefix: 'p' },
      { id: '3' },
      { id: 'x' },
      { id: '4' },
    ]);
  });
});

describe('bucket names (§4)', () => {
  it('accepts SDK test names and rejects reserved or malformed ones', () => {
    checkBucketName('test-python-20261121235033');
    checkBucketName('testgalaxyfdsclient-1612345678901-testdeleteobjectswithnamelist');
    for (const bad of ['trash', 'healthz', 'readyz', 'metrics', 'openapi.json', '', 'A', '_x', 'a'.repeat(129)]) {
      assert.throws(() => checkBucketName(bad), /Invalid Bucket Name/, bad);
    }
  });
});

describe('request time (§2.2.5)', () => {
  const t = Date.UTC(1994, 10, 6, 8, 49, 37);
  it('parses RFC 1123, RFC 850, asctime (as GMT), UTC and offsets', () => {
    for (const s of [
      'Sun, 06 Nov 1994 08:49:37 GMT',
      'Sunday, 06-Nov-94 08:49:37 GMT',
      'Sun Nov  6 08:49:37 1994',
      'Sun, 06 Nov 1994 08:49:37 UTC',
      'Sun, 06 Nov 1994 16:49:37 +0800',
    ]) {
      assert.deepEqual(requestTimes(s), [t], s);
    }
    assert.deepEqual(requestTimes('yesterday-ish'), []);
  });

  it('reads Go’s CST as China Standard Time as well as US Central', () => {
    assert.ok(withinSkew('Sun, 06 Nov 1994 16:49:37 CST', t, 60_000));
    assert.ok(withinSkew('Sun, 06 Nov 1994 02:49:37 CST', t, 60_000));
    assert.ok(!withinSkew('Sun, 06 Nov 1994 10:49:37 CST', t, 60_000));
  });
});

describe('multipart complete part list (§6.3)', () => {
  it('keeps each part once, in part-number order, with normalized etags', () => {
    assert.deepEqual(
      parsePartList([
        { partNumber: 2, etag: '"ABC"', partSize: 5 },
        { partNumber: '1', etag: '' },
      ]),
      [
        { partNumber: 1, etag: undefined },
        { partNumber: 2, etag: 'abc' },
      ],
    );
    assert.deepEqual(parsePartList(undefined), []);
    assert.deepEqual(parsePartList([]), []);
    assert.equal(parsePartList(Array.from({ length: MAX_PARTS }, (_, i) => ({ partNumber: MAX_PARTS - i }))).length, MAX_PARTS);
  });

  it('refuses repeats, too many entries, bad numbers and non-lists', () => {
    const bad: unknown[] = [
      [{ partNumber: 1 }, { partNumber: 1 }],
      [{ partNumber: 1 }, { partNumber: 2 }, { partNumber: 1 }],
      Array.from({ length: MAX_PARTS + 1 }, (_, i) => ({ partNumber: i + 1 })),
      [{ partNumber: 0 }],
      [{ partNumber: 10001 }],
      [{ partNumber: 1.5 }],
      [{ partNumber: '1e3' }],
      [{}],
      [null],
      { partNumber: 1 },
    ];
    for (const list of bad) assert.throws(() => parsePartList(list), FdsError);
  });
});
