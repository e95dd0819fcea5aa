// Presigned URIs (fds-protocol §2.3), piece by piece: the path of a bucket or object URL, the
// string the signature covers (`METHOD\nmd5\ntype\n<Expires>\n/{b}/{o}[?sub-resources]`, computed
// here with node:crypto, not with the signer), the query as the SDKs write it, and the strict
// parsing of the credential triple with the messages a client reads. The SDK vectors are in
// test/core/fds/signer.test.ts, the random round trips in test/core/fuzz/presign.test.ts.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { FdsError } from '../../../src/core/fds/errors.ts';
import { objectPath, parsePresignedQuery, presignedPath, presignSignature, presignUrl } from '../../../src/core/fds/presign.ts';

const hmac = (alg: string, secret: string, text: string) => createHmac(alg, secret).update(text, 'utf8').digest('base64');
const BASE = { bucket: 'b1', object: 'dir/a b', expires: 1700000000000, accessKeyId: 'AK', secret: 'S3CRET' };

describe('objectPath', () => {
  it('encodes bucket and object per segment; a bucket-level URL has no trailing slash', () => {
    assert.equal(objectPath('b1', ''), '/b1');
    assert.equal(objectPath('b1', 'o'), '/b1/o');
    assert.equal(objectPath('b1', 'dir/a b+c?'), '/b1/dir/a%20b%2Bc%3F');
    assert.equal(objectPath('b1', '/'), '/b1//');
  });
});

describe('presignSignature', () => {
  it('signs GET, empty MD5 and type, Expires and the decoded resource by default (HmacSHA1)', () => {
    assert.equal(presignSignature(BASE), hmac('sha1', 'S3CRET', 'GET\n\n\n1700000000000\n/b1/dir/a b'));
  });

  it('upper-cases the method and signs the given MD5, type and algorithm', () => {
    const p = { ...BASE, method: 'put', contentMd5: 'md5value', contentType: 'text/plain', algorithm: 'sha256' as const };
    assert.equal(presignSignature(p), hmac('sha256', 'S3CRET', 'PUT\nmd5value\ntext/plain\n1700000000000\n/b1/dir/a b'));
  });

  it('signs the sub-resources after "?", joined by "&" (sorted by the canonicalization)', () => {
    const p = { ...BASE, subResources: ['uploadId=u1', 'partNumber=2'] };
    assert.equal(presignSignature(p), hmac('sha1', 'S3CRET', 'GET\n\n\n1700000000000\n/b1/dir/a b?partNumber=2&uploadId=u1'));
    assert.equal(presignSignature({ ...BASE, subResources: [] }), presignSignature(BASE));
    assert.equal(presignSignature({ ...BASE, object: '' }), hmac('sha1', 'S3CRET', 'GET\n\n\n1700000000000\n/b1'));
  });
});

describe('presignedPath and presignUrl', () => {
  it('puts the sub-resources first, then the escaped key, Expires and the raw signature', () => {
    const p = { ...BASE, accessKeyId: 'A K&=', subResources: ['acl', 'uploadId=u1'] };
    assert.equal(
      presignedPath(p),
      `/b1/dir/a%20b?acl&uploadId=u1&GalaxyAccessKeyId=A%20K%26%3D&Expires=1700000000000&Signature=${presignSignature(p)}`,
    );
    assert.equal(presignedPath(BASE), `/b1/dir/a%20b?GalaxyAccessKeyId=AK&Expires=1700000000000&Signature=${presignSignature(BASE)}`);
  });

  it('joins the base URL without doubling or dropping slashes', () => {
    const path = presignedPath(BASE);
    assert.equal(presignUrl('http://127.0.0.1:8081', BASE), `http://127.0.0.1:8081${path}`);
    assert.equal(presignUrl('http://127.0.0.1:8081/', BASE), `http://127.0.0.1:8081${path}`);
    assert.equal(presignUrl('http://127.0.0.1:8081///', BASE), `http://127.0.0.1:8081${path}`);
    assert.equal(presignUrl('http://h/fds/', BASE), `http://h/fds${path}`);
  });
});

describe('parsePresignedQuery', () => {
  const refused = (code: string, message: string) => (e: unknown) => e instanceof FdsError && e.code === code && e.message === message;

  it('reads the triple among other parameters: the key form-decoded, Signature %XX-decoded with + kept', () => {
    assert.deepEqual(parsePresignedQuery('acl&GalaxyAccessKeyId=A+K%21&uploadId=1&Expires=0123&Signature=a+b%2F%3D'), {
      accessKeyId: 'A K!',
      expires: '0123',
      signature: 'a+b/=',
    });
    assert.deepEqual(parsePresignedQuery('Galaxy%41ccessKeyId=AK&Expires=1&Signature=s'), {
      accessKeyId: 'AK',
      expires: '1',
      signature: 's',
    });
    assert.deepEqual(parsePresignedQuery('GalaxyAccessKeyId&Expires=1&Signature'), { accessKeyId: '', expires: '1', signature: '' });
  });

  it('is no presigned request without the key or without the signature', () => {
    assert.equal(parsePresignedQuery(''), undefined);
    assert.equal(parsePresignedQuery('GalaxyAccessKeyId=A&Expires=1'), undefined);
    assert.equal(parsePresignedQuery('Expires=1&Signature=s'), undefined);
    assert.equal(parsePresignedQuery('Expires=x&Signature=s'), undefined);
  });

  it('refuses a missing Expires as expired, and Expires of anything but 1 to 16 digits', () => {
    assert.throws(
      () => parsePresignedQuery('GalaxyAccessKeyId=A&Signature=s'),
      refused('RequestExpired', 'Request Expired: a presigned URL needs Expires'),
    );
    const digitsOnly = 'Authentication Failed: Expires must be milliseconds since the epoch (digits only)';
    for (const bad of ['', 'x1', '1x', ' 1', '1 ', '12345678901234567', '1.5']) {
      assert.throws(
        () => parsePresignedQuery(`GalaxyAccessKeyId=A&Expires=${bad}&Signature=s`),
        refused('AuthenticationFailed', digitsOnly),
        bad,
      );
    }
    assert.equal(parsePresignedQuery('GalaxyAccessKeyId=A&Expires=1234567890123456&Signature=s')?.expires, '1234567890123456');
  });

  it('refuses each credential parameter given twice, naming it', () => {
    for (const key of ['GalaxyAccessKeyId', 'Expires', 'Signature']) {
      assert.throws(
        () => parsePresignedQuery(`GalaxyAccessKeyId=A&Expires=1&Signature=s&${key}=2`),
        refused('AuthenticationFailed', `Authentication Failed: ${key} is given more than once`),
      );
    }
    assert.deepEqual(parsePresignedQuery('acl&acl&GalaxyAccessKeyId=A&Expires=1&Signature=s'), {
      accessKeyId: 'A',
      expires: '1',
      signature: 's',
    });
  });
});
