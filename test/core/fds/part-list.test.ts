// The part list of a multipart complete (src/core/fds/part-list.ts, fds-protocol §6.3): the exact
// bounds, error codes and messages, and the etag normalization. The fuzz suite
// (test/core/fuzz/part-list.test.ts) checks the same rules against a model in the large.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FdsError, type FdsErrorCode } from '../../../src/core/fds/errors.ts';
import { checked } from '../../../src/core/fds/json-input.ts';
import { CompleteMultipartBody, MAX_PARTS, parsePartList } from '../../../src/core/fds/part-list.ts';

function refuses(list: unknown, code: FdsErrorCode, message: string): void {
  assert.throws(
    () => parsePartList(list),
    (e: unknown) => {
      assert.ok(e instanceof FdsError, String(e));
      assert.equal(e.code, code);
      assert.equal(e.message, message);
      return true;
    },
    JSON.stringify(list)?.slice(0, 80),
  );
}

describe('multipart complete body and part list', () => {
  it('the body is an object; its list may be anything until parsePartList reads it', () => {
    assert.equal(MAX_PARTS, 10_000);
    for (const body of [{}, { uploadPartResultList: 5 }, { uploadPartResultList: [] }, { other: 1 }]) {
      assert.deepEqual(checked(CompleteMultipartBody, body), body);
    }
    for (const body of [[], null, 'x', 5]) {
      assert.throws(
        () => checked(CompleteMultipartBody, body),
        (e: unknown) =>
          e instanceof FdsError && e.code === 'InvalidRequest' && e.message === 'Invalid Request: complete body: Expected object',
      );
    }
  });

  it('absent or null is no parts; anything else but a list is an InvalidRequest', () => {
    assert.deepEqual(parsePartList(null), []);
    assert.deepEqual(parsePartList(undefined), []);
    for (const list of [5, 'x', {}, { 0: { partNumber: 1 }, length: 1 }]) {
      refuses(list, 'InvalidRequest', 'Invalid Request: uploadPartResultList: Expected array');
    }
  });

  it('part numbers 1 to 10,000, as integers or strings of at most 5 digits', () => {
    assert.deepEqual(parsePartList([{ partNumber: 1 }, { partNumber: MAX_PARTS }]), [
      { partNumber: 1, etag: undefined },
      { partNumber: MAX_PARTS, etag: undefined },
    ]);
    assert.deepEqual(parsePartList([{ partNumber: '10000' }, { partNumber: '00001' }, { partNumber: '02' }]), [
      { partNumber: 1, etag: undefined },
      { partNumber: 2, etag: undefined },
      { partNumber: MAX_PARTS, etag: undefined },
    ]);
    for (const n of [0, -1, MAX_PARTS + 1, 1.5]) {
      refuses([{ partNumber: n }], 'InvalidPartNumberOrSize', 'Invalid Part Number or Size: part: partNumber: Expected union value');
    }
    for (const n of ['100000', '1e3', ' 1', '1 ', '', '+1', '0x1', '١']) {
      refuses([{ partNumber: n }], 'InvalidPartNumberOrSize', 'Invalid Part Number or Size: part: partNumber: Expected union value');
    }
    // Digit strings the pattern lets through but the range refuses.
    for (const n of ['0', '00000', '10001', '99999']) {
      refuses([{ partNumber: 1 }, { partNumber: n }], 'InvalidPartNumberOrSize', `Invalid Part Number or Size: bad part number "${n}"`);
    }
    refuses([{ etag: 'a' }], 'InvalidPartNumberOrSize', 'Invalid Part Number or Size: part: partNumber: Expected required property');
    refuses([{ partNumber: 1 }, 5], 'InvalidPartNumberOrSize', 'Invalid Part Number or Size: part: Expected object');
  });

  it('etags: quotes removed and lower-cased; empty or not a string is none; other fields ignored', () => {
    assert.deepEqual(
      parsePartList([
        { partNumber: 1, etag: '"AbC"' },
        { partNumber: 2, etag: 'D"E"F' },
        { partNumber: 3, etag: '' },
        { partNumber: 4, etag: 5 },
        { partNumber: 5, etag: null },
        { partNumber: 6, etag: '""' },
        { partNumber: 7, etag: 'abc', partSize: 'x', other: {} },
      ]),
      [
        { partNumber: 1, etag: 'abc' },
        { partNumber: 2, etag: 'def' },
        { partNumber: 3, etag: undefined },
        { partNumber: 4, etag: undefined },
        { partNumber: 5, etag: undefined },
        { partNumber: 6, etag: '' },
        { partNumber: 7, etag: 'abc' },
      ],
    );
  });

  it('sorted by part number (numerically), each part once', () => {
    assert.deepEqual(
      parsePartList([{ partNumber: 10 }, { partNumber: 9 }, { partNumber: '100' }, { partNumber: 2 }]).map((p) => p.partNumber),
      [2, 9, 10, 100],
    );
    refuses(
      [{ partNumber: 3 }, { partNumber: 2 }, { partNumber: '3' }],
      'InvalidPartNumberOrSize',
      'Invalid Part Number or Size: part 3 is listed more than once',
    );
    refuses(
      [{ partNumber: 5 }, { partNumber: 1 }, { partNumber: 2 }, { partNumber: 2 }],
      'InvalidPartNumberOrSize',
      'Invalid Part Number or Size: part 2 is listed more than once',
    );
  });

  it('at most 10,000 entries', () => {
    refuses(
      Array.from({ length: MAX_PARTS + 1 }, (_, i) => ({ partNumber: (i % MAX_PARTS) + 1 })),
      'InvalidPartNumberOrSize',
      'Invalid Part Number or Size: at most 10000 parts may be listed',
    );
  });
});
