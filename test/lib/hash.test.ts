// Hashing helpers: SHA-256 against the FIPS 180-2 vector and UTF-8 input, and both constant-time
// comparisons, including inputs of equal length in characters but not in bytes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { safeEqual, safeEqualPublicLength, sha256Hex } from '../../src/lib/hash.ts';

describe('hash helpers', () => {
  it('sha256Hex: the "abc" vector, strings as UTF-8, buffers as bytes', () => {
    assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(sha256Hex('é'), sha256Hex(Buffer.from([0xc3, 0xa9])));
    assert.notEqual(sha256Hex('é'), sha256Hex(Buffer.from([0xe9])));
  });
  it('safeEqual: equal, different, of another length, and empty', () => {
    assert.equal(safeEqual('secret', 'secret'), true);
    assert.equal(safeEqual('secret', 'secreT'), false);
    assert.equal(safeEqual('secret', 'secret!'), false);
    assert.equal(safeEqual('', ''), true);
    assert.equal(safeEqual('', 'a'), false);
  });
  it('safeEqualPublicLength: equal, one byte off, shorter, and the same characters in other bytes', () => {
    const mac = 'GphrbA8DclH/NFYC16CdM/mIXi8=';
    assert.equal(safeEqualPublicLength(mac, mac), true);
    assert.equal(safeEqualPublicLength(mac, `${mac.slice(0, -2)}9=`), false);
    assert.equal(safeEqualPublicLength(mac, mac.slice(0, -1)), false);
    assert.equal(safeEqualPublicLength(mac, ''), false);
    // 28 characters, 29 bytes of UTF-8: refused without throwing.
    assert.equal(safeEqualPublicLength(mac, `é${mac.slice(1)}`), false);
    assert.equal(safeEqualPublicLength(mac, Buffer.from(mac)), true);
    assert.equal(safeEqualPublicLength(mac, Buffer.from(mac.toLowerCase())), false);
  });
});
