// Timestamp anti-stealing links (fds-protocol §5.12): sign = md5hex(key + "/" + b + "/" + o + t),
// over the plain path (Python) or the URI-encoded one (Java); the primary or the secondary key;
// valid while t (hex seconds) is after now, and only when the configuration is enabled.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { antiStealingSign, antiStealingValid, isAntiStealingConfig } from '../../../src/core/fds/anti-stealing.ts';

// md5sum of the strings named in each comment (computed outside Opal).
const PLAIN = 'fdb805622ae897214fe1e8e25f845e42'; // k/b/中 文.jpg7fffffff
const ENCODED = '69f7279ae20951b9f058cca2524e973b'; // k/b/%E4%B8%AD%20%E6%96%87.jpg7fffffff
const T = '7fffffff';
const BEFORE_T = 0x7fffffff * 1000 - 1;

describe('antiStealingSign', () => {
  it('is md5hex(key/bucket/object + t), over the plain or the encoded path', () => {
    assert.equal(antiStealingSign('primary-key', 'acl-asl', 'dir/p.jpg', '67a1b2c3'), '33d663c2868371a333b2f905640e0686');
    assert.equal(antiStealingSign('k', 'b', '中 文.jpg', T), PLAIN);
    assert.equal(antiStealingSign('k', 'b', '中 文.jpg', T, true), ENCODED);
  });
});

describe('antiStealingValid', () => {
  const cfg = { enabled: true, primaryKey: 'k', secondaryKey: 'second' };
  it('accepts either signature form, its hex in either case, while t is after now', () => {
    assert.equal(antiStealingValid(cfg, 'b', '中 文.jpg', PLAIN, T, BEFORE_T), true);
    assert.equal(antiStealingValid(cfg, 'b', '中 文.jpg', ENCODED, T, BEFORE_T), true);
    assert.equal(antiStealingValid(cfg, 'b', '中 文.jpg', PLAIN.toUpperCase(), T, BEFORE_T), true);
  });
  it('accepts the secondary key, alone too', () => {
    const sign = antiStealingSign('second', 'b', 'o', T, true);
    assert.equal(antiStealingValid(cfg, 'b', 'o', sign, T, 0), true);
    assert.equal(antiStealingValid({ enabled: true, secondaryKey: 'second' }, 'b', 'o', sign, T, 0), true);
    assert.equal(antiStealingValid({ enabled: true, primaryKey: 'k' }, 'b', 'o', sign, T, 0), false);
  });
  it('refuses once now reaches t', () => {
    assert.equal(antiStealingValid(cfg, 'b', '中 文.jpg', PLAIN, T, 0x7fffffff * 1000), false);
    assert.equal(antiStealingValid(cfg, 'b', '中 文.jpg', PLAIN, T, 0x7fffffff * 1000 + 1), false);
  });
  it('refuses when not enabled, with no keys, or an empty key', () => {
    assert.equal(antiStealingValid({ ...cfg, enabled: false }, 'b', '中 文.jpg', PLAIN, T, 0), false);
    assert.equal(antiStealingValid({ primaryKey: 'k' }, 'b', '中 文.jpg', PLAIN, T, 0), false);
    assert.equal(antiStealingValid({ enabled: true }, 'b', 'o', antiStealingSign('', 'b', 'o', T), T, 0), false);
    assert.equal(antiStealingValid({ enabled: true, primaryKey: '' }, 'b', 'o', antiStealingSign('', 'b', 'o', T), T, 0), false);
  });
  it('refuses a t that is not 1–12 hex digits, another object, bucket or t, and a wrong or short sign', () => {
    for (const t of ['', 'xyz', '0x7fffffff', '-1', '1234567890abc']) {
      assert.equal(antiStealingValid(cfg, 'b', 'o', antiStealingSign('k', 'b', 'o', t), t, 0), false, t);
    }
    const twelve = 'ffffffffffff';
    assert.equal(antiStealingValid(cfg, 'b', 'o', antiStealingSign('k', 'b', 'o', twelve), twelve, 0), true);
    assert.equal(antiStealingValid(cfg, 'b', 'other.jpg', PLAIN, T, 0), false);
    assert.equal(antiStealingValid(cfg, 'c', '中 文.jpg', PLAIN, T, 0), false);
    assert.equal(antiStealingValid(cfg, 'b', '中 文.jpg', PLAIN, '7ffffffe', 0), false);
    assert.equal(antiStealingValid(cfg, 'b', '中 文.jpg', '0'.repeat(32), T, 0), false);
    assert.equal(antiStealingValid(cfg, 'b', '中 文.jpg', PLAIN.slice(0, 31), T, 0), false);
    assert.equal(antiStealingValid(cfg, 'b', '中 文.jpg', '', T, 0), false);
  });
});

describe('isAntiStealingConfig', () => {
  it('accepts the TimestampAntiStealingLinkConfig shape, every field optional, and nothing else', () => {
    assert.equal(isAntiStealingConfig({ enabled: true, primaryKey: 'a', secondaryKey: 'b' }), true);
    assert.equal(isAntiStealingConfig({}), true);
    assert.equal(isAntiStealingConfig({ enabled: 'true' }), false);
    assert.equal(isAntiStealingConfig({ primaryKey: 1 }), false);
    assert.equal(isAntiStealingConfig({ secondaryKey: null }), false);
    assert.equal(isAntiStealingConfig(null), false);
    assert.equal(isAntiStealingConfig('{"enabled":true}'), false);
  });
});
