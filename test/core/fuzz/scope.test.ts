// Fuzzing scope parsing (account-protocol §3.2, §8): never an exception (prototype names
// included), agreement with an independent model of the rules over the same name table (which
// the unit tests pin), a result only ever holds enabled scopes, sorted and unique, strict mode
// never accepts a token the spec refuses, and format → parse round-trips.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { covers, formatScopes, parseRequestedScopes, SCOPE_NAMES, scopeIds } from '../../../src/core/account/scope.ts';
import { attackString, fuzz, near } from './fuzz-kit.ts';

const KNOWN = [
  '1',
  '2',
  '3',
  '4',
  '6',
  '16000',
  'user/profile',
  'profile',
  'user/relation',
  'relation',
  'user/openidV2',
  'openid',
  'user/phoneAndEmail',
  'phone',
  'email',
];
const PROTO = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__'];
const TOKEN = fc.oneof(
  near(KNOWN),
  fc.constantFrom(...PROTO),
  fc.nat(20000).map(String),
  fc.constantFrom('0', '007', '1234567890', '-1', '1e3', '1.0'),
  attackString(8, 200),
);
const SEP = fc.constantFrom(' ', '+', ',', '  ', '\t', ' , ', '\n', '%20', '');
const RAW = fc.array(fc.tuple(TOKEN, SEP), { maxLength: 6 }).map((p) => p.map(([t, s]) => t + s).join(''));
const ENABLED: fc.Arbitrary<number[]> = fc.uniqueArray(fc.constantFrom(1, 2, 3, 4, 6, 16000, 7, 0), { maxLength: 6 });

type Parse = ReturnType<typeof parseRequestedScopes>;
function model(raw: string, enabled: number[], strict: boolean): Parse {
  const wanted = new Set<number>();
  for (const token of raw.split(/[\s,+]+/).filter(Boolean)) {
    const ids = /^\d{1,9}$/.test(token) ? [Number(token)] : SCOPE_NAMES.get(token.toLowerCase());
    if (!ids) {
      if (strict) return { ok: false, reason: 'unknown', token };
      continue;
    }
    for (const id of ids) {
      if (enabled.includes(id)) wanted.add(id);
      else if (strict) return { ok: false, reason: 'not-enabled', token };
    }
  }
  const scopes = wanted.size > 0 ? [...wanted] : [...new Set(enabled)];
  return { ok: true, scopes: scopes.sort((a, b) => a - b) };
}

describe('fuzz: scope parsing', () => {
  it('never throws and agrees with an independent model of §3.2', (t) => {
    fuzz(
      t,
      fc.property(fc.oneof(RAW, attackString(60)), ENABLED, fc.boolean(), (raw, enabled, strict) => {
        const got = parseRequestedScopes(raw, enabled, strict);
        assert.deepEqual(got, model(raw, enabled, strict));
        if (got.ok) {
          assert.ok(got.scopes.every((s) => enabled.includes(s)));
          assert.deepEqual(
            got.scopes,
            [...new Set(got.scopes)].sort((a, b) => a - b),
          );
        }
      }),
    );
  });

  it('format → parse round-trips, and parsing the granted list again is idempotent', (t) => {
    fuzz(
      t,
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 999_999_999 }), { maxLength: 8 }), RAW, ENABLED, (ids, raw, enabled) => {
        assert.deepEqual(scopeIds(formatScopes(ids)), ids);
        assert.ok(covers(ids, scopeIds(formatScopes(ids))));
        const first = parseRequestedScopes(raw, enabled);
        if (!first.ok) return;
        assert.deepEqual(parseRequestedScopes(formatScopes(first.scopes), enabled, true), first);
      }),
    );
  });
});
