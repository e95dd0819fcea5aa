// Fuzzing FDS request-target parsing and dispatch (fds-protocol §1.1, §1.2): splitTarget,
// parseQuery, percentDecode/formDecode, parsePath and the dispatch table. Properties: never an
// exception on hostile targets; percentDecode agrees with a byte-by-byte UTF-8 decoder; encode →
// decode round-trips; bucket/object paths round-trip; credential parameters and unknown keys
// never change the chosen operation; a target splits into a path and a query that rebuild it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodePath, javaFormEncode, rfc3986Encode } from '../../../src/core/encoding.ts';
import { CREDENTIAL_PARAMS, dispatch, parsePath } from '../../../src/core/fds/dispatch.ts';
import { formDecode, parseQuery, percentDecode, splitQuery, splitTarget } from '../../../src/core/fds/query.ts';
import { attackString, fuzz, pctByte } from './fuzz-kit.ts';

/** The former decoder, byte by byte: the oracle for percentDecode. */
function byteWise(s: string): string {
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && i + 2 < s.length && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const cp = s.codePointAt(i) ?? c;
      if (cp > 0xffff) i++;
      for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

const ESCAPED = fc
  .array(fc.oneof(pctByte, attackString(3), fc.constantFrom('%', '%E4%B8', '%F0%9F%98', '%C3', '\ud800')), { maxLength: 20 })
  .map((p) => p.join(''));
const SELECTORS = [
  'acl',
  'uploads',
  'uploadId',
  'partNumber',
  'metadata',
  'versions',
  'versionIds',
  'prefix',
  'marker',
  'maxKeys',
  'delimiter',
  'renameTo',
  'cp',
  'restore',
  'setMetaData',
  'deleteObjects',
  'lifecycle',
  'cors',
  'quota',
  'versioning',
  'domain',
  'action',
  'f',
  'thumb',
  'authorizedBuckets',
  'developerInfo',
  'clientMetrics',
  'oauthAccessToken',
  'tsd',
];
const QUERY_KEY = fc.oneof(fc.constantFrom(...SELECTORS), fc.constantFrom(...CREDENTIAL_PARAMS), attackString(8));
const RAW_QUERY = fc
  .array(fc.tuple(QUERY_KEY, fc.option(attackString(8), { nil: undefined })), { maxLength: 5 })
  .map((items) => items.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join('&'));
const METHOD = fc.oneof(fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'get', 'Put'), attackString(6));
const TARGET = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('/', '//', '/b', '/b/', '/b/o', '/b/dir/o', '/trash/x', 'http://h:1/b/o', 'b/o', ''),
      fc.constantFrom('', '?'),
      RAW_QUERY,
      fc.constantFrom('', '#f'),
    )
    .map((p) => p.join('')),
  attackString(60, 4000),
);

describe('fuzz: FDS targets, queries and dispatch', () => {
  it('percentDecode agrees with a byte-by-byte UTF-8 decoder; formDecode only adds + → space', (t) => {
    fuzz(
      t,
      fc.property(fc.oneof(ESCAPED, attackString(40, 3000)), (s) => {
        assert.equal(percentDecode(s), byteWise(s));
        assert.equal(formDecode(s), byteWise(s.replace(/\+/g, ' ')));
      }),
    );
  });

  it('encode → decode round-trips (RFC 3986 and Java form encoding)', (t) => {
    fuzz(
      t,
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (s) => {
        assert.equal(percentDecode(rfc3986Encode(s)), s);
        assert.equal(formDecode(javaFormEncode(s)), s);
      }),
    );
  });

  it('bucket and object paths round-trip through parsePath', (t) => {
    const bucket = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).filter((b) => !b.includes('/'));
    fuzz(
      t,
      fc.property(bucket, fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('/', '//', '///'), (b, o, lead) => {
        assert.deepEqual(parsePath(`${lead}${encodePath(b)}/${encodePath(o)}`), { bucket: b, object: o });
        assert.deepEqual(parsePath(`${lead}${encodePath(b)}`), { bucket: b, object: undefined });
        assert.deepEqual(parsePath(lead), { bucket: undefined, object: undefined });
      }),
    );
  });

  it('never throws; a target splits into a path and query that rebuild it; the last value of a key wins', (t) => {
    fuzz(
      t,
      fc.property(METHOD, TARGET, (method, target) => {
        const { path, query } = splitTarget(target);
        assert.ok(path.startsWith('/') && !path.includes('?') && !path.includes('#') && !query.includes('#'));
        const noFragment = target.split('#')[0] ?? '';
        if (noFragment.startsWith('/')) assert.equal(query === '' && !noFragment.includes('?') ? path : `${path}?${query}`, noFragment);
        const params = parseQuery(query);
        const want = new Map<string, string>();
        for (const item of splitQuery(query)) {
          const key = formDecode(item.rawKey);
          want.set(key, key === 'Signature' ? percentDecode(item.rawValue ?? '') : formDecode(item.rawValue ?? ''));
        }
        assert.deepEqual(params, want);
        const op = dispatch(method, parsePath(path), params);
        assert.equal(typeof op.op, 'string');
      }),
    );
  });

  it('credential parameters and unknown keys never change the operation', (t) => {
    const extra = fc.array(
      fc.tuple(fc.oneof(fc.constantFrom(...CREDENTIAL_PARAMS), fc.stringMatching(/^zz[A-Za-z]{0,6}$/)), attackString(6)),
      { minLength: 1, maxLength: 3 },
    );
    fuzz(
      t,
      fc.property(METHOD, TARGET, extra, (method, target, more) => {
        const { path, query } = splitTarget(target);
        const params = parseQuery(query);
        const withMore = new Map(params);
        for (const [k, v] of more) if (!params.has(k)) withMore.set(k, v);
        const where = parsePath(path);
        // At the root, storageAccessToken with oauthAccessToken is the token exchange itself (§2.4).
        if (where.bucket === undefined && withMore.has('storageAccessToken') && withMore.has('oauthAccessToken')) return;
        assert.deepEqual(dispatch(method, where, withMore), dispatch(method, where, params));
      }),
    );
  });
});
