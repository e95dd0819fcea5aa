// Open-API envelopes (account-protocol §6.2, §6.3), as test/sites/account/open/user-api.test.ts sees
// them on the wire: exact bytes, `code` a number, no `data` in errors, the HTTP status per mode.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNoNulls, errorBody, errorStatus, OPEN_API_CONTENT_TYPE, okEnvelope } from '../../../src/core/open/envelope.ts';

test('the content type of every open-API response', () => {
  assert.equal(OPEN_API_CONTENT_TYPE, 'application/json;charset=UTF-8');
});

test('the success envelope: keys in wire order, code 0, "no error"', () => {
  assert.equal(JSON.stringify(okEnvelope({ friends: '' })), '{"result":"ok","code":0,"description":"no error","data":{"friends":""}}');
  assert.deepEqual(okEnvelope([]), { result: 'ok', code: 0, description: 'no error', data: [] });
});

test('the error body: result, numeric code, description, nothing else', () => {
  assert.equal(
    errorBody(96012, 'server rejected auth request'),
    '{"result":"error","code":96012,"description":"server rejected auth request"}',
  );
  assert.equal(errorBody(96008, 'token invalid or expired'), '{"result":"error","code":96008,"description":"token invalid or expired"}');
  assert.equal(errorBody(96001, 'a "quoted" word'), '{"result":"error","code":96001,"description":"a \\"quoted\\" word"}');
});

test('error status, mapped: 96008 → 403, 96012 → 401, anything else → 400', () => {
  assert.equal(errorStatus(96008, 'mapped'), 403);
  assert.equal(errorStatus(96012, 'mapped'), 401);
  for (const c of [96001, 96002, 96005, 96007, 96009, 96013, 0]) assert.equal(errorStatus(c, 'mapped'), 400, String(c));
});

test('error status, mode 200 (OPAL_OPEN_API_ERROR_STATUS=200): always 200', () => {
  for (const c of [96008, 96012, 96001]) assert.equal(errorStatus(c, '200'), 200, String(c));
});

test('no null or undefined anywhere in data; the message names the path', () => {
  assertNoNulls({ a: '', b: 0, c: false, d: [1, 'x', { e: '' }], f: {} });
  assertNoNulls('a string');
  assertNoNulls(['ab', ['cd']]);
  assertNoNulls(7);
  assert.throws(() => assertNoNulls(null), { message: 'data is null' });
  assert.throws(() => assertNoNulls(undefined), { message: 'data is undefined' });
  assert.throws(() => assertNoNulls({ a: 'x', b: null }), { message: 'data.b is null' });
  assert.throws(() => assertNoNulls([{ passId: 'p' }, { passId: 'q', logoUrl: undefined }]), { message: 'data[1].logoUrl is undefined' });
  assert.throws(() => assertNoNulls({ list: ['a', null] }, 'passes'), { message: 'passes.list[1] is null' });
});
