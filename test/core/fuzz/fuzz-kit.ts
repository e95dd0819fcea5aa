// Shared pieces of the fuzzing drill (docs/testing.md, "Fuzzing"): how many cases each property
// runs, seed/path replay from the environment, the "protocol errors only" rule, and arbitraries
// shaped like real attacks (percent-encodings, Unicode look-alikes and lone surrogates, CR/LF and
// other controls, `\`, `@`, ports, IPv6 literals, prototype keys, very long input).

import type { TestContext } from 'node:test';
import fc from 'fast-check';
import { XmOAuthError } from '../../../src/core/account/errors.ts';
import { FdsError } from '../../../src/core/fds/errors.ts';
import { LINEAR_BUDGET_MS, LONG_INPUT, timeMs } from '../../helpers/linear-time.ts';

/** Cases per property (OPAL_FUZZ_RUNS overrides, e.g. 1000000 for a long local run). */
export const RUNS = Number(process.env.OPAL_FUZZ_RUNS ?? 10_000);

/**
 * Runs one property. A failure prints fast-check's counterexample with `seed` and `path`; replay it
 * with OPAL_FUZZ_SEED=<seed> OPAL_FUZZ_PATH=<path> and --test-name-pattern naming the property.
 */
/**
 * Under CI=true the seed is fixed (CI_SEED) unless OPAL_FUZZ_SEED names one: a merge gate must give
 * the same answer twice. Everywhere else every run draws a new seed and so explores new cases.
 */
export const CI_SEED = '20261205';

export function fuzz<Ts extends [unknown, ...unknown[]]>(t: TestContext, property: fc.IProperty<Ts>, runs = RUNS): void {
  const seed = process.env.OPAL_FUZZ_SEED ?? (process.env.CI === 'true' ? CI_SEED : undefined);
  const path = process.env.OPAL_FUZZ_PATH;
  fc.assert(property, {
    numRuns: runs,
    ...(seed ? { seed: Number(seed) } : {}),
    ...(path ? { path, endOnFailure: true } : {}),
  });
  t.diagnostic(path ? `fuzz: replayed seed ${seed} path ${path}` : `fuzz: ${runs} cases${seed ? `, seed ${seed}` : ''}`);
}

export type ProtocolError = FdsError | XmOAuthError;

/** Runs `f`; a protocol error (FdsError, XmOAuthError) is returned, anything else thrown is a failure. */
export function protocolOnly<T>(f: () => T): T | ProtocolError {
  try {
    return f();
  } catch (e) {
    if (e instanceof FdsError || e instanceof XmOAuthError) return e;
    throw e;
  }
}

export const isProtocolError = (v: unknown): v is ProtocolError => v instanceof FdsError || v instanceof XmOAuthError;

const SPECIAL = [...'%+ \t\r\n\0\\/@:?#&=;[]"\',.*~<>`{}|^$!()-_'];
const UNICODE = [
  'é',
  '中',
  '\u3002', // ideographic full stop (a dot to IDNA)
  '\uff0e', // fullwidth full stop
  '\uff0f', // fullwidth solidus
  '\u0430', // Cyrillic a
  '\ud800', // lone high surrogate
  '\udfff', // lone low surrogate
  '😀',
  '\u202e', // right-to-left override
  '\u00a0',
  '\u2028',
  '\u017f', // long s: upper-cases to S
  '\u0131', // dotless i: upper-cases to I
  '\u212a', // Kelvin sign: lower-cases to k
  '\u0130',
  '\ufeff',
  '\u0085',
  '\u00ff',
];
const TOKENS = [
  '__proto__',
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '..',
  '//',
  '%00',
  '%2e',
  '%2F',
  '%25',
  '%u0041',
  '%zz',
  '%',
  'http://',
  'https://',
  'xn--',
  'javascript:',
  'localhost',
  '127.0.0.1',
  '[::1]',
  '0x7f.1',
  ':443',
  ':0',
  ':65536',
];

export const printableChar = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
/** Any UTF-16 code unit: controls, Latin-1, lone surrogates… */
export const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
/** `%XX` of any byte, upper or lower hex. */
export const pctByte = fc
  .tuple(fc.integer({ min: 0, max: 255 }), fc.boolean())
  .map(([b, upper]) => `%${b.toString(16).padStart(2, '0')[upper ? 'toUpperCase' : 'toLowerCase']()}`);

/** One piece of attack-shaped text. */
export const attackUnit = fc.oneof(
  { weight: 8, arbitrary: printableChar },
  { weight: 4, arbitrary: fc.constantFrom(...SPECIAL) },
  { weight: 2, arbitrary: fc.constantFrom(...UNICODE) },
  { weight: 2, arbitrary: pctByte },
  { weight: 1, arbitrary: fc.constantFrom(...TOKENS) },
  { weight: 1, arbitrary: anyCodeUnit },
);

/** Short attack-shaped strings, and now and then a very long one (a piece repeated up to `long` units). */
export function attackString(maxLength = 40, long = 8000): fc.Arbitrary<string> {
  const short = fc.string({ unit: attackUnit, maxLength });
  const repeated = fc
    .tuple(fc.string({ unit: attackUnit, minLength: 1, maxLength: 4 }), fc.integer({ min: 64, max: long }), short, short)
    .map(([piece, n, head, tail]) => `${head}${piece.repeat(Math.ceil(n / piece.length))}${tail}`);
  return fc.oneof({ weight: 19, arbitrary: short }, { weight: 1, arbitrary: repeated });
}

/** Strings a client could put in an HTTP header value (Latin-1, as Node hands them over), attack-shaped. */
export function headerString(maxLength = 40): fc.Arbitrary<string> {
  return attackString(maxLength).map((s) => s.replace(/[\u0100-\uffff]/g, '?'));
}

/** Picks one of the given strings, or mutates it (case, one character replaced/inserted/removed). */
export function near(values: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...values),
    fc.tuple(fc.constantFrom(...values), fc.nat(), attackUnit, fc.integer({ min: 0, max: 3 })).map(([v, i, u, op]) => {
      const at = v.length === 0 ? 0 : i % v.length;
      if (op === 0) return v.slice(0, at) + u + v.slice(at + 1);
      if (op === 1) return v.slice(0, at) + u + v.slice(at);
      if (op === 2) return v.slice(0, at) + v.slice(at + 1);
      return v.toUpperCase();
    }),
  );
}

/**
 * The linear-time property of a header parser: `head` + a grammar `piece` repeated to LONG_INPUT
 * characters + `tail` parses within LINEAR_BUDGET_MS (backtracking costs far more), over 200 cases.
 */
export function fastOnLongHeaders(
  t: TestContext,
  parse: (header: string) => unknown,
  heads: string[],
  pieces: string[],
  tails: string[],
): void {
  fuzz(
    t,
    fc.property(fc.constantFrom(...heads), fc.constantFrom(...pieces), fc.constantFrom(...tails), (h, p, tl) => {
      const header = `${h}${p.repeat(Math.floor(LONG_INPUT / p.length))}${tl}`;
      const ms = timeMs(() => parse(header), LINEAR_BUDGET_MS);
      if (ms >= LINEAR_BUDGET_MS)
        throw new Error(`${ms.toFixed(0)} ms for ${JSON.stringify(header.slice(0, 20))}… (${JSON.stringify(p)} repeated)`);
    }),
    200,
  );
}
