// Bucket quotas enforced (core/fds/quota.ts): QPS and Throughput per action, counted in the shared
// cache (Redis in scale-out, so every node counts together) in fixed one-second windows. A request
// over a QPS quota, or arriving when its action's byte budget for the second is used up, is 429
// TooManyRequests (Java retries on 429). Uploads are charged their Content-Length up front,
// downloads the length they are about to send. Charged once per request, when its bucket is
// first read (access.ts requireBucket). A cache that cannot be reached does not block requests.
import { FdsError } from '../../core/fds/errors.ts';
import { actionOf, limitOf, parseQuotaPolicy, type QuotaPolicy } from '../../core/fds/quota.ts';
import type { Bucket } from '../../store/db/fds/repos.ts';
import type { FdsCall } from './call.ts';

const charged = new WeakSet<FdsCall>();

function policyOf(b: Bucket): QuotaPolicy | undefined {
  const body = b.configs.quota?.body;
  if (body === undefined) return undefined;
  try {
    return parseQuotaPolicy(body);
  } catch {
    return undefined;
  }
}

async function count(c: FdsCall, key: string, by: number): Promise<number | undefined> {
  const window = Math.floor(c.env.now() / 1000);
  return c.env.ctx.cache.incr(`fdsq:${key}:${window}`, 2000, by).catch(() => undefined);
}

/** Counts the request against its bucket's QPS quota and charges an upload's bytes. */
export async function enforceQuota(c: FdsCall, b: Bucket): Promise<void> {
  if (charged.has(c)) return;
  charged.add(c);
  const policy = policyOf(b);
  if (!policy) return;
  const action = actionOf(c.op.op);
  const qps = limitOf(policy, 'QPS', action);
  if (qps !== undefined) {
    const n = await count(c, `${b.name}:${action}:q`, 1);
    if (n !== undefined && n > qps) throw new FdsError('TooManyRequests', `the ${action} QPS quota of bucket ${b.name} is ${qps}`);
  }
  const length = Number(c.header('content-length') ?? 0);
  if (Number.isSafeInteger(length) && length > 0) await chargeBytes(c, b, length, policy);
}

/** Charges bytes against the action's Throughput quota; refused when the second's budget was already used up. */
export async function chargeBytes(c: FdsCall, b: Bucket, bytes: number, policy = policyOf(b)): Promise<void> {
  if (!policy) return;
  const action = actionOf(c.op.op);
  const limit = limitOf(policy, 'Throughput', action);
  if (limit === undefined) return;
  const n = await count(c, `${b.name}:${action}:t`, bytes);
  if (n !== undefined && n - bytes >= limit)
    throw new FdsError('TooManyRequests', `the ${action} throughput quota of bucket ${b.name} is ${limit} bytes/s`);
}
