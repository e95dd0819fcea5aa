// Object metadata (src/core/fds/metadata.ts, fds-protocol §3, §5.1): which request headers are
// stored, which setMetaData entries are refused, and the exact response headers and rawMeta built
// from them. The fuzz suite (test/core/fuzz/metadata.test.ts) checks the same rules in the large.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FdsError } from '../../../src/core/fds/errors.ts';
import {
  DEFAULT_CONTENT_TYPE,
  httpDate,
  isHeaderValue,
  metadataHeaders,
  metaFromHeaders,
  metaFromRaw,
  rawMeta,
  type StoredObjectFacts,
} from '../../../src/core/fds/metadata.ts';

const REFUSED = 'Invalid Request: rawMeta entries must be valid HTTP header names and values';

function refused(raw: Record<string, unknown>): void {
  assert.throws(
    () => metaFromRaw(raw),
    (e: unknown) => {
      assert.ok(e instanceof FdsError, String(e));
      assert.equal(e.code, 'InvalidRequest');
      assert.equal(e.message, REFUSED);
      return true;
    },
    JSON.stringify(raw),
  );
}

describe('metadata from request headers', () => {
  it('stores the four standard headers (first value, any case), x-xiaomi-meta-* (joined), and the content type', () => {
    const m = metaFromHeaders([
      ['Cache-Control', 'no-cache'],
      ['CONTENT-ENCODING', 'gzip'],
      ['content-disposition', 'attachment; filename=a'],
      ['Expires', 'Thu, 01 Dec 1994 16:00:00 GMT'],
      ['cache-control', 'max-age=1'],
      ['X-Xiaomi-Meta-Tag', 'a'],
      ['x-xiaomi-meta-tag', 'b'],
      ['x-xiaomi-meta-other', ''],
      ['Content-Type', 'text/plain'],
      ['content-type', 'text/html'],
    ]);
    assert.deepEqual(m, {
      contentType: 'text/plain',
      headers: {
        'cache-control': 'no-cache',
        'content-encoding': 'gzip',
        'content-disposition': 'attachment; filename=a',
        expires: 'Thu, 01 Dec 1994 16:00:00 GMT',
        'x-xiaomi-meta-tag': 'a,b',
        'x-xiaomi-meta-other': '',
      },
    });
  });

  it('ignores every other header, the client-sent content length and names that only look alike', () => {
    const m = metaFromHeaders([
      ['content-md5', 'x'],
      ['content-length', '3'],
      ['x-xiaomi-meta-content-length', '99'],
      ['X-Xiaomi-Meta-Content-Length', '98'],
      ['x-xiaomi-acl', 'x'],
      ['a-x-xiaomi-meta-b', 'x'],
      ['x-xiaomi-metax', 'x'],
      ['cache-controls', 'x'],
      ['expire', 'x'],
      ['', 'x'],
    ]);
    assert.deepEqual(m, { contentType: 'application/octet-stream', headers: {} });
  });

  it('a missing, empty or blank content type is application/octet-stream', () => {
    assert.equal(DEFAULT_CONTENT_TYPE, 'application/octet-stream');
    for (const v of ['', ' ', '\t ']) {
      assert.equal(metaFromHeaders([['content-type', v]]).contentType, 'application/octet-stream', JSON.stringify(v));
    }
    // The first content type counts, even blank; a blank first one is not replaced by a later one.
    assert.equal(
      metaFromHeaders([
        ['content-type', ' '],
        ['content-type', 'text/plain'],
      ]).contentType,
      'application/octet-stream',
    );
    assert.equal(metaFromHeaders([['content-type', ' text/plain ']]).contentType, ' text/plain ');
  });
});

describe('metadata from a setMetaData body', () => {
  it('keeps string and number entries, skips the others', () => {
    assert.deepEqual(
      metaFromRaw({
        'content-type': 'text/plain',
        'x-xiaomi-meta-n': 5,
        'x-xiaomi-meta-f': 1.5,
        'x-xiaomi-meta-b': true,
        'x-xiaomi-meta-o': { a: 1 },
        'x-xiaomi-meta-null': null,
        'Cache-Control': 'no-store',
      }),
      { contentType: 'text/plain', headers: { 'x-xiaomi-meta-n': '5', 'x-xiaomi-meta-f': '1.5', 'cache-control': 'no-store' } },
    );
    // Entries that are skipped are not checked: a bad name with a non-string value is no error.
    assert.deepEqual(metaFromRaw({ 'bad name': true }), { contentType: 'application/octet-stream', headers: {} });
    assert.deepEqual(metaFromRaw({}), { contentType: 'application/octet-stream', headers: {} });
  });

  it('accepts every token character in a name', () => {
    for (const c of "!#$%&'*+.^_`|~-0123456789AZaz") {
      assert.deepEqual(metaFromRaw({ [`x-xiaomi-meta-${c}`]: 'v' }).headers, { [`x-xiaomi-meta-${c.toLowerCase()}`]: 'v' }, c);
      assert.deepEqual(metaFromRaw({ [c]: 'v' }).headers, {}, c);
    }
    const all = "x-xiaomi-meta-!#$%&'*+.^_`|~-09azAZ";
    assert.deepEqual(metaFromRaw({ [all]: 'v' }).headers, { [all.toLowerCase()]: 'v' });
  });

  it('refuses names with anything else, anywhere in the name, and the empty name', () => {
    for (const c of [
      ' ',
      '"',
      '(',
      ')',
      ',',
      '/',
      ':',
      ';',
      '<',
      '=',
      '>',
      '?',
      '@',
      '[',
      '\\',
      ']',
      '{',
      '}',
      '\t',
      '\x7f',
      'é',
      '\u4e2d',
    ]) {
      refused({ [`x-xiaomi-meta-a${c}`]: 'v' });
      refused({ [`${c}x-xiaomi-meta-a`]: 'v' });
      refused({ [`x-xiaomi${c}-meta-a`]: 'v' });
    }
    refused({ '': 'v' });
    refused({ '': 5 });
  });

  it('accepts tab, visible ASCII, space and bytes 0x80–0xff in values; refuses other controls and wider characters', () => {
    const ok = '\t !~\x80\xff';
    assert.deepEqual(metaFromRaw({ 'x-xiaomi-meta-a': ok }).headers, { 'x-xiaomi-meta-a': ok });
    assert.deepEqual(metaFromRaw({ 'x-xiaomi-meta-a': '' }).headers, { 'x-xiaomi-meta-a': '' });
    for (const c of ['\x00', '\n', '\r', '\x1f', '\x7f', '\u0100', '\u4e2d']) {
      refused({ 'x-xiaomi-meta-a': `a${c}` });
      refused({ 'x-xiaomi-meta-a': `${c}a` });
      refused({ 'x-xiaomi-meta-a': `a${c}a` });
    }
  });

  it('isHeaderValue: the same value rule', () => {
    for (const v of ['', '\t', ' ', '~', '\x80', '\xff', 'a b\tc', ' \x80\xff~\t']) assert.equal(isHeaderValue(v), true, JSON.stringify(v));
    for (const v of ['\x00', '\n', '\r', '\x08', '\x0b', '\x1f', '\x7f', '\u0100', 'a\r\nb', 'ab\n', '\nab']) {
      assert.equal(isHeaderValue(v), false, JSON.stringify(v));
    }
  });
});

describe('response headers and rawMeta', () => {
  const facts: StoredObjectFacts = {
    size: 1234,
    md5: '0123456789abcdef0123456789abcdef',
    uploadTime: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
    meta: {
      contentType: 'text/plain; charset=utf-8',
      headers: {
        'cache-control': 'no-cache',
        'content-encoding': 'gzip',
        'content-disposition': 'inline',
        expires: '0',
        'x-xiaomi-meta-a': 'b',
      },
    },
    versionId: 'v-1',
    ownerId: 'owner-1',
  };

  it('HTTP-date in GMT', () => {
    assert.equal(httpDate(facts.uploadTime), 'Fri, 02 Jan 2026 03:04:05 GMT');
  });

  it('metadataHeaders: fixed headers, the standard stored ones in their usual casing, the rest lower case', () => {
    assert.deepEqual(metadataHeaders(facts), {
      'Content-Type': 'text/plain; charset=utf-8',
      'Last-Modified': 'Fri, 02 Jan 2026 03:04:05 GMT',
      'Content-MD5': '0123456789abcdef0123456789abcdef',
      ETag: '"0123456789abcdef0123456789abcdef"',
      'x-xiaomi-meta-content-length': '1234',
      'upload-time': String(Date.UTC(2026, 0, 2, 3, 4, 5, 678)),
      'object-version-id': 'v-1',
      'object-owner-id': 'owner-1',
      'Cache-Control': 'no-cache',
      'Content-Encoding': 'gzip',
      'Content-Disposition': 'inline',
      Expires: '0',
      'x-xiaomi-meta-a': 'b',
    });
  });

  it('rawMeta: lower-case names, the stored headers after the fixed ones', () => {
    const r = rawMeta(facts);
    assert.deepEqual(r, {
      'content-type': 'text/plain; charset=utf-8',
      'content-md5': '0123456789abcdef0123456789abcdef',
      'last-modified': 'Fri, 02 Jan 2026 03:04:05 GMT',
      'x-xiaomi-meta-content-length': '1234',
      'cache-control': 'no-cache',
      'content-encoding': 'gzip',
      'content-disposition': 'inline',
      expires: '0',
      'x-xiaomi-meta-a': 'b',
    });
    assert.deepEqual(Object.keys(r).slice(0, 4), ['content-type', 'content-md5', 'last-modified', 'x-xiaomi-meta-content-length']);
  });
});
