// Credentials and identifiers drawn from the random pool (src/lib/random.ts): the right length
// and alphabet, never repeated across many refills of the pool, and no byte value favoured.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newCredential, randomString, readsAsOption } from '../../src/lib/random.ts';

describe('random pool', () => {
  it('credentials have their length and alphabet, and refuse fewer than 160 bits', () => {
    assert.match(newCredential(), /^[A-Za-z0-9_-]{32}$/);
    assert.match(newCredential(30), /^[A-Za-z0-9_-]{40}$/);
    assert.throws(() => newCredential(16), /160 bits/);
    assert.match(randomString(8, 'hex'), /^[0-9a-f]{16}$/);
    for (const bad of [0, -16, 1.5, Number.NaN]) assert.throws(() => randomString(bad, 'hex'), RangeError);
  });

  it('no credential begins with "-" (a command line would take it for an option)', () => {
    // One base64url draw in 64 begins with '-': 5,000 draws without one is chance only once in e^78.
    for (let i = 0; i < 5_000; i++) assert.ok(!newCredential(21).startsWith('-'));
    assert.equal(readsAsOption('-x'), true);
    assert.equal(readsAsOption('x-'), false);
  });

  it('20,000 draws of sizes that straddle the pool’s refills are all distinct', () => {
    const seen = new Set<string>();
    const sizes = [30, 24, 20, 1, 4, 8, 1023];
    for (let i = 0; i < 20_000; i++) {
      const n = sizes[i % sizes.length] as number;
      const s = randomString(n, 'hex');
      assert.equal(s.length, 2 * n);
      if (n >= 8) {
        assert.ok(!seen.has(s), `draw ${i} repeated an earlier one`);
        seen.add(s);
      }
    }
  });

  it('a draw larger than the pool serves comes straight from the CSPRNG', () => {
    const a = randomString(4096, 'hex');
    const b = randomString(4096, 'hex');
    assert.equal(a.length, 8192);
    assert.notEqual(a, b);
  });

  it('every byte value is about equally likely (no zeroed or reused bytes handed out)', () => {
    const counts = new Array<number>(256).fill(0);
    const draws = 4096;
    for (let i = 0; i < draws; i++) {
      const hex = randomString(30, 'hex');
      for (let j = 0; j < hex.length; j += 2) {
        const b = Number.parseInt(hex.slice(j, j + 2), 16);
        counts[b] = (counts[b] ?? 0) + 1;
      }
    }
    const expected = (draws * 30) / 256; // 480
    // Chi-square with 255 degrees of freedom: mean 255, standard deviation about 22.6; 400 is
    // more than six deviations out (a false alarm about once in a billion runs).
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    assert.ok(chi2 < 400, `chi-square ${chi2.toFixed(1)} over 256 byte values`);
  });
});
