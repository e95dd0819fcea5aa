// Galaxy-V2 signer: the V1–V9 vectors and canonicalization vectors of fds-protocol §2.2.7, plus the
// compatibility candidates of §2.2.6.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FdsError } from '../../../src/core/fds/errors.ts';
import { parsePresignedQuery, presignedPath, presignSignature } from '../../../src/core/fds/presign.ts';
import { parseQuery, percentDecode, splitTarget } from '../../../src/core/fds/query.ts';
import {
  algorithmOf,
  authorizationHeader,
  candidateStrings,
  canonicalHeaders,
  canonicalResource,
  expiresParam,
  hmacBase64,
  parseAuthorization,
  type SignableRequest,
  SUB_RESOURCES,
  stringToSign,
  verifySignature,
} from '../../../src/core/fds/signer.ts';

const SECRET = 'SECRETEXAMPLEKEY';
const AK = 'AKEXAMPLE12345';
const DATE = 'Tue, 18 Feb 2020 05:05:51 GMT';

function req(method: string, target: string, headers: Array<[string, string]> = []): SignableRequest {
  const { path, query } = splitTarget(target);
  return { method, path, query, headers };
}

const VECTORS: Array<{ name: string; r: SignableRequest; sts: string; sig: string }> = [
  {
    name: 'V1 PY put',
    r: req('PUT', '/test-bucket/test1', [
      ['content-md5', '5a105e8b9d40e1329780d62ea2265d8a'],
      ['date', DATE],
    ]),
    sts: `PUT\n5a105e8b9d40e1329780d62ea2265d8a\n\n${DATE}\n/test-bucket/test1`,
    sig: 'lgBzspUGJbaytl0IAAXahXHfw7E=',
  },
  {
    name: 'V2 PY get acl',
    r: req('GET', '/test-bucket/test1?acl=true', [['date', DATE]]),
    sts: `GET\n\n\n${DATE}\n/test-bucket/test1?acl=true`,
    sig: '67efxv2scUgAIrn9c+fZS4vhAqs=',
  },
  {
    name: 'V3 PY upload part',
    r: req('PUT', '/b/o?uploadId=u-1&partNumber=2', [['date', DATE]]),
    sts: `PUT\n\n\n${DATE}\n/b/o?partNumber=2&uploadId=u-1`,
    sig: '4RsrLFkX3f2A1zH2SIKA/0BHLIQ=',
  },
  {
    name: 'V4 JAVA put acl',
    r: req('PUT', '/b?acl', [
      ['content-type', 'application/json; charset=UTF-8'],
      ['date', DATE],
      ['x-xiaomi-request-id', 'abcd1234_42'],
    ]),
    sts: `PUT\n\napplication/json; charset=UTF-8\n${DATE}\nx-xiaomi-request-id:abcd1234_42\n/b?acl`,
    sig: 'z3nx5kf3cXjUdXumv7EjirashCg=',
  },
  {
    name: 'V5 x-xiaomi-date',
    r: req('GET', '/b/o?metadata', [
      ['date', DATE],
      ['x-xiaomi-date', 'Tue, 18 Feb 2020 05:06:00 GMT'],
    ]),
    sts: 'GET\n\n\n\nx-xiaomi-date:Tue, 18 Feb 2020 05:06:00 GMT\n/b/o?metadata',
    sig: 'c+v2o2Lykgv/TbHcZjkXBKlNp5M=',
  },
  {
    name: 'V6 presigned GET',
    r: req('GET', '/test-bucket/%E4%B8%AD%E6%96%87%E6%B5%8B%E8%AF%95?GalaxyAccessKeyId=AKEXAMPLE12345&Expires=1582002351000'),
    sts: 'GET\n\n\n1582002351000\n/test-bucket/中文测试',
    sig: '+/DsBVtLX0tqbyVjdxlXrnIF2yc=',
  },
  { name: 'V7 list buckets', r: req('GET', '/', [['date', DATE]]), sts: `GET\n\n\n${DATE}\n/`, sig: 'ysjkOrkS24gYRsNvYDZ4gJG6iac=' },
  {
    name: 'V8 JAVA init multipart',
    r: req('PUT', '/my-bucket/big.bin?uploads', [
      ['content-type', 'application/json; charset=UTF-8'],
      ['date', DATE],
      ['x-xiaomi-request-id', '1a2b3c4d_-42'],
      ['x-xiaomi-multipart-upload-mode', 'DIRECT'],
      ['x-xiaomi-meta-test', 'test-meta-data'],
    ]),
    sts: `PUT\n\napplication/json; charset=UTF-8\n${DATE}\nx-xiaomi-meta-test:test-meta-data\nx-xiaomi-multipart-upload-mode:DIRECT\nx-xiaomi-request-id:1a2b3c4d_-42\n/my-bucket/big.bin?uploads`,
    sig: '4BFedyvpcNcxHW2IUZ6j2sZaP0o=',
  },
  {
    name: 'V9 PHP/PY vector',
    r: req('GET', '/fds/bucket/test.txt?uploads&uploadId=xx&partNumber=1'),
    sts: 'GET\n\n\n\n/fds/bucket/test.txt?partNumber=1&uploadId=xx&uploads',
    sig: 'Pt90pLgq9kgliuZpwKyNKcP1BOE=',
  },
];

describe('Galaxy-V2 signer vectors (§2.2.7)', () => {
  for (const v of VECTORS) {
    it(v.name, () => {
      assert.equal(stringToSign(v.r), v.sts);
      assert.equal(hmacBase64(SECRET, v.sts), v.sig);
      assert.equal(verifySignature(v.r, SECRET, v.sig), true);
      assert.equal(verifySignature(v.r, 'WRONGSECRET', v.sig), false);
      assert.equal(authorizationHeader(v.r, AK, SECRET), `Galaxy-V2 ${AK}:${v.sig}`);
    });
  }

  it('V1 with HmacSHA256 and HmacMD5, chosen by signature length', () => {
    const v1 = VECTORS[0]!;
    assert.equal(hmacBase64(SECRET, v1.sts, 'sha256'), 'ggUomEWQOhr2+Do502BiaOJ0YcAjWmun8o+ELsPHz6A=');
    assert.equal(hmacBase64(SECRET, v1.sts, 'md5'), 'PrkIESEJcvbqfsL9j2GQAg==');
    assert.equal(algorithmOf('ggUomEWQOhr2+Do502BiaOJ0YcAjWmun8o+ELsPHz6A='), 'sha256');
    assert.equal(algorithmOf('PrkIESEJcvbqfsL9j2GQAg=='), 'md5');
    assert.equal(algorithmOf(v1.sig), 'sha1');
    assert.equal(algorithmOf('abc'), undefined);
    assert.equal(verifySignature(v1.r, SECRET, 'ggUomEWQOhr2+Do502BiaOJ0YcAjWmun8o+ELsPHz6A='), true);
    assert.equal(verifySignature(v1.r, SECRET, 'PrkIESEJcvbqfsL9j2GQAg=='), true);
  });

  it('V6 via presignSignature and presignedPath keeps the raw +', () => {
    const p = { bucket: 'test-bucket', object: '中文测试', expires: 1582002351000, accessKeyId: AK, secret: SECRET };
    assert.equal(presignSignature(p), '+/DsBVtLX0tqbyVjdxlXrnIF2yc=');
    const path = presignedPath(p);
    assert.equal(
      path,
      '/test-bucket/%E4%B8%AD%E6%96%87%E6%B5%8B%E8%AF%95?GalaxyAccessKeyId=AKEXAMPLE12345&Expires=1582002351000&Signature=+/DsBVtLX0tqbyVjdxlXrnIF2yc=',
    );
    assert.equal(parseQuery(splitTarget(path).query).get('Signature'), '+/DsBVtLX0tqbyVjdxlXrnIF2yc=');
  });
});

describe('canonicalization vectors (signer_test.py, SignerTest.php)', () => {
  it('keeps only whitelisted sub-resources, sorted', () => {
    assert.equal(canonicalResource('/fds/mybucket/', 'acl&a=1&b=2&c=3'), '/fds/mybucket/?acl');
    assert.equal(
      canonicalResource('/fds/mybucket/test.txt', 'uploads&uploadId=xxx&partNumber=3&timestamp=12345566'),
      '/fds/mybucket/test.txt?partNumber=3&uploadId=xxx&uploads',
    );
  });

  it('joins repeated x-xiaomi headers with "," and sorts by key (Python strips values)', () => {
    const headers: Array<[string, string]> = [
      ['x-xiaomi-meta-username', 'x@xiaomi.com '],
      ['x-xiaomi-meta-username', 'a@xiaomi.com '],
      ['x-xiaomi-date', 'Tue, 27 Mar 2007 21:20:26+000'],
      ['Content-Type', 'text/plain'],
    ];
    assert.equal(
      canonicalHeaders(headers, { skipEmptyHeaders: true }),
      'x-xiaomi-date:Tue, 27 Mar 2007 21:20:26+000\nx-xiaomi-meta-username:x@xiaomi.com,a@xiaomi.com\n',
    );
  });

  it('takes Expires as the date line of a presigned URL', () => {
    const r = req(
      'GET',
      '/fds/bucket/test.txt?GalaxyAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1141889120&Signature=vjbyPxybdZaNmGa%2ByT272YEAiv4%3D',
    );
    assert.equal(stringToSign(r), 'GET\n\n\n1141889120\n/fds/bucket/test.txt');
  });
});

describe('presigned query parsing (§2.3)', () => {
  it('parses the triple once, strictly; the DateLine is that Expires, never a date header', () => {
    const q = 'GalaxyAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1141889120&Signature=vjbyPxybdZaNmGa%2ByT272YEAiv4%3D';
    assert.deepEqual(parsePresignedQuery(q), {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      expires: '1141889120',
      signature: 'vjbyPxybdZaNmGa+yT272YEAiv4=',
    });
    assert.equal(parsePresignedQuery('acl&uploadId=1'), undefined);
    const r = { ...req('GET', `/fds/bucket/test.txt?${q}`, [['date', 'Tue, 18 Feb 2020 05:05:51 GMT']]), dateLine: '1141889120' };
    assert.equal(stringToSign(r), 'GET\n\n\n1141889120\n/fds/bucket/test.txt');
    const weird = { ...req('GET', '/b/o?Expires=9999999999999+', [['date', 'Tue, 18 Feb 2020 05:05:51 GMT']]), dateLine: '0' };
    assert.equal(stringToSign(weird), 'GET\n\n\n0\n/b/o');
  });

  it('refuses a malformed Expires and repeated credential parameters', () => {
    for (const bad of ['9999999999999+', '1%30', ' 1', '1e3', '-5', '', '12345678901234567']) {
      assert.throws(() => parsePresignedQuery(`GalaxyAccessKeyId=A&Expires=${bad}&Signature=x`), FdsError, bad);
    }
    assert.throws(() => parsePresignedQuery('GalaxyAccessKeyId=A&Signature=x'), FdsError);
    for (const dup of ['Expires=2', 'Signature=y', 'GalaxyAccessKeyId=B', 'Expire%73=2']) {
      assert.throws(() => parsePresignedQuery(`GalaxyAccessKeyId=A&Expires=1&Signature=x&${dup}`), FdsError, dup);
    }
  });
});

describe('compatibility candidates (§2.2.6)', () => {
  it('(a) Python signs a name with "?" truncated at the decoded "?"', () => {
    const r = req('PUT', '/b1/dir/%E4%B8%AD%E6%96%87%20x%3Fy', [['date', DATE]]);
    const pySig = hmacBase64(SECRET, `PUT\n\n\n${DATE}\n/b1/dir/中文 x`);
    assert.equal(verifySignature(r, SECRET, pySig), true);
    // The CORE form signs the whole decoded name.
    assert.equal(stringToSign(r), `PUT\n\n\n${DATE}\n/b1/dir/中文 x?y`);
    assert.equal(verifySignature(r, SECRET, hmacBase64(SECRET, stringToSign(r))), true);
  });

  it('(a) Python also decodes the query before splitting it: an escaped & in a sub-resource value (found by fuzzing)', () => {
    // Python signs unquote("/b/o?uploadId=a%26b") → "/b/o?uploadId=a&b": sub-resource uploadId=a.
    const r = req('PUT', '/b/o?uploadId=a%26b&partNumber=1', [['date', DATE]]);
    const pySig = hmacBase64(SECRET, `PUT\n\n\n${DATE}\n/b/o?partNumber=1&uploadId=a`);
    assert.equal(verifySignature(r, SECRET, pySig), true);
    assert.equal(stringToSign(r), `PUT\n\n\n${DATE}\n/b/o?partNumber=1&uploadId=a&b`);
  });

  it('(c) Python omits empty x-xiaomi headers; CORE/Go keep "key:"', () => {
    const r = req('GET', '/b/o', [
      ['date', DATE],
      ['x-xiaomi-meta-empty', ''],
    ]);
    assert.equal(stringToSign(r), `GET\n\n\n${DATE}\nx-xiaomi-meta-empty:\n/b/o`);
    assert.equal(verifySignature(r, SECRET, hmacBase64(SECRET, `GET\n\n\n${DATE}\n/b/o`)), true);
    assert.equal(verifySignature(r, SECRET, hmacBase64(SECRET, stringToSign(r))), true);
  });

  it('(d) Python keeps "acl=" for an empty value', () => {
    const r = req('GET', '/b/o?acl=', [['date', DATE]]);
    assert.equal(stringToSign(r), `GET\n\n\n${DATE}\n/b/o?acl`);
    assert.equal(verifySignature(r, SECRET, hmacBase64(SECRET, `GET\n\n\n${DATE}\n/b/o?acl=`)), true);
  });

  it('rejects a signature for another resource or method', () => {
    const r = req('GET', '/b/o', [['date', DATE]]);
    assert.equal(verifySignature(r, SECRET, hmacBase64(SECRET, `GET\n\n\n${DATE}\n/b/other`)), false);
    assert.equal(verifySignature(r, SECRET, hmacBase64(SECRET, `PUT\n\n\n${DATE}\n/b/o`)), false);
  });

  it('parses the Authorization header', () => {
    assert.deepEqual(parseAuthorization('Galaxy-V2 AK1:abc+/='), { accessKeyId: 'AK1', signature: 'abc+/=' });
    assert.equal(parseAuthorization('OAuth'), undefined);
    assert.equal(parseAuthorization('Galaxy-V2 nocolon'), undefined);
  });
});

describe('query decoding (§1.1)', () => {
  it('form-decodes values but keeps + in Signature', () => {
    const q = parseQuery('renameTo=a+b%2Fc&acl&Signature=a+b%2F=&uploads=true');
    assert.equal(q.get('renameTo'), 'a b/c');
    assert.equal(q.get('acl'), '');
    assert.equal(q.get('uploads'), 'true');
    assert.equal(q.get('Signature'), 'a+b/=');
  });

  it('strips scheme and authority from absolute-form targets', () => {
    assert.deepEqual(splitTarget('http://cnbj0-fds.api.xiaomi.net/b1/o?acl'), { path: '/b1/o', query: 'acl' });
    assert.deepEqual(splitTarget('/b1'), { path: '/b1', query: '' });
    assert.deepEqual(splitTarget('http://host:80'), { path: '/', query: '' });
  });

  it('decodes %XX as UTF-8 and leaves malformed escapes alone', () => {
    assert.equal(percentDecode('%E4%B8%AD+%zz%'), '中+%zz%');
    // Bad UTF-8 becomes U+FFFD per maximal subpart; literal characters never join an escaped sequence.
    assert.equal(percentDecode('%E4%B8x%C3©%FF%80中%F0%9F%98%80'), '\ufffdx\ufffd©\ufffd\ufffd中😀');
    assert.equal(percentDecode('a\ud800%41'), 'a\ufffdA');
    assert.equal(percentDecode('a\ud800'), 'a\ud800');
    // An escaped byte-order mark is a character of the name (a decoder's BOM stripping lost it; found by fuzzing).
    assert.equal(percentDecode('%EF%BB%BF%00'), '\ufeff\u0000');
    assert.equal(percentDecode('x/%EF%BB%BFy'), 'x/\ufeffy');
  });

  it('decodes a 16 KB path of escapes and plain characters (the fuzzing drill found one Buffer per character: bench/README.md)', () => {
    const path = `/b/${'%E4%B8%AD'.repeat(1000)}${'a'.repeat(7000)}`;
    const decoded = percentDecode(path);
    assert.equal(decoded, `/b/${'中'.repeat(1000)}${'a'.repeat(7000)}`);
  });
});

// Rules the mutation run of 2026-12-06 found unpinned: the whitelist, header and resource
// canonicalization in every variant, the Expires date line, the algorithm and Authorization
// parsers, and when each compatibility candidate of §2.2.6 is tried — as the code answers now.
describe('canonicalization, every rule', () => {
  it('the sub-resource whitelist is exactly these seven keys, case-sensitive; compression only as a variant', () => {
    assert.deepEqual([...SUB_RESOURCES], ['acl', 'quota', 'uploads', 'partNumber', 'uploadId', 'storageAccessToken', 'metadata']);
    const q = 'x=1&quota&uploads&partNumber=1&uploadId=u&storageAccessToken=t&metadata&compression&acl&ACL&Acl=2';
    assert.equal(canonicalResource('/b', q), '/b?acl&metadata&partNumber=1&quota&storageAccessToken=t&uploadId=u&uploads');
    assert.equal(
      canonicalResource('/b', q, { withCompression: true }),
      '/b?acl&compression&metadata&partNumber=1&quota&storageAccessToken=t&uploadId=u&uploads',
    );
    assert.equal(canonicalResource('/b', 'compression=1&x=2', { withCompression: true }), '/b?compression=1');
    assert.equal(canonicalResource('/b', 'compression=1&x=2'), '/b');
    for (const key of SUB_RESOURCES) assert.equal(canonicalResource('/o', `${key}=v&zz=1`), `/o?${key}=v`, key);
    assert.equal(canonicalResource('/o', 'x=1&y'), '/o');
  });

  it('CORE decodes keys and values, keeps the last of a repeated key, and drops an empty value to the bare key', () => {
    assert.equal(canonicalResource('/b/%41', 'upload%49d=a%20b%2Bc'), '/b/A?uploadId=a b+c');
    assert.equal(canonicalResource('/b', 'acl='), '/b?acl');
    assert.equal(canonicalResource('/b', 'acl=true&acl'), '/b?acl');
    assert.equal(canonicalResource('/b', 'acl&acl=x'), '/b?acl=x');
    assert.equal(canonicalResource('/b', 'uploadId=1&partNumber=2&acl'), '/b?acl&partNumber=2&uploadId=1');
  });

  it('(d) keepEmptyEquals keeps "key=" only for a key sent with "=" and nothing after it', () => {
    assert.equal(canonicalResource('/b', 'acl=', { keepEmptyEquals: true }), '/b?acl=');
    assert.equal(canonicalResource('/b', 'acl', { keepEmptyEquals: true }), '/b?acl');
    assert.equal(canonicalResource('/b', 'acl=x&uploads=', { keepEmptyEquals: true }), '/b?acl=x&uploads=');
  });

  it('(a) pythonPath splits the decoded path?query at its first "?" and keeps the raw keys', () => {
    assert.equal(canonicalResource('/b/o%3Facl', '', { pythonPath: true }), '/b/o?acl');
    assert.equal(canonicalResource('/b/o%3Facl', ''), '/b/o?acl');
    assert.equal(canonicalResource('/b/o%3Fx', 'acl', { pythonPath: true }), '/b/o');
    assert.equal(canonicalResource('%3Facl=1&x', '', { pythonPath: true }), '?acl=1');
    assert.equal(canonicalResource('/b/o', 'acl=%41', { pythonPath: true }), '/b/o?acl=A');
    assert.equal(canonicalResource('/b/%E4%B8%AD', '', { pythonPath: true }), '/b/中');
    assert.equal(canonicalResource('/b/o', 'uploads&x=1', { pythonPath: true }), '/b/o?uploads');
    // Without a "?" the whole decoded text is the path: "&" and "=" in a name are not sub-resources.
    assert.equal(canonicalResource('/b/x&acl', '', { pythonPath: true }), '/b/x&acl');
    assert.equal(canonicalResource('/b/x&uploadId=1', '', { pythonPath: true }), '/b/x&uploadId=1');
  });

  it('x-xiaomi headers: names lower-cased and sorted, values joined in arrival order; CORE keeps spaces and empty values', () => {
    const headers: Array<[string, string]> = [
      ['X-Xiaomi-Meta-C', ' v '],
      ['x-xiaomi-meta-a', 'a1'],
      ['Content-Type', 'text/plain'],
      ['x-xiaomi', 'not a prefix match'],
      ['x-xiaomi-meta-b', ''],
      ['x-xiaomi-meta-a', 'a2'],
      ['x-xiaomi-meta-d', '   '],
      ['my-x-xiaomi-e', 'no'],
    ];
    assert.equal(canonicalHeaders(headers), 'x-xiaomi-meta-a:a1,a2\nx-xiaomi-meta-b:\nx-xiaomi-meta-c: v \nx-xiaomi-meta-d:   \n');
    assert.equal(canonicalHeaders(headers, { skipEmptyHeaders: true }), 'x-xiaomi-meta-a:a1,a2\nx-xiaomi-meta-c:v\n');
    assert.equal(canonicalHeaders([]), '');
    const reversed: Array<[string, string]> = [
      ['x-xiaomi-e', '5'],
      ['x-xiaomi-d', '4'],
      ['x-xiaomi-c', '3'],
      ['x-xiaomi-b', '2'],
      ['x-xiaomi-a', '1'],
      ['x-xiaomi-a-b', '6'],
    ];
    assert.equal(canonicalHeaders(reversed), 'x-xiaomi-a:1\nx-xiaomi-a-b:6\nx-xiaomi-b:2\nx-xiaomi-c:3\nx-xiaomi-d:4\nx-xiaomi-e:5\n');
  });

  it('sorts sub-resources in any arrival order', () => {
    assert.equal(
      canonicalResource('/b', 'uploads&uploadId=1&storageAccessToken=2&quota&partNumber=3&metadata&acl'),
      '/b?acl&metadata&partNumber=3&quota&storageAccessToken=2&uploadId=1&uploads',
    );
  });
});

describe('StringToSign, every rule', () => {
  it('expiresParam: the last Expires (key and value decoded) when it is a positive number', () => {
    const cases: Array<[string, string | undefined]> = [
      ['Expires=5', '5'],
      ['a=1&Expires=1582002351000&b', '1582002351000'],
      ['Expire%73=7', '7'],
      ['Expires=%31', '1'],
      ['Expires=0', undefined],
      ['Expires=-1', undefined],
      ['Expires=abc', undefined],
      ['Expires', undefined],
      ['Expires=', undefined],
      ['expires=5', undefined],
      ['Expires=5&Expires=0', undefined],
      ['Expires=0&Expires=5', '5'],
      ['', undefined],
    ];
    for (const [q, want] of cases) assert.equal(expiresParam(q), want, q);
  });

  it('reads Content-MD5, Content-Type and Date in any case, the first of each; the method upper-cased', () => {
    const r: SignableRequest = {
      method: 'get',
      path: '/b/o',
      query: '',
      headers: [
        ['Content-MD5', 'm1'],
        ['CONTENT-TYPE', 't1'],
        ['Date', 'd1'],
        ['content-md5', 'm2'],
        ['content-type', 't2'],
        ['date', 'd2'],
      ],
    };
    assert.equal(stringToSign(r), 'GET\nm1\nt1\nd1\n/b/o');
    assert.equal(stringToSign({ ...r, headers: [] }), 'GET\n\n\n\n/b/o');
  });

  it('the date line: the given dateLine, else a positive Expires, else empty beside x-xiaomi-date, else Date', () => {
    const headers: Array<[string, string]> = [
      ['date', DATE],
      ['X-Xiaomi-Date', 'xd'],
    ];
    const base: SignableRequest = { method: 'GET', path: '/b/o', query: 'Expires=9', headers };
    assert.equal(stringToSign({ ...base, dateLine: '7' }), 'GET\n\n\n7\nx-xiaomi-date:xd\n/b/o');
    assert.equal(stringToSign({ ...base, dateLine: '' }), 'GET\n\n\n\nx-xiaomi-date:xd\n/b/o');
    assert.equal(stringToSign(base), 'GET\n\n\n9\nx-xiaomi-date:xd\n/b/o');
    assert.equal(stringToSign({ ...base, query: 'Expires=0' }), 'GET\n\n\n\nx-xiaomi-date:xd\n/b/o');
    assert.equal(stringToSign({ ...base, query: '', headers: [['date', DATE]] }), `GET\n\n\n${DATE}\n/b/o`);
    assert.equal(stringToSign({ ...base, query: '', headers: [['x-xiaomi-date', '']] }), 'GET\n\n\n\nx-xiaomi-date:\n/b/o');
  });

  it('multipart/form-data types collapse only in the collapseMultipart variant, in any case', () => {
    const r = (type: string): SignableRequest => ({ method: 'POST', path: '/b', query: '', headers: [['content-type', type]] });
    assert.equal(stringToSign(r('multipart/form-data; boundary=x1')), 'POST\n\nmultipart/form-data; boundary=x1\n\n/b');
    assert.equal(stringToSign(r('Multipart/Form-Data; boundary=x1'), { collapseMultipart: true }), 'POST\n\nmultipart/form-data\n\n/b');
    assert.equal(stringToSign(r('text/plain'), { collapseMultipart: true }), 'POST\n\ntext/plain\n\n/b');
    assert.equal(stringToSign(r('text/multipart/form-data'), { collapseMultipart: true }), 'POST\n\ntext/multipart/form-data\n\n/b');
  });
});

describe('signature and Authorization parsing, every rule', () => {
  it('algorithmOf: standard base64 with at most two "=", 20/32/16 bytes', () => {
    // Every character class boundary of the alphabet (A Z a z 0 9 + /) in one 20-byte value.
    assert.equal(algorithmOf('AZaz09+/AZaz09+/AZaz09+/AZa='), 'sha1');
    assert.equal(algorithmOf('AZaz09+/AZaz09+/AZaz09+/AZa'), 'sha1');
    assert.equal(algorithmOf(`${'A'.repeat(43)}=`), 'sha256');
    assert.equal(algorithmOf(`${'A'.repeat(22)}==`), 'md5');
    for (const bad of [
      `${'A'.repeat(26)}==`,
      'A'.repeat(28),
      'AZaz09-_AZaz09+/AZaz09+/AZa=',
      'AZaz09+/AZaz09+/AZaz09+/AZ==',
      `${'A'.repeat(22)}===`,
      `!${'A'.repeat(27)}=`,
      `${'A'.repeat(27)}=!`,
      `${'A'.repeat(27)}= `,
      `A=${'A'.repeat(26)}`,
      '',
      '=',
    ]) {
      assert.equal(algorithmOf(bad), undefined, bad);
    }
  });

  it('refuses the base64url spelling of a correct signature', () => {
    const v6 = VECTORS[5]!;
    assert.equal(v6.sig, '+/DsBVtLX0tqbyVjdxlXrnIF2yc=');
    assert.equal(verifySignature(v6.r, SECRET, '-_DsBVtLX0tqbyVjdxlXrnIF2yc='), false);
    assert.equal(verifySignature(v6.r, SECRET, '+/DsBVtLX0tqbyVjdxlXrnIF2yc'), true);
    assert.equal(verifySignature(v6.r, SECRET, '+/DsBVtLX0tqbyVjdxlXrnIF2yA='), false);
  });

  it('parseAuthorization: "Galaxy-V2", any case, whitespace, an id without ":" or spaces, a signature without spaces', () => {
    const cases: Array<[string, { accessKeyId: string; signature: string } | undefined]> = [
      ['galaxy-v2 AK:sig', { accessKeyId: 'AK', signature: 'sig' }],
      ['  Galaxy-V2 \t AK:sig  ', { accessKeyId: 'AK', signature: 'sig' }],
      ['Galaxy-V2\tAK:s:i=g', { accessKeyId: 'AK', signature: 's:i=g' }],
      ['Galaxy-V2 a b:c', undefined],
      ['Galaxy-V2 a:b c', undefined],
      ['Galaxy-V2 :sig', undefined],
      ['Galaxy-V2 AK:', undefined],
      ['Galaxy-V2AK:sig', undefined],
      ['x Galaxy-V2 AK:sig', undefined],
      ['Galaxy-V3 AK:sig', undefined],
      ['', undefined],
    ];
    for (const [h, want] of cases) assert.deepEqual(parseAuthorization(h), want, h);
  });
});

describe('compatibility candidates: when each is tried (§2.2.6)', () => {
  const r = (path: string, query: string, headers: Array<[string, string]> = []): SignableRequest => ({
    method: 'PUT',
    path,
    query,
    headers: [['date', DATE], ...headers],
  });
  const sts = (x: SignableRequest, v: Parameters<typeof stringToSign>[1] = {}) => stringToSign(x, v);

  it('a plain request has the CORE string only', () => {
    const x = r('/b/o', 'acl&x=1', [
      ['x-xiaomi-meta-a', ' v '],
      ['content-md5', ''],
      ['content-type', 'text/plain'],
    ]);
    assert.deepEqual(candidateStrings(x), [sts(x)]);
  });

  it('(a) Python is tried for a "%" in the path or the query, or a raw "?" in the path', () => {
    for (const x of [r('/b/o%3Fx', ''), r('/b/o', 'uploadId=a%26b'), r('/b/o?x', ''), r('?', '')]) {
      assert.deepEqual(candidateStrings(x), [sts(x), sts(x, { pythonPath: true })], x.path + x.query);
      assert.notEqual(sts(x), sts(x, { pythonPath: true }));
    }
  });

  it('(c) skipping empty headers is tried for an empty or blank x-xiaomi header in any case', () => {
    for (const v of ['', '  ']) {
      const x = r('/b/o', '', [
        ['X-Xiaomi-Meta-E', v],
        ['x-xiaomi-meta-a', ' v '],
      ]);
      assert.deepEqual(candidateStrings(x), [sts(x), sts(x, { skipEmptyHeaders: true })], JSON.stringify(v));
      assert.equal(verifySignature(x, SECRET, hmacBase64(SECRET, `PUT\n\n\n${DATE}\nx-xiaomi-meta-a:v\n/b/o`)), true);
    }
  });

  it('(d) keeping "key=" is tried for an empty value anywhere in the query', () => {
    for (const q of ['acl=', 'x=1&acl=', 'acl=&x=1', 'x=1&acl=&y=2']) {
      const x = r('/b/o', q);
      assert.deepEqual(candidateStrings(x), [sts(x), sts(x, { keepEmptyEquals: true })], q);
    }
    assert.equal(candidateStrings(r('/b/o', 'acl=x')).length, 1);
  });

  it('compression is tried as a flag or with a value, anywhere in the query', () => {
    for (const q of ['compression', 'compression=1', 'x=1&compression', 'x=1&compression&y', 'compression&y']) {
      const x = r('/b/o', q);
      assert.deepEqual(candidateStrings(x), [sts(x), sts(x, { withCompression: true })], q);
    }
  });

  it('multipart collapsing is tried for a multipart/form-data type in any case', () => {
    const x = r('/b', '', [['Content-Type', 'Multipart/Form-Data; boundary=q']]);
    assert.deepEqual(candidateStrings(x), [sts(x), sts(x, { collapseMultipart: true })]);
  });

  it('the variants combine: every subset of the triggered ones, in trigger order, deduplicated', () => {
    // "%20" triggers Python, whose string equals CORE's here: 16 distinct strings of 32 subsets.
    const x = r('/b/o%20x', 'acl=&compression', [
      ['x-xiaomi-meta-e', ''],
      ['content-type', 'multipart/form-data; boundary=q'],
    ]);
    const all = candidateStrings(x);
    assert.equal(all.length, 16);
    const full = { pythonPath: true, skipEmptyHeaders: true, keepEmptyEquals: true, withCompression: true, collapseMultipart: true };
    assert.equal(all[15], sts(x, full));
    assert.equal(all[15], `PUT\n\nmultipart/form-data\n${DATE}\n/b/o x?acl=&compression`);
    assert.equal(verifySignature(x, SECRET, hmacBase64(SECRET, sts(x, full), 'md5')), true);
    // Python then keepEmptyEquals: CORE, Python, CORE with "acl=" (Python with "acl=" is Python's string).
    const y = r('/b/o%3Fx', 'acl=');
    assert.deepEqual(candidateStrings(y), [`PUT\n\n\n${DATE}\n/b/o?x?acl`, `PUT\n\n\n${DATE}\n/b/o`, `PUT\n\n\n${DATE}\n/b/o?x?acl=`]);
  });
});
