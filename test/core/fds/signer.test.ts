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
  canonicalHeaders,
  canonicalResource,
  hmacBase64,
  parseAuthorization,
  type SignableRequest,
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
