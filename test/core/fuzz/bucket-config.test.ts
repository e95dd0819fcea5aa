// Fuzzing lifecycle and CORS bucket configurations (fds-protocol §9): bodies as a client sends
// them (any JSON, `__proto__` keys included). Properties: only FdsError is thrown; accepted rules
// have unique non-empty string ids, id-less rules get the smallest unused positive integers in
// order, and rules keep what was sent; parsing the stored form again changes nothing; upsert
// replaces by id; lifecycle ages are the smallest matching `days`; CORS `*.suffix` only allows
// subdomains per the URL parser; parsing stays linear in the number of rules.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  LIFECYCLE_ACTIONS,
  lifecycleAge,
  originAllowed,
  parseConfig,
  type RulesConfig,
  upsertRule,
} from '../../../src/core/fds/bucket-config.ts';
import { FdsError } from '../../../src/core/fds/errors.ts';
import { timeMs } from '../../helpers/linear-time.ts';
import { attackString, fuzz, isProtocolError, near, protocolOnly } from './fuzz-kit.ts';

const ANY_JSON: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });
const ID = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constantFrom('1', '2', '3', 'a', '', '__proto__', 'toString'),
  fc.nat(5),
  ANY_JSON,
);
const ACTIONS = fc.dictionary(
  fc.oneof(near(LIFECYCLE_ACTIONS), fc.constantFrom('__proto__', 'toString')),
  fc.oneof(fc.record({ days: fc.oneof(fc.nat(400), fc.double(), ANY_JSON) }), ANY_JSON),
  { maxKeys: 3 },
);
const RULE = fc.oneof(
  fc.record(
    {
      id: ID,
      enabled: fc.oneof(fc.boolean(), ANY_JSON),
      prefix: fc.oneof(fc.string({ maxLength: 6 }), ANY_JSON),
      actions: fc.oneof(ACTIONS, ANY_JSON),
      allowOrigin: fc.oneof(fc.constantFrom('*', '*.example.com', 'https://app.example.com', '*.'), ANY_JSON),
    },
    { requiredKeys: [] },
  ),
  ANY_JSON,
);
const BODY_TEXT = fc.oneof(
  fc.record({ rules: fc.oneof(fc.array(RULE, { maxLength: 6 }), ANY_JSON) }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
  ANY_JSON.map((v) => JSON.stringify(v)),
  fc.constantFrom(
    '{"__proto__":{"rules":[{}]}}',
    '{"rules":[{"__proto__":{"id":"7"},"prefix":"a"}]}',
    '{"rules":[{"actions":{"__proto__":{"days":1}}}]}',
  ),
);
const KIND = fc.constantFrom('lifecycle' as const, 'cors' as const);

function checkIds(c: RulesConfig): void {
  const ids = c.rules.map((r) => r.id);
  assert.ok(
    ids.every((id) => typeof id === 'string' && id !== ''),
    JSON.stringify(ids),
  );
  assert.equal(new Set(ids).size, ids.length);
}

describe('fuzz: lifecycle and CORS configurations', () => {
  it('only FdsError is thrown; ids are unique strings; id-less rules get the smallest unused integers; parse(stored) = stored', (t) => {
    fuzz(
      t,
      fc.property(BODY_TEXT, KIND, (text, kind) => {
        const body: unknown = JSON.parse(text);
        const c = protocolOnly(() => parseConfig(body, kind));
        if (isProtocolError(c)) return assert.ok(c instanceof FdsError && c.status === 400);
        checkIds(c);
        const sent = ((body as { rules?: unknown[] }).rules ?? []) as Array<Record<string, unknown>>;
        const given = new Set(
          sent
            .map((r) => r.id)
            .filter((id) => id !== undefined && id !== null && id !== '')
            .map(String),
        );
        const assigned = c.rules.map((r) => r.id ?? '').filter((id) => !given.has(id));
        const expected: string[] = [];
        for (let n = 1; expected.length < assigned.length; n++) if (!given.has(String(n))) expected.push(String(n));
        assert.deepEqual(assigned, expected);
        if (kind === 'lifecycle') {
          for (const r of c.rules)
            for (const [name, a] of Object.entries((r.actions ?? {}) as object)) {
              assert.ok(LIFECYCLE_ACTIONS.includes(name));
              const days = (a as { days: unknown }).days;
              assert.ok(typeof days === 'number' && Number.isFinite(days) && days >= 0);
            }
        }
        assert.deepEqual(parseConfig(JSON.parse(JSON.stringify(c)), kind), JSON.parse(JSON.stringify(c)));
      }),
    );
  });

  it('upsert adds with a fresh id or replaces the rule with the same id', (t) => {
    const rule = fc.record(
      { id: fc.option(fc.constantFrom('1', '2', '3', 'x'), { nil: undefined }), prefix: fc.string({ maxLength: 4 }) },
      { requiredKeys: [] },
    );
    fuzz(
      t,
      fc.property(fc.array(rule, { maxLength: 5 }), rule, KIND, (rules, r, kind) => {
        const before = parseConfig({ rules }, kind).rules;
        const after = upsertRule(before, r, kind);
        checkIds({ rules: after });
        if (r.id !== undefined && before.some((x) => x.id === r.id)) {
          assert.equal(after.length, before.length);
          assert.deepEqual(
            after.find((x) => x.id === r.id),
            { ...r },
          );
        } else assert.equal(after.length, before.length + 1);
      }),
    );
  });

  it('lifecycle age is the smallest days of the enabled rules whose prefix matches', (t) => {
    const rule = fc.record(
      {
        prefix: fc.constantFrom('', 'a', 'a/', 'b'),
        enabled: fc.boolean(),
        actions: fc.record({ expiration: fc.record({ days: fc.nat(100) }) }, { requiredKeys: [] }),
      },
      { requiredKeys: ['actions'] },
    );
    fuzz(
      t,
      fc.property(fc.array(rule, { maxLength: 5 }), fc.constantFrom('a', 'a/x', 'b', 'c', ''), (rules, name) => {
        const c = parseConfig({ rules }, 'lifecycle');
        const days = rules
          .filter((r) => r.enabled !== false && name.startsWith(r.prefix ?? '') && r.actions.expiration)
          .map((r) => (r.actions.expiration?.days ?? 0) * 86_400_000);
        assert.equal(lifecycleAge(c, name, 'expiration'), days.length ? Math.min(...days) : undefined);
      }),
    );
  });

  it('CORS: never throws; `*.suffix` allows only hosts under the suffix per the URL parser', (t) => {
    const allow = fc.oneof(fc.constantFrom('*', '*.example.com', '*.', '*.com', 'https://app.example.com', 'null'), attackString(12));
    const origin = fc.oneof(
      fc.constantFrom(
        'https://a.example.com',
        'https://example.com',
        'https://evilexample.com',
        'https://a.example.com.evil.test',
        'null',
        'https://x@a.example.com',
        'http://a.example.com:8080',
        'https://A.EXAMPLE.COM',
      ),
      attackString(30),
    );
    fuzz(
      t,
      fc.property(fc.array(allow, { maxLength: 3 }), origin, (allows, o) => {
        const c = parseConfig({ rules: allows.map((allowOrigin) => ({ allowOrigin })) }, 'cors');
        const ok = originAllowed(c, o);
        const host = (() => {
          try {
            return new URL(o).hostname;
          } catch {
            return undefined;
          }
        })();
        const want = allows.some((a) => a === '*' || a === o || (a.startsWith('*.') && host?.endsWith(a.slice(1)) === true));
        assert.equal(ok, want);
      }),
    );
  });

  it('stays linear in the number of rules (60,000 id-less or numbered rules: quadratic took 10 s for 20,000)', (t) => {
    fuzz(
      t,
      fc.property(fc.constantFrom('lifecycle' as const, 'cors' as const), fc.constantFrom('none', 'numbered', 'mixed'), (kind, ids) => {
        const rules = Array.from({ length: 60_000 }, (_, i) =>
          ids === 'none' ? {} : ids === 'numbered' ? { id: i + 1 } : i % 2 ? {} : { id: String(i) },
        );
        const ms = timeMs(() => parseConfig({ rules }, kind), 3000);
        assert.ok(ms < 3000, `${ms.toFixed(0)} ms for 60,000 ${ids} rules`);
      }),
      6,
    );
  });
});
