// A node-local look-up cache (token → record) whose entries are dropped on every node when any
// node calls invalidate(): the key is broadcast through the shared cache's pub/sub channel. While
// that channel is down, invalidations could be missed, so the cache empties itself and stays
// empty (every look-up goes to the store) until it is subscribed again.
// A look-up that raced an invalidation must not be cached: take generation() before reading the
// store and pass it to set(), which drops the value if any invalidation arrived meanwhile.
// Entries are held in an LRU of at most `maxEntries` (records of a bounded size, e.g. tokens), and
// expired ones are swept out at most once per `ttlMs` (on a set): a look-up cache of single-use
// keys, such as fresh access tokens, would otherwise keep every entry until the LRU is full (a
// soak grew the heap by ~40 MiB in ten minutes that way).
import { LRUCache } from 'lru-cache';
import type { Cache, Unsubscribe } from './cache.ts';

/** The started caches of this process (dropLocalEntries). */
const started = new Set<WeakRef<{ dropAll(): void }>>();

/**
 * Drops every entry of every cache of this process, and keeps look-ups in progress from caching
 * what they read: for when reads may have seen writes that were then lost (the embedded store's
 * lost batch, store/db/sqlite-driver.ts).
 */
export function dropLocalEntries(): void {
  for (const ref of started) {
    const c = ref.deref();
    if (c) c.dropAll();
    else started.delete(ref);
  }
}

export class InvalidatingCache<T> {
  private readonly entries: LRUCache<string, { value: T; expiresAt: number }>;
  private unsubscribe: Unsubscribe | undefined;
  private stopStateReports: (() => void) | undefined;
  /** False while invalidations may be missed. */
  private live = true;
  /** Counts invalidations seen here (local or broadcast) and pub/sub state changes. */
  private gen = 0;
  /** When set() next sweeps out expired entries. */
  private nextSweep = 0;
  /** Its place in `started`. */
  private registered: WeakRef<{ dropAll(): void }> | undefined;

  constructor(
    private readonly cache: Cache,
    private readonly channel: string,
    private readonly ttlMs = 30_000,
    maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  /** Subscribes to invalidations; call once before use. */
  async start(): Promise<void> {
    if (!this.registered) {
      for (const ref of started) if (!ref.deref()) started.delete(ref);
      this.registered = new WeakRef(this);
      started.add(this.registered);
    }
    this.stopStateReports ??= this.cache.onPubSubState?.((up) => {
      this.live = up;
      this.gen++;
      this.entries.clear();
    });
    this.unsubscribe ??= await this.cache.subscribe(this.channel, (key) => {
      this.gen++;
      if (key === '*') this.entries.clear();
      else this.entries.delete(key);
    });
  }

  /** The current invalidation generation: take it before a store read whose result you will set(). */
  generation(): number {
    return this.gen;
  }

  get(key: string): T | undefined {
    if (!this.live) return undefined;
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  /** Caches `value` unless an invalidation arrived since `since` (a generation() taken before the read). */
  set(key: string, value: T, since: number = this.gen): void {
    if (!this.live || since !== this.gen) return;
    const now = this.now();
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
    if (now >= this.nextSweep) {
      this.nextSweep = now + this.ttlMs;
      this.sweep(now);
    }
  }

  /** Entries held (expired ones not yet swept included). */
  get size(): number {
    return this.entries.size;
  }

  private sweep(now: number): void {
    const expired: string[] = [];
    for (const [k, e] of this.entries.entries()) if (e.expiresAt <= now) expired.push(k);
    for (const k of expired) this.entries.delete(k);
  }

  /** Drops every entry here (not on other nodes), and whatever look-up is in progress. */
  dropAll(): void {
    this.gen++;
    this.entries.clear();
  }

  /** Drops `key` here and on every other node; '*' drops everything. */
  async invalidate(key: string): Promise<void> {
    this.gen++;
    this.entries.delete(key);
    await this.cache.publish(this.channel, key);
  }

  async stop(): Promise<void> {
    if (this.registered) started.delete(this.registered);
    this.registered = undefined;
    this.stopStateReports?.();
    this.stopStateReports = undefined;
    await this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.entries.clear();
  }
}
