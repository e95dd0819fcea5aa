// The JS SDK's server-side presign request (fds-protocol §5.13): httpMethod, signAlgorithm,
// expiration and subResources parsed strictly, every missing one taking the SDK's default.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FdsError } from '../../../src/core/fds/errors.ts';
import { parsePresignRequest } from '../../../src/core/fds/presign-request.ts';

const q = (s: string) => new Map(new URLSearchParams(s));
const refused = (s: string, message: string) =>
  assert.throws(
    () => parsePresignRequest(q(s)),
    (e: unknown) => e instanceof FdsError && e.code === 'InvalidRequest' && e.status === 400 && e.message === `Invalid Request: ${message}`,
    s,
  );

describe('parsePresignRequest', () => {
  it("reads the SDK's request as it sends it", () => {
    const r = parsePresignRequest(
      q(
        'presignedUrl&subResources=metadata&expiration=1464829356000&httpMethod=HEAD&enableCdn=false&enableHttps=false&signAlgorithm=HmacSHA256',
      ),
    );
    assert.deepEqual(r, { method: 'HEAD', subResources: ['metadata'], expiration: 1464829356000, algorithm: 'sha256' });
  });
  it('defaults: GET, HmacSHA1, no sub-resources, the server default expiry (absent or empty)', () => {
    const d = { method: 'GET', subResources: [], expiration: undefined, algorithm: 'sha1' };
    assert.deepEqual(parsePresignRequest(q('presignedUrl')), d);
    assert.deepEqual(parsePresignRequest(q('presignedUrl&subResources=&expiration=&httpMethod=&signAlgorithm=')), d);
  });
  it('takes the five methods and three algorithms in any case', () => {
    for (const m of ['GET', 'HEAD', 'PUT', 'POST', 'DELETE']) {
      assert.equal(parsePresignRequest(q(`httpMethod=${m.toLowerCase()}`)).method, m);
    }
    assert.equal(parsePresignRequest(q('signAlgorithm=HmacSHA1')).algorithm, 'sha1');
    assert.equal(parsePresignRequest(q('signAlgorithm=HMACSHA256')).algorithm, 'sha256');
    assert.equal(parsePresignRequest(q('signAlgorithm=hmacmd5')).algorithm, 'md5');
  });
  it('refuses other methods, algorithms and expirations (as the site test sends them)', () => {
    refused('httpMethod=PATCH', 'httpMethod must be GET, HEAD, PUT, POST or DELETE');
    refused('signAlgorithm=RSA', 'signAlgorithm must be HmacSHA1, HmacSHA256 or HmacMD5');
    refused('signAlgorithm=toString', 'signAlgorithm must be HmacSHA1, HmacSHA256 or HmacMD5');
    // Names every object literal inherits are no algorithm (they passed once: a TypeError, a 500).
    for (const name of ['constructor', '__proto__', 'hasOwnProperty', 'valueOf'])
      refused(`signAlgorithm=${name}`, 'signAlgorithm must be HmacSHA1, HmacSHA256 or HmacMD5');
    refused('expiration=1e12', 'expiration must be milliseconds since the epoch');
    refused('expiration=-1', 'expiration must be milliseconds since the epoch');
    refused('expiration=12345678901234567', 'expiration must be milliseconds since the epoch');
    assert.equal(parsePresignRequest(q('expiration=1234567890123456')).expiration, 1234567890123456);
    assert.equal(parsePresignRequest(q('expiration=0')).expiration, 0);
  });
  it('splits subResources at ":" into key or key=<percent-encoded value>', () => {
    assert.deepEqual(parsePresignRequest(q('subResources=metadata:acl')).subResources, ['metadata', 'acl']);
    assert.deepEqual(parsePresignRequest(q('subResources=metadata=')).subResources, ['metadata=']);
    assert.deepEqual(parsePresignRequest(q(`subResources=${encodeURIComponent('versionId=a b/c=d&e')}`)).subResources, [
      'versionId=a%20b%2Fc%3Dd%26e',
    ]);
    assert.deepEqual(parsePresignRequest(q('subResources=a_b-c9')).subResources, ['a_b-c9']);
  });
  it('refuses reserved, malformed, over-long and more than 16 sub-resource keys', () => {
    for (const k of ['GalaxyAccessKeyId', 'Expires', 'Signature', 'presignedUrl']) {
      refused(`subResources=${k}=x`, `subResource ${JSON.stringify(k)}`);
      refused(`subResources=acl:${k}`, `subResource ${JSON.stringify(k)}`);
    }
    refused('subResources=acl::metadata', 'subResource ""');
    refused('subResources=9lives', 'subResource "9lives"');
    refused('subResources=a.b', 'subResource "a.b"');
    refused('subResources==x', 'subResource ""');
    const long = `a${'b'.repeat(64)}`;
    refused(`subResources=${long}`, `subResource ${JSON.stringify(long.slice(0, 64))}`);
    assert.deepEqual(parsePresignRequest(q(`subResources=${long.slice(0, 64)}`)).subResources, [long.slice(0, 64)]);
    const items = (n: number) => Array.from({ length: n }, (_, i) => `k${i}`).join(':');
    assert.equal(parsePresignRequest(q(`subResources=${items(16)}`)).subResources.length, 16);
    refused(`subResources=${items(17)}`, 'at most 16 subResources');
  });
});
