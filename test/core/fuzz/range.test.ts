// Fuzzing the Range header (fds-protocol §5.3): never an exception other than the protocol's 416,
// a resolved range always lies inside the object, agreement with a BigInt model of RFC 7233's
// byte ranges (first-last, first-, -suffix) on every header of that shape, and linear time on
// the longest header Node accepts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FdsError } from '../../../src/core/fds/errors.ts';
import { resolveRange } from '../../../src/core/fds/range.ts';
import { attackString, fastOnLongHeaders, fuzz, headerString, isProtocolError, protocolOnly } from './fuzz-kit.ts';

const SIZE = fc.oneof(fc.constantFrom(0, 1, 2, 10), fc.nat(1 << 20), fc.integer({ min: 0, max: 2 ** 50 }));
const DIGITS = fc.oneof(
  fc.constant(''),
  fc.nat(40).map(String),
  fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String),
  fc.tuple(fc.nat(3), fc.nat(99)).map(([z, n]) => '0'.repeat(z) + n),
);
const WS = fc.constantFrom('', ' ', '\t', '  ');
/** Headers of the grammar's shape: spaces, case, digits around the dash. */
const SHAPED = fc
  .record({ unit: fc.constantFrom('bytes', 'BYTES', 'Bytes'), a: DIGITS, b: DIGITS, w: fc.array(WS, { minLength: 5, maxLength: 5 }) })
  .map(({ unit, a, b, w }) => ({ header: `${w[0]}${unit}${w[1]}=${w[2]}${a}${w[3]}-${w[4]}${b}`, a, b }));
const NEAR = fc
  .array(fc.oneof(fc.constantFrom('bytes', '=', '-', ',', ' ', '0', '1', '9', 'x', '+', '.', 'e', '\r\n', '\u00a0'), headerString(6)), {
    maxLength: 10,
  })
  .map((p) => p.join(''));

/** RFC 7233 §2.1 with BigInt arithmetic: undefined = whole object, 'unsatisfiable' = 416. */
function model(a: string, b: string, size: number): { start: number; end: number } | undefined | 'unsatisfiable' {
  const n = BigInt(size);
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const suffix = BigInt(b);
    if (suffix === 0n) return 'unsatisfiable';
    if (n === 0n) return undefined;
    return { start: Number(suffix >= n ? 0n : n - suffix), end: size - 1 };
  }
  const first = BigInt(a);
  if (n === 0n && first === 0n) return undefined;
  if (first >= n) return 'unsatisfiable';
  const last = b === '' ? n - 1n : BigInt(b);
  if (last < first) return 'unsatisfiable';
  return { start: Number(first), end: Number(last < n - 1n ? last : n - 1n) };
}

describe('fuzz: Range header', () => {
  it('only a 416 FdsError is thrown; a range is always inside the object', (t) => {
    fuzz(
      t,
      fc.property(
        fc.oneof(
          SHAPED.map((s) => s.header),
          NEAR,
          attackString(60),
        ),
        SIZE,
        (h, size) => {
          const r = protocolOnly(() => resolveRange(h, size));
          if (r instanceof FdsError) return assert.equal(r.status, 416);
          if (r === undefined) return;
          if (isProtocolError(r)) assert.fail(r.message);
          assert.ok(Number.isSafeInteger(r.start) && Number.isSafeInteger(r.end));
          assert.ok(r.start >= 0 && r.start <= r.end && r.end <= size - 1, JSON.stringify({ h, size, r }));
        },
      ),
    );
  });

  it('agrees with a BigInt model of RFC 7233 byte ranges', (t) => {
    fuzz(
      t,
      fc.property(SHAPED, SIZE, ({ header, a, b }, size) => {
        const r = protocolOnly(() => resolveRange(header, size));
        const want = model(a, b, size);
        if (want === 'unsatisfiable') assert.ok(r instanceof FdsError && r.code === 'InvalidRequestRange', header);
        else assert.deepEqual(r, want, `${header} on ${size} bytes`);
      }),
    );
  });

  it('multi-range and malformed headers mean the whole object', (t) => {
    fuzz(
      t,
      fc.property(SHAPED, SHAPED, SIZE, (x, y, size) => {
        assert.equal(resolveRange(`${x.header},${y.header.replace(/^\s*bytes\s*=/i, '')}`, size), undefined);
        assert.equal(resolveRange(`${x.header}x`, size), undefined);
      }),
    );
  });

  it('stays linear on 16 KB headers built from repeated grammar pieces', (t) => {
    fastOnLongHeaders(
      t,
      (h) => resolveRange(h, 100),
      ['', 'bytes', 'bytes=', 'bytes=1', 'bytes=1-', 'bytes=-', 'bytes =', 'bytes=1 -'],
      [' ', '\t', '1', '-', '=', ' 1', '1 ', '- '],
      ['', 'x', '-', '=', ',', '1'],
    );
  });
});
