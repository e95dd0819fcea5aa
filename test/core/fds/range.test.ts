// The Range header of GET object (fds-protocol §5.3), its boundaries one by one: `bytes=N-`,
// `bytes=N-M`, `bytes=-N`, case and spaces, 416 for a start at or past the end of a non-empty
// object or a last before the first, the whole object for anything else. The fuzz suite
// (test/core/fuzz/range.test.ts) checks the same against a model on random headers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FdsError } from '../../../src/core/fds/errors.ts';
import { resolveRange } from '../../../src/core/fds/range.ts';

const out416 = (e: unknown) => e instanceof FdsError && e.code === 'InvalidRequestRange' && e.status === 416;

describe('resolveRange', () => {
  it('needs the unit "bytes" (any case), then "=", then a dash', () => {
    assert.equal(resolveRange('range=1-2', 5), undefined);
    assert.equal(resolveRange('byte=1-2', 5), undefined);
    assert.equal(resolveRange('items=1-2', 5), undefined);
    assert.equal(resolveRange('bytes:1-2', 5), undefined);
    assert.equal(resolveRange('bytes 1-2', 5), undefined);
    assert.equal(resolveRange('bytes=12', 5), undefined);
    assert.equal(resolveRange('bytes=1', 5), undefined);
    assert.equal(resolveRange('bytes=', 5), undefined);
    assert.equal(resolveRange('bytes', 5), undefined);
    assert.equal(resolveRange('bytes=1-2=', 5), undefined);
    assert.equal(resolveRange('', 5), undefined);
    assert.deepEqual(resolveRange('bYtEs=1-2', 5), { start: 1, end: 2 });
  });

  it('allows spaces and tabs around every part, and none', () => {
    assert.deepEqual(resolveRange('bytes=1-2', 5), { start: 1, end: 2 });
    assert.deepEqual(resolveRange('bytes =1-2', 5), { start: 1, end: 2 });
    assert.deepEqual(resolveRange('bytes= 1-2', 5), { start: 1, end: 2 });
    assert.deepEqual(resolveRange('bytes=1 -2', 5), { start: 1, end: 2 });
    assert.deepEqual(resolveRange('bytes=1- 2', 5), { start: 1, end: 2 });
    assert.deepEqual(resolveRange('bytes=1-2 ', 5), { start: 1, end: 2 });
    assert.deepEqual(resolveRange('\tbytes\t=\t1\t-\t2\t', 5), { start: 1, end: 2 });
    assert.deepEqual(resolveRange('bytes= -2', 5), { start: 3, end: 4 });
    assert.deepEqual(resolveRange('bytes=1- ', 5), { start: 1, end: 4 });
  });

  it('takes only digits on each side of the dash', () => {
    for (const h of [
      'bytes=a-2',
      'bytes=1-b',
      'bytes=1x-2',
      'bytes=1-2x',
      'bytes=x1-2',
      'bytes=1-x2',
      'bytes=+1-2',
      'bytes=1--2',
      'bytes=-1-',
    ]) {
      assert.equal(resolveRange(h, 5), undefined, h);
    }
    assert.deepEqual(resolveRange('bytes=10-20', 100), { start: 10, end: 20 });
    assert.deepEqual(resolveRange('bytes=-20', 100), { start: 80, end: 99 });
    assert.deepEqual(resolveRange('bytes=007-', 100), { start: 7, end: 99 });
  });

  it('suffix ranges: the last N bytes, the whole object when N exceeds it, 416 for -0', () => {
    assert.deepEqual(resolveRange('bytes=-1', 5), { start: 4, end: 4 });
    assert.deepEqual(resolveRange('bytes=-5', 5), { start: 0, end: 4 });
    assert.deepEqual(resolveRange('bytes=-6', 5), { start: 0, end: 4 });
    assert.deepEqual(resolveRange('bytes=-100', 5), { start: 0, end: 4 });
    assert.throws(() => resolveRange('bytes=-0', 5), out416);
    assert.throws(() => resolveRange('bytes=-00', 0), out416);
    assert.equal(resolveRange('bytes=-3', 0), undefined);
  });

  it('first-last ranges: inclusive, one byte when equal, cut at the end, 416 when backwards', () => {
    assert.deepEqual(resolveRange('bytes=2-2', 5), { start: 2, end: 2 });
    assert.deepEqual(resolveRange('bytes=0-0', 5), { start: 0, end: 0 });
    assert.deepEqual(resolveRange('bytes=4-4', 5), { start: 4, end: 4 });
    assert.deepEqual(resolveRange('bytes=0-4', 5), { start: 0, end: 4 });
    assert.deepEqual(resolveRange('bytes=0-5', 5), { start: 0, end: 4 });
    assert.deepEqual(resolveRange('bytes=3-6', 5), { start: 3, end: 4 });
    assert.throws(() => resolveRange('bytes=3-2', 5), out416);
    assert.throws(() => resolveRange('bytes=1-0', 5), out416);
  });

  it('open ranges: to the end; a start at or past the end is 416, except bytes=0- on an empty object', () => {
    assert.deepEqual(resolveRange('bytes=0-', 5), { start: 0, end: 4 });
    assert.deepEqual(resolveRange('bytes=4-', 5), { start: 4, end: 4 });
    assert.throws(() => resolveRange('bytes=5-', 5), out416);
    assert.throws(() => resolveRange('bytes=6-', 5), out416);
    assert.throws(() => resolveRange('bytes=5-9', 5), out416);
    assert.deepEqual(resolveRange('bytes=0-', 1), { start: 0, end: 0 });
    assert.equal(resolveRange('bytes=0-', 0), undefined);
    assert.equal(resolveRange('bytes=0-9', 0), undefined);
    assert.throws(() => resolveRange('bytes=1-', 0), out416);
  });
});
