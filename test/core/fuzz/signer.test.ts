// Fuzzing the Galaxy-V2 signature (fds-protocol §2.2): StringToSign, canonical headers and
// resource, verification candidates and the Authorization header. Properties: never an exception
// on hostile requests; a request signed as CORE/Java signs it (and as Python signs it, §2.2.6 (a))
// verifies with every algorithm; one changed signed element (method, Content-MD5, Content-Type,
// the date line, an x-xiaomi header, the decoded path, a sub-resource, the secret, a signature
// byte) does not; the Authorization header round-trips and parses in linear time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodePath, rfc3986Encode } from '../../../src/core/encoding.ts';
import { percentDecode } from '../../../src/core/fds/query.ts';
import {
  algorithmOf,
  authorizationHeader,
  candidateStrings,
  canonicalResource,
  hmacBase64,
  parseAuthorization,
  type SignableRequest,
  stringToSign,
  verifySignature,
} from '../../../src/core/fds/signer.ts';
import { attackString, fastOnLongHeaders, fuzz, headerString } from './fuzz-kit.ts';

const BUCKET = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/);
const OBJECT = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
  fc.constantFrom('中文测试', 'dir/中文 x', 'a b+c', 'x%y', 'a;b', '~!*()', 'dir/sub/'),
);
const SUB = fc.oneof(
  fc.constantFrom('acl', 'acl=true', 'uploads', 'metadata', 'quota'),
  fc
    .tuple(
      fc.constantFrom('uploadId', 'partNumber', 'storageAccessToken'),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 10 }),
    )
    .map(([k, v]) => `${k}=${rfc3986Encode(v)}`),
);
const OTHER = fc
  .tuple(fc.constantFrom('prefix', 'marker', 'renameTo', 'x', 'versionId', 'action'), fc.string({ unit: 'grapheme-ascii', maxLength: 8 }))
  .map(([k, v]) => `${k}=${rfc3986Encode(v)}`);
const SAFE_VALUE = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,14}[\x21-\x7e])?$/);
const HEADERS = fc
  .record({
    md5: fc.option(fc.stringMatching(/^[0-9a-f]{32}$/), { nil: undefined }),
    type: fc.option(
      fc.constantFrom('application/json; charset=UTF-8', 'text/plain', 'application/octet-stream', 'multipart/form-data; boundary=x1'),
      { nil: undefined },
    ),
    date: fc.constantFrom('date', 'Date', 'x-xiaomi-date'),
    xiaomi: fc.array(
      fc.tuple(fc.constantFrom('x-xiaomi-meta-a', 'X-Xiaomi-Meta-B', 'x-xiaomi-request-id', 'x-xiaomi-acl', 'x-xiaomi-meta-a'), SAFE_VALUE),
      { maxLength: 4 },
    ),
  })
  .map(({ md5, type, date, xiaomi }) => {
    const h: Array<[string, string]> = [];
    if (md5) h.push(['content-md5', md5]);
    if (type) h.push(['content-type', type]);
    h.push([date, 'Tue, 18 Feb 2020 05:05:51 GMT']);
    return [...h, ...xiaomi];
  });

interface Case {
  req: SignableRequest;
  bucket: string;
  object: string;
}
const REQUEST: fc.Arbitrary<Case> = fc
  .record({
    method: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'get'),
    bucket: BUCKET,
    object: OBJECT,
    query: fc.array(fc.oneof(SUB, OTHER), { maxLength: 4 }),
    headers: HEADERS,
  })
  .map(({ method, bucket, object, query, headers }) => ({
    bucket,
    object,
    req: { method, path: `/${encodePath(bucket)}/${encodePath(object)}`, query: query.join('&'), headers },
  }));
const SECRET = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 });
const ALGORITHM = fc.constantFrom('sha1' as const, 'sha256' as const, 'md5' as const);

/** The request with one signed element changed. */
function mutate(c: Case, what: number): SignableRequest {
  const r = c.req;
  const setHeader = (name: string, f: (v: string | undefined) => string) => {
    const i = r.headers.findIndex(([k]) => k.toLowerCase() === name);
    const headers = [...r.headers];
    if (i >= 0) headers[i] = [headers[i]?.[0] ?? name, f(headers[i]?.[1])];
    else headers.push([name, f(undefined)]);
    return { ...r, headers };
  };
  switch (what) {
    case 0:
      return { ...r, method: r.method.toUpperCase() === 'GET' ? 'PUT' : 'GET' };
    case 1:
      return setHeader('content-md5', (v) => (v ? `${v.slice(0, -1)}${v.endsWith('0') ? '1' : '0'}` : 'd41d8cd98f00b204e9800998ecf8427e'));
    case 2:
      return setHeader('content-type', (v) => (v === 'text/plain' ? 'text/html' : 'text/plain'));
    case 3: {
      const dateHeader = r.headers.some(([k]) => k.toLowerCase() === 'x-xiaomi-date') ? 'x-xiaomi-date' : 'date';
      return setHeader(dateHeader, () => 'Tue, 18 Feb 2020 05:05:52 GMT');
    }
    case 4:
      return setHeader('x-xiaomi-meta-a', (v) => `${v ?? ''}z`);
    case 5:
      return { ...r, path: `/${encodePath(c.bucket)}/${encodePath(`${c.object}z`)}` };
    default: {
      // CORE keeps the last of a duplicated sub-resource: change that one.
      const withValue = r.query.split('&').findLastIndex((p) => /^(uploadId|partNumber|storageAccessToken)=/.test(p));
      if (withValue < 0) {
        const absent = ['acl', 'uploads', 'metadata', 'quota'].find((k) => !new RegExp(`(^|&)${k}(=|&|$)`).test(r.query)) ?? 'uploadId=new';
        return { ...r, query: r.query ? `${r.query}&${absent}` : absent };
      }
      const parts = r.query.split('&');
      parts[withValue] = `${parts[withValue]}z`;
      return { ...r, query: parts.join('&') };
    }
  }
}

describe('fuzz: Galaxy-V2 signatures', () => {
  it('a request signed as CORE or Python signs it verifies, with every algorithm; the header round-trips', (t) => {
    fuzz(
      t,
      fc.property(
        REQUEST,
        SECRET,
        ALGORITHM,
        fc.boolean(),
        fc.stringMatching(/^[A-Za-z0-9._-]{1,30}$/),
        ({ req }, secret, alg, python, ak) => {
          const signature = python
            ? hmacBase64(secret, stringToSign(req, { pythonPath: true }), alg)
            : hmacBase64(secret, stringToSign(req), alg);
          assert.equal(algorithmOf(signature), alg);
          assert.ok(verifySignature(req, secret, signature), stringToSign(req));
          if (!python) assert.deepEqual(parseAuthorization(authorizationHeader(req, ak, secret, alg)), { accessKeyId: ak, signature });
        },
      ),
    );
  });

  it('one changed signed element, secret or signature byte does not verify', (t) => {
    fuzz(
      t,
      fc.property(REQUEST, SECRET, fc.nat(9), fc.nat(), (c, secret, what, at) => {
        const signature = hmacBase64(secret, stringToSign(c.req));
        if (what === 7) return assert.ok(!verifySignature(c.req, `${secret}x`, signature));
        if (what === 8) {
          // A character of the 28-character SHA-1 signature carrying 6 data bits (the 27th holds
          // 4 data and 2 padding bits, which base64 decoding ignores).
          const i = at % 26;
          const ch = signature[i] === 'A' ? 'B' : 'A';
          return assert.ok(!verifySignature(c.req, secret, signature.slice(0, i) + ch + signature.slice(i + 1)));
        }
        const changed = mutate(c, what === 9 ? 6 : what);
        assert.ok(!verifySignature(changed, secret, signature), `${JSON.stringify(c.req)} → ${JSON.stringify(changed)}`);
      }),
    );
  });

  it('never throws on hostile requests and headers', (t) => {
    const s = attackString(30, 1500);
    const headers = fc.array(
      fc.tuple(
        fc.oneof(fc.constantFrom('x-xiaomi-a', 'Content-MD5', 'content-type', 'date', 'x-xiaomi-date'), headerString(10)),
        headerString(20),
      ),
      { maxLength: 5 },
    );
    fuzz(
      t,
      fc.property(s, s, s, headers, s, (method, path, query, hs, sig) => {
        const req = { method, path, query, headers: hs };
        assert.ok(candidateStrings(req).length >= 1);
        assert.equal(typeof verifySignature(req, 'secret', sig), 'boolean');
        const a = parseAuthorization(sig);
        if (a) assert.ok(a.accessKeyId !== '' && a.signature !== '' && !/[\s:]/.test(a.accessKeyId));
      }),
    );
  });

  it('the decoded path of the canonical resource is the object name (encode → decode round trip)', (t) => {
    fuzz(
      t,
      fc.property(BUCKET, OBJECT, (b, o) => {
        assert.equal(percentDecode(`/${encodePath(b)}/${encodePath(o)}`), `/${b}/${o}`);
        assert.equal(canonicalResource(`/${encodePath(b)}/${encodePath(o)}`, 'x=1'), `/${b}/${o}`);
      }),
    );
  });

  it('the Authorization parser stays linear on 16 KB headers', (t) => {
    fastOnLongHeaders(
      t,
      parseAuthorization,
      ['', 'Galaxy-V2', 'Galaxy-V2 ', 'Galaxy-V2 a', 'Galaxy-V2 a:', 'galaxy-v2 a:b'],
      [' ', '\t', ':', 'a', 'a ', ' :', 'a:'],
      ['', 'x', ' x', ':', '\u0000'],
    );
  });
});
