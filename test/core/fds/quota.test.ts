// Bucket quotas (fds-protocol §9, §13 QuotaPolicy): `{"quotas":[{"type":"QPS"|"Throughput",
// "action":<letters>,"value":<long ≥ 0>}]}` (at most 64), refused as InvalidRequest naming the
// field; action names are operation names with a capital first letter; the smallest limit wins.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FdsError } from '../../../src/core/fds/errors.ts';
import { actionOf, limitOf, parseQuotaPolicy } from '../../../src/core/fds/quota.ts';

const refused = (body: unknown, field: string) =>
  assert.throws(
    () => parseQuotaPolicy(body),
    (e: unknown) => e instanceof FdsError && e.code === 'InvalidRequest' && e.message.startsWith(`Invalid Request: quota body: ${field}`),
    JSON.stringify(body),
  );
const quota = (q: Record<string, unknown>) => ({ quotas: [{ type: 'QPS', action: 'GetObject', value: 1, ...q }] });

describe('parseQuotaPolicy', () => {
  it('accepts QPS and Throughput quotas, values from 0 to 2^53−1, up to 64 of them, and none', () => {
    const policy = {
      quotas: [
        { type: 'QPS', action: 'ListObjects', value: 1000 },
        { type: 'Throughput', action: 'GetObject', value: 0 },
        { type: 'QPS', action: 'a'.repeat(64), value: Number.MAX_SAFE_INTEGER },
      ],
    };
    assert.deepEqual(parseQuotaPolicy(policy), policy);
    assert.deepEqual(parseQuotaPolicy({ quotas: [] }), { quotas: [] });
    assert.equal(parseQuotaPolicy({ quotas: Array(64).fill({ type: 'QPS', action: 'A', value: 1 }) }).quotas.length, 64);
  });
  it('refuses another shape, naming the field', () => {
    refused(quota({ value: -1 }), 'quotas/0/value:');
    refused(quota({ value: 1.5 }), 'quotas/0/value:');
    refused(quota({ value: Number.MAX_SAFE_INTEGER + 2 }), 'quotas/0/value:');
    refused(quota({ value: '1' }), 'quotas/0/value:');
    refused(quota({ type: 'Bytes' }), 'quotas/0/type:');
    refused(quota({ type: 'qps' }), 'quotas/0/type:');
    refused(quota({ action: '' }), 'quotas/0/action:');
    refused(quota({ action: 'Get-Object' }), 'quotas/0/action:');
    refused(quota({ action: 'a'.repeat(65) }), 'quotas/0/action:');
    refused({ quotas: Array(65).fill({ type: 'QPS', action: 'A', value: 1 }) }, 'quotas:');
    refused({}, 'quotas:');
    refused([], 'Expected object');
    refused(null, 'Expected object');
  });
});

describe('actionOf', () => {
  it('capitalises the first letter of an operation name', () => {
    assert.equal(actionOf('getObject'), 'GetObject');
    assert.equal(actionOf('listObjects'), 'ListObjects');
    assert.equal(actionOf('ImageProcess'), 'ImageProcess');
    assert.equal(actionOf(''), '');
  });
});

describe('limitOf', () => {
  const policy = parseQuotaPolicy({
    quotas: [
      { type: 'QPS', action: 'GetObject', value: 10 },
      { type: 'QPS', action: 'GetObject', value: 5 },
      { type: 'QPS', action: 'GetObject', value: 7 },
      { type: 'Throughput', action: 'GetObject', value: 1 },
      { type: 'QPS', action: 'PutObject', value: 0 },
      { type: 'QPS', action: 'PutObject', value: 3 },
    ],
  });
  it('is the smallest limit of that type for that action', () => {
    assert.equal(limitOf(policy, 'QPS', 'GetObject'), 5);
    assert.equal(limitOf(policy, 'Throughput', 'GetObject'), 1);
    assert.equal(limitOf(policy, 'QPS', 'PutObject'), 0);
  });
  it('is undefined without a quota of that type and action (names are case-sensitive)', () => {
    assert.equal(limitOf(policy, 'Throughput', 'PutObject'), undefined);
    assert.equal(limitOf(policy, 'QPS', 'getObject'), undefined);
    assert.equal(limitOf({ quotas: [] }, 'QPS', 'GetObject'), undefined);
  });
});
