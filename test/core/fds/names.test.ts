// Bucket and object names (fds-protocol §4, §15.8): bucket names of 1–128 of [a-z0-9._-] starting
// with a letter or digit, not reserved (trash and the paths the FDS origin serves itself); object
// names of 1–1024 UTF-8 bytes without NUL.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FdsError } from '../../../src/core/fds/errors.ts';
import { checkBucketName, checkObjectName, RESERVED_BUCKETS, TRASH_BUCKET } from '../../../src/core/fds/names.ts';

const refusedAs = (code: string, message: string) => (e: unknown) =>
  e instanceof FdsError && e.code === code && e.status === 400 && e.message === message;

describe('checkBucketName', () => {
  it('accepts 1 to 128 of [a-z0-9._-], starting with a letter or digit', () => {
    for (const ok of ['a', '0', 'a.b_c-d', `a${'-'.repeat(127)}`, 'trash2', 'my.metrics']) checkBucketName(ok);
  });
  it('refuses reserved names, naming the bucket (cut at 140 characters)', () => {
    assert.equal(TRASH_BUCKET, 'trash');
    assert.deepEqual([...RESERVED_BUCKETS], ['trash', 'healthz', 'readyz', 'metrics', 'openapi.json']);
    for (const name of RESERVED_BUCKETS) {
      assert.throws(() => checkBucketName(name), refusedAs('InvalidBucketName', `Invalid Bucket Name: ${name}`));
    }
    const long = `a${'b'.repeat(200)}`;
    assert.throws(() => checkBucketName(long), refusedAs('InvalidBucketName', `Invalid Bucket Name: ${long.slice(0, 140)}`));
  });
  it('refuses other characters, a leading punctuation mark and 129 characters', () => {
    for (const bad of ['', 'A', 'a/b', 'a b', '.a', '-a', '_a', 'ä', `a${'b'.repeat(128)}`]) {
      assert.throws(
        () => checkBucketName(bad),
        refusedAs('InvalidBucketName', bad === '' ? 'Invalid Bucket Name' : `Invalid Bucket Name: ${bad}`),
        bad,
      );
    }
  });
});

describe('checkObjectName', () => {
  it('accepts 1 to 1024 UTF-8 bytes, any characters but NUL', () => {
    for (const ok of ['a', 'dir/中文 测试?.txt', '/', 'x'.repeat(1024), '中'.repeat(341)]) checkObjectName(ok);
  });
  it('refuses an empty name, more than 1024 bytes (counted in UTF-8) and NUL', () => {
    for (const bad of ['', 'x'.repeat(1025), '中'.repeat(342), 'a\0b', '\0']) {
      assert.throws(() => checkObjectName(bad), refusedAs('InvalidObjectName', 'Invalid Object Name'), bad.slice(0, 10));
    }
  });
});
