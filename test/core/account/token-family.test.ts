// Token family ids (src/core/account/token-family.ts): a fixed-width time prefix, so that ids sort
// by the time their family started (new families go to the end of the store's index); a code's
// family follows from its row; a replay also names the family of builds before time order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeFamilies, codeFamily, familyId } from '../../../src/core/account/token-family.ts';
import { sha256Hex } from '../../../src/lib/hash.ts';

test('family ids sort as their start times do, whatever the seed', () => {
  const times = [0, 1, 35, 36, 1_000, 1_733_616_000_000, 1_733_616_000_001, 1_800_000_000_000, 36 ** 9 - 1];
  const ids = times.map((at, i) => familyId(at, i % 2 === 0 ? 'zzzz' : '0000'));
  assert.deepEqual([...ids].sort(), ids);
  for (const id of ids) assert.equal(id.length, 9 + 4);
  assert.equal(familyId(1_733_616_000_000, 'seed'), `${(1_733_616_000_000).toString(36).padStart(9, '0')}seed`);
  assert.equal(familyId(-5, 's'), '000000000s', 'a clock before the epoch does not break the width');
  assert.equal(familyId(1.9, 's'), '000000001s');
});

test('a code’s family: its issue time and the first 128 bits of its hash; a replay names the old form too', () => {
  const hash = sha256Hex('a code');
  const at = 1_733_616_000_123;
  const fam = codeFamily(at, hash);
  assert.equal(fam, familyId(at, hash.slice(0, 32)));
  assert.equal(fam.length, 9 + 32);
  assert.notEqual(codeFamily(at, sha256Hex('another code')), fam);
  assert.notEqual(codeFamily(at + 1, hash), fam);
  assert.deepEqual(codeFamilies(at, hash), [fam, hash]);
});
