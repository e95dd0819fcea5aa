// Fuzzing multipart part lists (fds-protocol §6.3): `uploadPartResultList` as a client sends it
// (any JSON). Properties: only FdsError; an accepted list agrees with an independent model (part
// numbers 1..10000 as integers or 1-5 digit strings, each once, at most 10,000 entries), comes back
// sorted with lower-case unquoted etags; a 10,000-part list parses quickly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FdsError } from '../../../src/core/fds/errors.ts';
import { MAX_PARTS, parsePartList } from '../../../src/core/fds/part-list.ts';
import { LINEAR_BUDGET_MS, timeMs } from '../../helpers/linear-time.ts';
import { fuzz, isProtocolError, protocolOnly } from './fuzz-kit.ts';

const ANY_JSON: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 2 });
const PART_NUMBER = fc.oneof(
  fc.integer({ min: 1, max: 12 }),
  fc.integer({ min: -2, max: 10_002 }),
  fc.constantFrom('1', '01', '10000', '10001', '0', '1.0', '1e2', ' 1', '', '٣', 1.5, 1e21, -0, null, true),
  ANY_JSON,
);
const ENTRY = fc.oneof(
  fc.record(
    { partNumber: PART_NUMBER, etag: fc.oneof(fc.constantFrom('"ABC"', 'abc', '', '"'), ANY_JSON), partSize: ANY_JSON },
    { requiredKeys: [] },
  ),
  ANY_JSON,
);
const LIST = fc.oneof(fc.array(ENTRY, { maxLength: 8 }), ANY_JSON, fc.constant(undefined));

/** The rule, written again: a part number or undefined when the entry is refused. */
function modelNumber(entry: unknown): number | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const raw = (entry as Record<string, unknown>).partNumber;
  const n = typeof raw === 'string' && /^\d{1,5}$/.test(raw) ? Number(raw) : raw;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_PARTS ? n : undefined;
}

describe('fuzz: multipart part lists', () => {
  it('only FdsError; an accepted list agrees with the model, sorted, each part once', (t) => {
    fuzz(
      t,
      fc.property(LIST, (list) => {
        const parsed = JSON.parse(JSON.stringify(list ?? null)) as unknown;
        const r = protocolOnly(() => parsePartList(list === undefined ? undefined : parsed));
        const entries = Array.isArray(parsed) ? parsed : [];
        const numbers = entries.map(modelNumber);
        const valid =
          list === undefined ||
          parsed === null ||
          (Array.isArray(parsed) && numbers.every((n) => n !== undefined) && new Set(numbers).size === numbers.length);
        if (isProtocolError(r)) return assert.ok(r instanceof FdsError && !valid, JSON.stringify(list));
        assert.ok(valid, JSON.stringify(list));
        assert.deepEqual(
          r.map((p) => p.partNumber),
          [...(numbers as number[])].sort((a, b) => a - b),
        );
        for (const p of r) if (p.etag !== undefined) assert.equal(p.etag, p.etag.toLowerCase().replace(/"/g, ''));
      }),
    );
  });

  it('10,000 parts in any order parse quickly; 10,001 are refused', (t) => {
    fuzz(
      t,
      fc.property(fc.nat(), (seed) => {
        const parts = Array.from({ length: MAX_PARTS }, (_, i) => ({
          partNumber: ((i * 7919 + seed) % MAX_PARTS) + 1,
          etag: `"${i.toString(16)}"`,
        }));
        assert.equal(parsePartList(parts).length, MAX_PARTS);
        const ms = timeMs(() => parsePartList(parts), LINEAR_BUDGET_MS);
        assert.ok(ms < LINEAR_BUDGET_MS, `${ms.toFixed(0)} ms`);
        assert.throws(() => parsePartList([...parts, { partNumber: 1 }]), FdsError);
      }),
      20,
    );
  });
});
