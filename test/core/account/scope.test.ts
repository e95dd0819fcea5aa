import assert from 'node:assert/strict';
import { test } from 'node:test';
import { covers, formatScopes, parseRequestedScopes, scopeIds } from '../../../src/core/account/scope.ts';

const ENABLED = [1, 2, 3, 4, 6, 16000];
const ok = (raw: string | undefined, enabled = ENABLED, strict = false) => {
  const r = parseRequestedScopes(raw, enabled, strict);
  assert.equal(r.ok, true);
  return r.ok ? r.scopes : [];
};

test('scope syntaxes of §3.2 and §13 item 9', () => {
  assert.deepEqual(ok('1 3'), [1, 3]);
  assert.deepEqual(ok('1+3'), [1, 3]); // "+" left undecoded by a client
  assert.deepEqual(ok('1,3'), [1, 3]);
  assert.deepEqual(ok('3  1\t3'), [1, 3]);
  assert.deepEqual(ok('user/profile user/openIdV2'), [1, 3]);
  assert.deepEqual(ok('user/phoneAndEmail'), [4, 6]);
  assert.deepEqual(ok('profile'), [1]);
  assert.deepEqual(ok(''), ENABLED);
  assert.deepEqual(ok(undefined), ENABLED);
});

test('lenient drops unknown and not-enabled scopes; strict rejects them', () => {
  assert.deepEqual(ok('1 999 bogus', [1, 3]), [1]);
  assert.deepEqual(ok('999', [1, 3]), [1, 3]); // nothing left → everything enabled
  assert.deepEqual(parseRequestedScopes('1 bogus', [1], true), { ok: false, reason: 'unknown', token: 'bogus' });
  assert.deepEqual(parseRequestedScopes('1 3', [1], true), { ok: false, reason: 'not-enabled', token: '3' });
});

test('formatting and helpers', () => {
  assert.equal(formatScopes([1, 3]), '1 3');
  assert.deepEqual(scopeIds('1,3 x'), [1, 3]);
  assert.equal(covers([1, 3, 4], [1, 4]), true);
  assert.equal(covers([1], [1, 3]), false);
});

test('names of Object.prototype are unknown tokens, not scopes (fuzzing found a TypeError → HTTP 500)', () => {
  for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'CONSTRUCTOR']) {
    assert.deepEqual(ok(`1 ${name}`), [1], name);
    assert.deepEqual(parseRequestedScopes(name, ENABLED, true), { ok: false, reason: 'unknown', token: name });
  }
});

test('every lenient scope name maps to its ids (account-protocol §3.2)', () => {
  const names: Array<[string, number[]]> = [
    ['user/profile', [1]],
    ['profile', [1]],
    ['user/relation', [2]],
    ['relation', [2]],
    ['user/openidV2', [3]],
    ['openid', [3]],
    ['user/phoneAndEmail', [4, 6]],
    ['phone', [4]],
    ['email', [6]],
  ];
  for (const [name, ids] of names) assert.deepEqual(parseRequestedScopes(name, ENABLED, true), { ok: true, scopes: ids }, name);
  assert.deepEqual(parseRequestedScopes('', ENABLED, true), { ok: true, scopes: ENABLED }, 'an empty name is no name');
});

test('lenient by default; strict with nothing requested means everything enabled', () => {
  assert.deepEqual(parseRequestedScopes('1 nonsense 999', [1]), { ok: true, scopes: [1] });
  assert.deepEqual(parseRequestedScopes(undefined, [3, 1], true), { ok: true, scopes: [1, 3] });
});

test('scopeIds keeps only whole decimal parts', () => {
  assert.deepEqual(scopeIds('1 a3 3b 1234567890 2,x6'), [1, 2]);
});
