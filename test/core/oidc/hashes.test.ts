// at_hash / c_hash (OIDC Core §3.1.3.6, §3.3.2.11) and the id_token signing algorithms.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { ID_TOKEN_ALGS, isIdTokenAlg, leftHalfHash } from '../../../src/core/oidc/hashes.ts';

test('id_tokens are signed with RS256 or ES256, nothing else', () => {
  assert.deepEqual(ID_TOKEN_ALGS, ['RS256', 'ES256']);
  assert.equal(isIdTokenAlg('RS256'), true);
  assert.equal(isIdTokenAlg('ES256'), true);
  for (const a of ['none', 'HS256', 'rs256', 'RS384', 'EdDSA', '']) assert.equal(isIdTokenAlg(a), false, a);
});

test('the left half of SHA-256, base64url without padding: 16 bytes → 22 characters', () => {
  // OIDC Core A.3 / A.4 example values, for both algorithms (both hash with SHA-256).
  for (const alg of ID_TOKEN_ALGS) {
    assert.equal(leftHalfHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y', alg), '77QmUPtjPfzWtF2AnpK9RQ');
    assert.equal(leftHalfHash('Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk', alg), 'LDktKdoQak3Pk0cnXxCltA');
  }
  // SHA-256("") = e3b0c442 98fc1c14 9afbf4c8 996fb924 …
  assert.equal(leftHalfHash('', 'RS256'), Buffer.from('e3b0c44298fc1c149afbf4c8996fb924', 'hex').toString('base64url'));
});

test('a value outside ASCII (a state such as café) is hashed as its UTF-8 bytes, as relying parties hash it', () => {
  // oauth4webapi and openid-client check s_hash over TextEncoder's bytes; hashing as 'ascii' (latin1,
  // characters past U+00FF cut to their low byte) made 'Ā' hash like '\0' and café's s_hash fail.
  const utf8 = (s: string) => createHash('sha256').update(new TextEncoder().encode(s)).digest().subarray(0, 16).toString('base64url');
  for (const state of ['café', 'Ā', '状态', 'x😀y']) assert.equal(leftHalfHash(state, 'RS256'), utf8(state), state);
  assert.notEqual(leftHalfHash('Ā', 'RS256'), leftHalfHash('\0', 'RS256'));
});
