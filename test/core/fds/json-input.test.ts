// JSON request bodies (fds-protocol §13): the shapes of the batch delete, copy and setMetaData
// bodies, and the error a mismatch gives (the code, the body's name, the deepest offending field).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from '@sinclair/typebox/type';
import { FdsError, type FdsErrorCode } from '../../../src/core/fds/errors.ts';
import { bodyShape, CopyObjectBody, checked, DeleteObjectsBody, SetMetaDataBody } from '../../../src/core/fds/json-input.ts';

const refused = (fn: () => unknown, detail: string, code: FdsErrorCode = 'InvalidRequest') =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof FdsError);
    assert.equal(e.code, code);
    assert.equal(e.detail, detail);
    return true;
  });

describe('checked', () => {
  it('returns the value itself when it has the shape', () => {
    const body = { srcBucketName: 'b', srcObjectName: 'o', extra: 1 };
    assert.equal(checked(CopyObjectBody, body), body);
  });

  it('names the body alone for a mismatch at the top, else the field path without its leading slash', () => {
    refused(() => checked(CopyObjectBody, null), 'copy body: Expected object');
    refused(() => checked(CopyObjectBody, { srcBucketName: 'b' }), 'copy body: srcObjectName: Expected required property');
    refused(() => checked(CopyObjectBody, { srcBucketName: 1, srcObjectName: 'o' }), 'copy body: srcBucketName: Expected string');
  });

  it('raises the given code (InvalidRequest by default)', () => {
    refused(
      () => checked(SetMetaDataBody, {}, 'InvalidBucketName'),
      'setMetaData body: rawMeta: Expected required property',
      'InvalidBucketName',
    );
    assert.throws(
      () => checked(SetMetaDataBody, {}),
      (e: unknown) =>
        e instanceof FdsError && e.status === 400 && e.message === 'Invalid Request: setMetaData body: rawMeta: Expected required property',
    );
  });

  it('inside a union, reports the variant that got furthest; the earlier one on a tie; the union itself when none gets past it', () => {
    const shape = bodyShape(
      Type.Object({
        v: Type.Union([Type.Object({ a: Type.Object({ b: Type.String() }) }), Type.Object({ c: Type.Number() }), Type.Null()]),
      }),
      'test body',
    );
    // The first variant gets to v/a/b, the second to v/c, null only to v.
    refused(() => checked(shape, { v: { a: { b: 1 } } }), 'test body: v/a/b: Expected string');
    // Every variant stops at v: the union's own message.
    refused(() => checked(shape, { v: 5 }), 'test body: v: Expected union value');
    // The first two variants both get to depth two (v/a, v/c): the first of them.
    refused(() => checked(shape, { v: { c: 'x' } }), 'test body: v/a: Expected required property');
    // Unions inside unions: the deepest error of the nested variant.
    const nested = bodyShape(
      Type.Union([Type.Array(Type.Union([Type.Object({ x: Type.Object({ y: Type.Literal(1) }) }), Type.Null()])), Type.Null()]),
      'nested',
    );
    refused(() => checked(nested, [null, { x: { y: 2 } }]), 'nested: 1/x/y: Expected 1');
  });
});

describe('the bodies of §5', () => {
  it('batch delete: an array of at most 1000 items of any kind', () => {
    const many = Array.from({ length: 1000 }, (_, i) => (i % 2 ? `o${i}` : null));
    assert.equal(checked(DeleteObjectsBody, many), many);
    assert.deepEqual(checked(DeleteObjectsBody, []), []);
    refused(
      () => checked(DeleteObjectsBody, [...many, 'one more']),
      'batch delete body (at most 1000 names): Expected array length to be less or equal to 1000',
    );
    refused(() => checked(DeleteObjectsBody, { 0: 'a' }), 'batch delete body (at most 1000 names): Expected array');
  });

  it('copy: source bucket and object names as strings', () => {
    refused(() => checked(CopyObjectBody, { srcObjectName: 'o' }), 'copy body: srcBucketName: Expected required property');
    refused(() => checked(CopyObjectBody, { srcBucketName: 'b', srcObjectName: null }), 'copy body: srcObjectName: Expected string');
  });

  it('setMetaData: rawMeta is an object of any values', () => {
    const body = { rawMeta: { 'x-xiaomi-meta-a': 'v', n: 1, o: { deep: true } } };
    assert.equal(checked(SetMetaDataBody, body), body);
    refused(() => checked(SetMetaDataBody, { rawMeta: 'a=b' }), 'setMetaData body: rawMeta: Expected object');
    refused(() => checked(SetMetaDataBody, []), 'setMetaData body: Expected object');
  });
});
