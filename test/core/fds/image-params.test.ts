// Image parameters (fds-protocol §5.13, §9): strict parsing of thumb/f=webp/gf/cropImage, the
// defaults (webp quality 80 unless the bucket's webpQuality is 1–100; gf without a type: the
// bucket's gifType, else JPEG) and one canonical cache key per operation (fds_derived.params).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FdsError } from '../../../src/core/fds/errors.ts';
import { formatOfMime, imageOpKey, MAX_SIDE, parseCrop, parseImageOp } from '../../../src/core/fds/image-params.ts';

const q = (s: string) => new Map(new URLSearchParams(s));
const refused = (fn: () => unknown, message: string) =>
  assert.throws(
    fn,
    (e: unknown) => e instanceof FdsError && e.code === 'InvalidRequest' && e.status === 400 && e.message === `Invalid Request: ${message}`,
  );

describe('thumb', () => {
  it('takes w and h, either alone, from 1 to 8192', () => {
    assert.equal(MAX_SIDE, 8192);
    assert.deepEqual(parseImageOp('thumb', q('thumb=1&w=256&h=128'), {}), { kind: 'thumb', w: 256, h: 128 });
    assert.deepEqual(parseImageOp('thumb', q('w=1'), {}), { kind: 'thumb', w: 1, h: undefined });
    assert.deepEqual(parseImageOp('thumb', q('h=8192&w='), {}), { kind: 'thumb', w: undefined, h: 8192 });
  });
  it('refuses no size, 0, past 8192, signs, fractions, letters and more than nine digits', () => {
    refused(() => parseImageOp('thumb', q('thumb=1'), {}), 'thumb needs w or h');
    refused(() => parseImageOp('thumb', q('w=&h='), {}), 'thumb needs w or h');
    refused(() => parseImageOp('thumb', q('w=0&h=5'), {}), 'w must be an integer from 1 to 8192');
    refused(() => parseImageOp('thumb', q('w=5&h=8193'), {}), 'h must be an integer from 1 to 8192');
    for (const v of ['abc', '-1', '+5', '1.5', ' 5', '5a', '0000000001']) {
      refused(() => parseImageOp('thumb', q(`w=${encodeURIComponent(v)}`), {}), 'w must be an integer from 1 to 8192');
    }
    assert.deepEqual(parseImageOp('thumb', q('w=000000100'), {}), { kind: 'thumb', w: 100, h: undefined });
  });
});

describe('f=webp', () => {
  it('takes q from 1 to 100', () => {
    assert.deepEqual(parseImageOp('webp', q('f=webp&q=1'), { webpQuality: '5' }), { kind: 'webp', q: 1 });
    assert.deepEqual(parseImageOp('webp', q('f=webp&q=100'), {}), { kind: 'webp', q: 100 });
    refused(() => parseImageOp('webp', q('q=0'), {}), 'q must be an integer from 1 to 100');
    refused(() => parseImageOp('webp', q('q=101'), {}), 'q must be an integer from 1 to 100');
  });
  it("without q: the bucket's webpQuality when 1–100, else 80", () => {
    assert.deepEqual(parseImageOp('webp', q('f=webp'), {}), { kind: 'webp', q: 80 });
    assert.deepEqual(parseImageOp('webp', q('f=webp&q='), { webpQuality: '5' }), { kind: 'webp', q: 5 });
    assert.deepEqual(parseImageOp('webp', q('f=webp'), { webpQuality: '1' }), { kind: 'webp', q: 1 });
    assert.deepEqual(parseImageOp('webp', q('f=webp'), { webpQuality: '100' }), { kind: 'webp', q: 100 });
    for (const bad of ['0', '101', '999', '1000', 'high', '5.5', ' 5', '-5', '']) {
      assert.deepEqual(parseImageOp('webp', q('f=webp'), { webpQuality: bad }), { kind: 'webp', q: 80 }, bad);
    }
  });
});

describe('gf', () => {
  it('takes a MIME type of a known format, any case, image/jpg as JPEG', () => {
    assert.deepEqual(parseImageOp('gif', q('gf=image/png'), {}), { kind: 'gif', format: 'png' });
    assert.deepEqual(parseImageOp('gif', q('gf=IMAGE/WEBP'), { gifType: 'image/png' }), { kind: 'gif', format: 'webp' });
    assert.deepEqual(parseImageOp('gif', q('gf=image/jpg'), {}), { kind: 'gif', format: 'jpeg' });
    assert.deepEqual(parseImageOp('gif', q('gf=image/gif'), {}), { kind: 'gif', format: 'gif' });
    refused(() => parseImageOp('gif', q('gf=image/bmp'), {}), 'gf must be image/jpeg, image/png, image/webp or image/gif');
    refused(() => parseImageOp('gif', q('gf=png'), {}), 'gf must be image/jpeg, image/png, image/webp or image/gif');
  });
  it("without a type (absent, empty or true): the bucket's gifType, else JPEG", () => {
    assert.deepEqual(parseImageOp('gif', q(''), {}), { kind: 'gif', format: 'jpeg' });
    assert.deepEqual(parseImageOp('gif', q('gf='), {}), { kind: 'gif', format: 'jpeg' });
    assert.deepEqual(parseImageOp('gif', q('gf=true'), { gifType: 'image/webp' }), { kind: 'gif', format: 'webp' });
    assert.deepEqual(parseImageOp('gif', q('gf='), { gifType: 'image/png' }), { kind: 'gif', format: 'png' });
    assert.deepEqual(parseImageOp('gif', q('gf=true'), { gifType: 'image/bmp' }), { kind: 'gif', format: 'jpeg' });
  });
  it('formatOfMime trims and lowercases, and knows only the four formats', () => {
    assert.equal(formatOfMime(' Image/JPEG '), 'jpeg');
    assert.equal(formatOfMime('image/jpg'), 'jpeg');
    assert.equal(formatOfMime('image/png'), 'png');
    assert.equal(formatOfMime('image/gif'), 'gif');
    assert.equal(formatOfMime('image/webp'), 'webp');
    assert.equal(formatOfMime('image/tiff'), undefined);
    assert.equal(formatOfMime('jpeg'), undefined);
    assert.equal(formatOfMime(''), undefined);
  });
});

describe('imageOpKey', () => {
  it('is one canonical key per operation, as stored in fds_derived.params', () => {
    assert.equal(imageOpKey({ kind: 'thumb', w: 40, h: 40 }), 'thumb:w=40,h=40');
    assert.equal(imageOpKey({ kind: 'thumb', w: 40, h: undefined }), 'thumb:w=40,h=');
    assert.equal(imageOpKey({ kind: 'thumb', w: undefined, h: 7 }), 'thumb:w=,h=7');
    assert.equal(imageOpKey({ kind: 'webp', q: 80 }), 'webp:q=80');
    assert.equal(imageOpKey({ kind: 'gif', format: 'png' }), 'gif:png');
    assert.equal(imageOpKey(parseImageOp('thumb', q('h=40&w=040'), {})), 'thumb:w=40,h=40');
  });
});

describe('cropImage', () => {
  it('takes x and y from 0 (default 0), w and h from 1, all up to 1000000', () => {
    assert.deepEqual(parseCrop(q('cropImage&x=10&y=20&w=50&h=40')), { x: 10, y: 20, w: 50, h: 40 });
    assert.deepEqual(parseCrop(q('cropImage&w=1&h=1')), { x: 0, y: 0, w: 1, h: 1 });
    assert.deepEqual(parseCrop(q('x=0&y=&w=1000000&h=1000000')), { x: 0, y: 0, w: 1_000_000, h: 1_000_000 });
    assert.deepEqual(parseCrop(q('x=1000000&y=1000000&w=1&h=1')), { x: 1_000_000, y: 1_000_000, w: 1, h: 1 });
  });
  it('refuses a missing w or h and values out of range', () => {
    refused(() => parseCrop(q('x=0&y=0&w=5')), 'cropImage needs w and h');
    refused(() => parseCrop(q('x=0&y=0&h=5')), 'cropImage needs w and h');
    refused(() => parseCrop(q('w=0&h=5')), 'w must be an integer from 1 to 1000000');
    refused(() => parseCrop(q('w=5&h=0')), 'h must be an integer from 1 to 1000000');
    refused(() => parseCrop(q('x=1000001&w=5&h=5')), 'x must be an integer from 0 to 1000000');
    refused(() => parseCrop(q('y=-1&w=5&h=5')), 'y must be an integer from 0 to 1000000');
    refused(() => parseCrop(q('w=1000001&h=5')), 'w must be an integer from 1 to 1000000');
    refused(() => parseCrop(q('w=5&h=1000001')), 'h must be an integer from 1 to 1000000');
  });
});
