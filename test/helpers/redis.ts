// Redis for tests: every test (or group of processes that must share state) gets a key prefix of
// its own, never the production `opal:`, and removes its keys when it is done, so a run leaves
// nothing behind in the shared Redis and no test sees another's counters.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** A fresh key prefix for one test's keys. */
export function redisTestPrefix(): string {
  return `opal-test-${process.pid}-${randomBytes(4).toString('hex')}:`;
}

/** Deletes every key under `prefix` on `url`; returns how many were deleted. */
export async function removeRedisKeys(url: string, prefix: string): Promise<number> {
  if (!/^opal-test-[\w-]+:$/.test(prefix)) throw new Error(`not a test prefix: ${prefix}`);
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  let removed = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) removed += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return removed;
}
