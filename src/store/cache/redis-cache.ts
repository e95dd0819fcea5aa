// Redis-backed cache for scale-out: every node shares counters and nonces, and revocations are
// broadcast with Redis pub/sub. Keys are namespaced by `prefix`.
import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type { ExpiringSet } from '../expiring-set.ts';
import { type Cache, checkPinValue, type Unsubscribe } from './cache.ts';

/**
 * Cache.pin in one round trip: the value pinned already, else the new one set with its expiry.
 * (A script, as SET … NX GET needs Redis 7.)
 */
const PIN_SCRIPT = `local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]`;

/**
 * ioredis, loaded when the first Redis cache is set up: a static import would be hoisted to the
 * top of the bundle (dist/opal.mjs) and loaded by every server, Redis or not.
 */
function redisClass(): typeof Redis {
  return (createRequire(import.meta.url)('ioredis') as typeof import('ioredis')).Redis;
}

export class RedisCache implements Cache {
  private readonly client: Redis;
  private sub: Redis | undefined;
  private readonly handlers = new Map<string, Set<(m: string) => void>>();
  private readonly stateListeners = new Set<(up: boolean) => void>();

  constructor(
    url: string,
    private readonly prefix = 'opal:',
  ) {
    this.client = new (redisClass())(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
    // Connection errors reach the commands that fail (and /readyz); ioredis reconnects by itself.
    // Without a listener it prints "Unhandled error event" for every reconnection attempt.
    this.client.on('error', () => {});
  }

  private k(key: string): string {
    return this.prefix + key;
  }

  async get(key: string): Promise<string | null> {
    return this.client.get(this.k(key));
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.client.set(this.k(key), value, 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  async del(key: string): Promise<void> {
    await this.client.del(this.k(key));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const r = await this.client.set(this.k(key), value, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
    return r === 'OK';
  }

  async spend(key: string, ttlMs: number): Promise<boolean> {
    return this.setIfAbsent(key, '1', ttlMs);
  }

  async pin(key: string, value: number, ttlMs: number): Promise<number> {
    checkPinValue(value);
    const r = await this.client.eval(PIN_SCRIPT, 1, this.k(key), String(value), Math.max(1, Math.ceil(ttlMs)));
    return Number(r);
  }

  async incr(key: string, ttlMs: number, by = 1): Promise<number> {
    // SET … NX creates the counter with its window's expiry only if absent; INCR keeps the expiry.
    // (Works on every Redis since 2.6.12, unlike PEXPIRE … NX, which needs Redis 7.)
    const r = (await this.client
      .multi()
      .set(this.k(key), '0', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')
      .incrby(this.k(key), by)
      .exec()) as Array<[Error | null, unknown]>;
    const [err, n] = r[1] ?? [new Error('no reply')];
    if (err) throw err;
    return Number(n);
  }

  async ttl(key: string): Promise<number> {
    const t = await this.client.pttl(this.k(key));
    return t < 0 ? -1 : t;
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.client.publish(this.k(channel), message);
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<Unsubscribe> {
    if (!this.sub) {
      this.sub = this.client.duplicate();
      this.sub.on('error', () => {});
      this.sub.on('message', (ch: string, msg: string) => {
        for (const h of this.handlers.get(ch) ?? []) h(msg);
      });
      // ioredis reconnects and subscribes again by itself; what was published meanwhile is lost.
      this.sub.on('close', () => this.reportState(false));
      this.sub.on('ready', () => this.reportState(true));
    }
    const ch = this.k(channel);
    let set = this.handlers.get(ch);
    if (!set) {
      set = new Set();
      this.handlers.set(ch, set);
      await this.sub.subscribe(ch);
    }
    set.add(handler);
    return async () => {
      set.delete(handler);
      if (set.size === 0) {
        this.handlers.delete(ch);
        await this.sub?.unsubscribe(ch);
      }
    };
  }

  onPubSubState(listener: (up: boolean) => void): () => void {
    this.stateListeners.add(listener);
    return () => {
      this.stateListeners.delete(listener);
    };
  }

  private reportState(up: boolean): void {
    for (const l of this.stateListeners) l(up);
  }

  /**
   * The expiring set `name` (store/expiring-set.ts): each member's value under a key of its own
   * that expires with it, and a sorted set of the members by expiry time to list them.
   */
  expiringSet(name: string): ExpiringSet {
    const index = this.k(`${name}:members`);
    const entry = (member: string) => this.k(`${name}:member:${member}`);
    return {
      put: async (member, value, ttlMs) => {
        const now = Date.now();
        const ms = Math.max(1, Math.ceil(ttlMs));
        await this.client
          .multi()
          .set(entry(member), value, 'PX', ms)
          .zadd(index, now + ms, member)
          .zremrangebyscore(index, '-inf', now)
          .exec();
      },
      live: async (limit) => {
        const now = Date.now();
        await this.client.zremrangebyscore(index, '-inf', now);
        const members = await this.client.zrangebyscore(index, `(${now}`, '+inf', 'LIMIT', 0, limit);
        if (members.length === 0) return [];
        const values = await this.client.mget(members.map(entry));
        return values.filter((v): v is string => v !== null);
      },
      remove: async (member) => {
        await this.client.multi().del(entry(member)).zrem(index, member).exec();
      },
    };
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async close(): Promise<void> {
    await this.sub?.quit().catch(() => undefined);
    await this.client.quit().catch(() => undefined);
  }
}
