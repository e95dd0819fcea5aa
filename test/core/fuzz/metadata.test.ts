// Fuzzing object metadata (fds-protocol §3, §5.1): request headers and `setMetaData` bodies.
// Properties: headers never make it throw; only the stored names are kept (first standard value,
// x-xiaomi-meta-* values joined with ","); a body throws only FdsError; whatever is stored can be
// sent back — every response header passes Node's own header validation (what setHeader checks),
// and isHeaderValue agrees with it; rawMeta → setMetaData round-trips.
import assert from 'node:assert/strict';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FdsError } from '../../../src/core/fds/errors.ts';
import {
  DEFAULT_CONTENT_TYPE,
  isHeaderValue,
  metadataHeaders,
  metaFromHeaders,
  metaFromRaw,
  rawMeta,
  type StoredObjectFacts,
} from '../../../src/core/fds/metadata.ts';
import { attackString, fuzz, headerString, isProtocolError, near, protocolOnly } from './fuzz-kit.ts';

const NAMES = [
  'content-type',
  'Content-Type',
  'cache-control',
  'content-encoding',
  'content-disposition',
  'expires',
  'x-xiaomi-meta-a',
  'X-Xiaomi-Meta-B',
  'x-xiaomi-meta-content-length',
  'x-xiaomi-meta-',
  'content-md5',
  'x-xiaomi-acl',
  '__proto__',
  'constructor',
];
const HEADER_NAME = fc.oneof(near(NAMES), attackString(10));
const HEADERS = fc.array(fc.tuple(HEADER_NAME, headerString(30)), { maxLength: 6 });
const STORED = new Set(['cache-control', 'content-encoding', 'content-disposition', 'expires']);

function nodeAccepts(name: string, value: string): boolean {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}

function facts(meta: StoredObjectFacts['meta']): StoredObjectFacts {
  return { size: 3, md5: 'd41d8cd98f00b204e9800998ecf8427e', uploadTime: 1_600_000_000_000, meta, versionId: 'v1', ownerId: 'o1' };
}

describe('fuzz: object metadata', () => {
  it('request headers: never throws; keeps only stored names, first standard value, x-xiaomi-meta-* joined', (t) => {
    fuzz(
      t,
      fc.property(HEADERS, (hs) => {
        const m = metaFromHeaders(hs);
        assert.ok(m.contentType.trim() !== '');
        const want: Record<string, string> = {};
        for (const [k, v] of hs) {
          const key = k.toLowerCase();
          if (STORED.has(key)) want[key] ??= v;
          else if (key.startsWith('x-xiaomi-meta-') && key !== 'x-xiaomi-meta-content-length')
            want[key] = want[key] === undefined ? v : `${want[key]},${v}`;
        }
        assert.deepEqual(m.headers, want);
        const type = hs.find(([k]) => k.toLowerCase() === 'content-type')?.[1];
        assert.equal(m.contentType, type && type.trim() !== '' ? type : DEFAULT_CONTENT_TYPE);
      }),
    );
  });

  it('setMetaData bodies: only FdsError; everything stored is a header Node would send', (t) => {
    const raw = fc.oneof(
      fc.dictionary(HEADER_NAME, fc.oneof(attackString(20), fc.integer(), fc.double(), fc.jsonValue({ maxDepth: 1 })), { maxKeys: 5 }),
      fc.jsonValue({ maxDepth: 2 }),
      fc
        .constantFrom(
          '{"__proto__":"x","content-type":"text/plain"}',
          '{"x-xiaomi-meta-a":"line\\r\\nSet-Cookie: a=b"}',
          '{"content-type":"\\u4e2d"}',
        )
        .map((s) => JSON.parse(s) as unknown),
    );
    fuzz(
      t,
      fc.property(raw, (body) => {
        if (typeof body !== 'object' || body === null) return;
        const m = protocolOnly(() => metaFromRaw(body as Record<string, unknown>));
        if (isProtocolError(m)) return assert.ok(m instanceof FdsError && m.status === 400);
        for (const [name, value] of Object.entries(metadataHeaders(facts(m))))
          assert.ok(nodeAccepts(name, value), `${name}: ${JSON.stringify(value)}`);
      }),
    );
  });

  it('isHeaderValue agrees with Node’s header validation', (t) => {
    fuzz(
      t,
      fc.property(fc.oneof(attackString(30), headerString(30)), (v) => {
        assert.equal(isHeaderValue(v), nodeAccepts('x-test', v), JSON.stringify(v));
      }),
    );
  });

  it('rawMeta → setMetaData round-trips the stored metadata', (t) => {
    const value = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,10}[\x21-\x7e])?$/);
    const headers = fc.dictionary(
      fc.constantFrom('cache-control', 'content-encoding', 'content-disposition', 'expires', 'x-xiaomi-meta-a', 'x-xiaomi-meta-b-c'),
      value,
      { maxKeys: 4 },
    );
    fuzz(
      t,
      fc.property(value, headers, (contentType, hs) => {
        const meta = { contentType, headers: { ...hs } };
        assert.deepEqual(metaFromRaw(rawMeta(facts(meta))), meta);
      }),
    );
  });
});
