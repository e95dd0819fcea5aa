import type { Cache } from './cache.ts';
import { MemoryCache } from './memory-cache.ts';

/** Opens the Redis cache for a redis:// URL, else the in-process memory cache. */
export async function openCache(redisUrl: string | undefined, prefix?: string): Promise<Cache> {
  if (!redisUrl) return new MemoryCache();
  // Loaded only when used, to keep the embedded start-up fast.
  const { RedisCache } = await import('./redis-cache.ts');
  return new RedisCache(redisUrl, prefix);
}
