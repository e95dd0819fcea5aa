import type { Cache } from './cache.ts';
import { MemoryCache } from './memory-cache.ts';

/** Opens the Redis cache for a redis:// URL, else the in-process memory cache of `memoryBytes` at most. */
export async function openCache(redisUrl: string | undefined, prefix?: string, memoryBytes?: number): Promise<Cache> {
  if (!redisUrl) return new MemoryCache(Date.now, memoryBytes);
  // Loaded only when used, to keep the embedded start-up fast.
  const { RedisCache } = await import('./redis-cache.ts');
  return new RedisCache(redisUrl, prefix);
}
