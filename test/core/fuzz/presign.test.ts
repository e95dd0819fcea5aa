// Fuzzing presigned URLs (fds-protocol §2.3): building and parsing. Properties: parsing a hostile
// query throws only FdsError; what the SDK-shaped builder writes parses back to the key, the
// Expires string and the signature, and verifies as the server checks it (Expires as the date
// line); a changed object name, method, Expires or secret does not verify; the spec's refusals
// (a credential key twice, Expires not plain digits) always hold.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FdsError } from '../../../src/core/fds/errors.ts';
import { type PresignInput, parsePresignedQuery, presignedPath, presignSignature } from '../../../src/core/fds/presign.ts';
import { formDecode, splitQuery, splitTarget } from '../../../src/core/fds/query.ts';
import { verifySignature } from '../../../src/core/fds/signer.ts';
import { attackString, fuzz, isProtocolError, near, protocolOnly } from './fuzz-kit.ts';

const CREDENTIALS = ['GalaxyAccessKeyId', 'Expires', 'Signature'];
const KEY = fc.oneof(
  near(CREDENTIALS),
  fc.constantFrom('Galaxy%41ccessKeyId', 'Expires+', 'Signature%00', 'acl', 'uploadId'),
  attackString(6),
);
const VALUE = fc.oneof(
  fc.nat().map(String),
  fc.constantFrom('', '+1', ' 1', '1e3', '-1', '0x10', '１２', '1'.repeat(17), 'abc+/=', '%2B'),
  attackString(10),
);
const RAW_QUERY = fc
  .array(fc.tuple(KEY, fc.option(VALUE, { nil: undefined })), { maxLength: 6 })
  .map((items) => items.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join('&'));

const INPUT: fc.Arbitrary<PresignInput> = fc.record(
  {
    method: fc.constantFrom('GET', 'PUT', 'HEAD', 'DELETE', 'get'),
    bucket: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/),
    object: fc.oneof(fc.constant(''), fc.string({ unit: 'binary', minLength: 1, maxLength: 20 })),
    expires: fc.integer({ min: 1, max: 9_999_999_999_999 }),
    accessKeyId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9]{8,24}$/), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 16 })),
    secret: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }),
    subResources: fc.uniqueArray(fc.constantFrom('acl', 'metadata', 'uploads', 'uploadId=u1', 'partNumber=2'), { maxLength: 3 }),
    contentType: fc.constantFrom('text/plain', 'application/octet-stream'),
    contentMd5: fc.stringMatching(/^[0-9a-f]{32}$/),
    algorithm: fc.constantFrom('sha1' as const, 'sha256' as const, 'md5' as const),
  },
  { requiredKeys: ['bucket', 'object', 'expires', 'accessKeyId', 'secret'] },
);

/** The request a client makes with the URL, as the server's presigned check sees it. */
function requestOf(p: PresignInput, path = presignedPath(p)) {
  const { path: rawPath, query } = splitTarget(path);
  const headers: Array<[string, string]> = [];
  if (p.contentType) headers.push(['content-type', p.contentType]);
  if (p.contentMd5) headers.push(['content-md5', p.contentMd5]);
  const parsed = parsePresignedQuery(query);
  return { req: { method: p.method ?? 'GET', path: rawPath, query, headers, dateLine: parsed?.expires ?? '' }, parsed };
}

describe('fuzz: presigned URLs', () => {
  it('parsing throws only FdsError and never accepts a repeated credential or a non-digit Expires', (t) => {
    fuzz(
      t,
      fc.property(RAW_QUERY, (q) => {
        const r = protocolOnly(() => parsePresignedQuery(q));
        const keys = splitQuery(q)
          .map((i) => formDecode(i.rawKey))
          .filter((k) => CREDENTIALS.includes(k));
        const repeated = keys.length !== new Set(keys).size;
        if (isProtocolError(r)) return assert.ok(r instanceof FdsError);
        assert.ok(!repeated, `${q} has a repeated credential key`);
        if (r === undefined) return assert.ok(!keys.includes('GalaxyAccessKeyId') || !keys.includes('Signature'));
        assert.match(r.expires, /^\d{1,16}$/);
      }),
    );
  });

  it('a built URL parses back and verifies; a changed name, method, Expires or secret does not', (t) => {
    fuzz(
      t,
      fc.property(INPUT, fc.nat(3), (p, what) => {
        const { req, parsed } = requestOf(p);
        assert.deepEqual(parsed, { accessKeyId: p.accessKeyId, expires: String(p.expires), signature: presignSignature(p) });
        assert.ok(verifySignature(req, p.secret, parsed?.signature ?? ''), presignedPath(p));
        const sig = parsed?.signature ?? '';
        if (what === 0) {
          const other = requestOf({ ...p, object: `${p.object}x` }).req;
          assert.ok(!verifySignature(other, p.secret, sig));
        } else if (what === 1)
          assert.ok(!verifySignature({ ...req, method: req.method.toUpperCase() === 'GET' ? 'PUT' : 'GET' }, p.secret, sig));
        else if (what === 2) assert.ok(!verifySignature({ ...req, dateLine: String(p.expires + 1) }, p.secret, sig));
        else assert.ok(!verifySignature(req, `${p.secret}x`, sig));
      }),
    );
  });
});
