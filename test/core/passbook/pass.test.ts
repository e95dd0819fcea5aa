// Passbook wire rules (account-protocol §6.8): the imei parameter is the lower-case MD5 hex of an IMEI.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imeiMd5, MAX_DESCRIPTION, MAX_PASS_CODE, MAX_TITLE, parseImeiMd5 } from '../../../src/core/passbook/pass.ts';

test('imei parameter: exactly 32 hex digits, compared lower-case', () => {
  assert.equal(parseImeiMd5('0EAED834A1E6F4B2BF0C024E0013DEA1'), '0eaed834a1e6f4b2bf0c024e0013dea1');
  assert.equal(parseImeiMd5('0eaed834a1e6f4b2bf0c024e0013dea1'), '0eaed834a1e6f4b2bf0c024e0013dea1');
  for (const v of [
    '0eaed834a1e6f4b2bf0c024e0013dea', // 31
    '0eaed834a1e6f4b2bf0c024e0013dea1f', // 33
    'x0eaed834a1e6f4b2bf0c024e0013dea1',
    '0eaed834a1e6f4b2bf0c024e0013dea1x',
    '0eaed834a1e6f4b2bf0c024e0013deag',
    '490154203237518',
    '',
  ])
    assert.equal(parseImeiMd5(v), undefined, v);
});

test('imeiMd5: the lower-case MD5 hex of the IMEI (or MEID) as the device sends it', () => {
  assert.equal(imeiMd5('490154203237518'), '0eaed834a1e6f4b2bf0c024e0013dea1');
  assert.equal(imeiMd5('A0000049A1B2C3'), '76f61956252617d4ab9fd6cedcd95ced');
  assert.equal(parseImeiMd5(imeiMd5('490154203237518')), imeiMd5('490154203237518'));
});

test('imeiMd5: 8 to 20 letters or digits, anything else is refused', () => {
  assert.match(imeiMd5('12345678'), /^[0-9a-f]{32}$/);
  assert.match(imeiMd5('1'.repeat(20)), /^[0-9a-f]{32}$/);
  for (const v of ['1234567', '1'.repeat(21), '49015420-3237518', ' 490154203237518', '490154203237518\n', ''])
    assert.throws(() => imeiMd5(v), { message: 'IMEI must be 8-20 letters or digits' }, JSON.stringify(v));
});

test('pass field limits', () => {
  assert.deepEqual([MAX_TITLE, MAX_DESCRIPTION, MAX_PASS_CODE], [100, 1000, 200]);
});
