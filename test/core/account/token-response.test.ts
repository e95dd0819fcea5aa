import assert from 'node:assert/strict';
import { test } from 'node:test';
import { implicitParams, tokenErrorBody, tokenSuccessBody } from '../../../src/core/account/token-response.ts';

const T = {
  accessToken: 'AT',
  refreshToken: 'RT',
  expiresIn: 7776000,
  scope: '1 3',
  tokenType: 'mac' as const,
  macKey: 'MK',
  openId: 'OID',
  unionId: 'UID',
};

test('success bytes: prefix + compact JSON with the nine keys, nothing after }', () => {
  assert.equal(
    tokenSuccessBody(T, true),
    '&&&START&&&{"access_token":"AT","expires_in":7776000,"refresh_token":"RT","scope":"1 3","token_type":"mac","mac_key":"MK","mac_algorithm":"HmacSHA1","openId":"OID","union_id":"UID"}',
  );
  assert.equal(tokenSuccessBody(T, false).startsWith('{"access_token"'), true);
});

test('bearer tokens carry no mac fields', () => {
  const b = JSON.parse(tokenSuccessBody({ ...T, tokenType: 'bearer', macKey: undefined }, false));
  assert.equal(b.token_type, 'bearer');
  assert.equal('mac_key' in b, false);
});

test('error bytes: integer error and a description', () => {
  assert.equal(tokenErrorBody(500, undefined, false), '{"error":500,"error_description":"internal error"}');
  assert.equal(tokenErrorBody(503, undefined, true), '&&&START&&&{"error":503,"error_description":"service unavailable"}');
  assert.equal(tokenErrorBody(96013, undefined, true), '&&&START&&&{"error":96013,"error_description":"invalid authorization code"}');
  assert.equal(
    tokenErrorBody(96002, 'invalid request: missing code', false),
    '{"error":96002,"error_description":"invalid request: missing code"}',
  );
});

test('implicit fragment parameters in the documented order', () => {
  assert.deepEqual(
    implicitParams(T, 'abc').map((p) => p[0]),
    ['access_token', 'token_type', 'expires_in', 'mac_algorithm', 'mac_key', 'scope', 'state'],
  );
  assert.deepEqual(implicitParams(T, 'abc'), [
    ['access_token', 'AT'],
    ['token_type', 'mac'],
    ['expires_in', 7776000],
    ['mac_algorithm', 'HmacSHA1'],
    ['mac_key', 'MK'],
    ['scope', '1 3'],
    ['state', 'abc'],
  ]);
  assert.deepEqual(implicitParams({ ...T, tokenType: 'bearer', macKey: undefined }, undefined), [
    ['access_token', 'AT'],
    ['token_type', 'bearer'],
    ['expires_in', 7776000],
    ['scope', '1 3'],
    ['state', undefined],
  ]);
});
