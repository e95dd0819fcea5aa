// In-process cache for the embedded mode: entries with expiry times in an LRU map, spent single-use
// keys (MAC nonces, spent-keys.ts) and pinned small integers (MAC clock offsets, pinned-values.ts)
// in compact digest tables, all within a byte budget (OPAL_MEMORY_CACHE_MB: a quarter for the
// spent keys, an eighth for the pins, the rest for the entries), and an in-process broadcast.
// Nothing anonymous callers can add (checkPassword flows, rate-limit counters, MAC nonces) grows
// memory past the budget: past it the least recently used entries (the spent keys and pins
// expiring soonest) go first. A budget too small for the traffic therefore shortens replay windows
// and rate-limit memory; size it above the working set (docs/security.md), or use Redis, whose own
// maxmemory applies.
import { EventEmitter } from 'node:events';
import { LRUCache } from 'lru-cache';
import type { Cache, Unsubscribe } from './cache.ts';
import { PinnedValues } from './pinned-values.ts';
import { SpentKeys } from './spent-keys.ts';

interface Entry {
  value: string;
  expiresAt: number;
}

/** Default byte budget of the in-process cache. */
export const DEFAULT_MEMORY_CACHE_BYTES = 64 * 1024 * 1024;
/** Bytes counted per entry beyond its key and value (UTF-16 characters, 2 bytes each). */
const ENTRY_OVERHEAD = 96;

/** What an entry is counted as against the budget. */
export function entryBytes(key: string, value: string): number {
  return ENTRY_OVERHEAD + 2 * (key.length + value.length);
}

export class MemoryCache implements Cache {
  private readonly map: LRUCache<string, Entry>;
  private readonly spent: SpentKeys;
  private readonly pins: PinnedValues;
  private readonly bus = new EventEmitter();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly now: () => number = Date.now,
    maxBytes: number = DEFAULT_MEMORY_CACHE_BYTES,
  ) {
    const spentBytes = Math.floor(maxBytes / 4);
    const pinBytes = Math.floor(maxBytes / 8);
    this.spent = new SpentKeys(spentBytes, now);
    this.pins = new PinnedValues(pinBytes, now);
    this.map = new LRUCache<string, Entry>({
      maxSize: maxBytes - spentBytes - pinBytes,
      sizeCalculation: (e, k) => entryBytes(k, e.value),
    });
    this.bus.setMaxListeners(0);
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  private live(key: string): Entry | undefined {
    const e = this.map.get(key);
    if (e && e.expiresAt <= this.now()) {
      this.map.delete(key);
      return undefined;
    }
    return e;
  }

  private sweep(): void {
    const t = this.now();
    for (const [k, e] of this.map.entries()) if (e.expiresAt <= t) this.map.delete(k);
  }

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.map.set(key, { value, expiresAt: this.now() + ttlMs });
  }

  async del(key: string): Promise<void> {
    this.map.delete(key);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.live(key)) return false;
    this.map.set(key, { value, expiresAt: this.now() + ttlMs });
    return true;
  }

  async spend(key: string, ttlMs: number): Promise<boolean> {
    return this.spent.spend(key, ttlMs);
  }

  async pin(key: string, value: number, ttlMs: number): Promise<number> {
    return this.pins.pin(key, value, ttlMs);
  }

  async incr(key: string, ttlMs: number, by = 1): Promise<number> {
    const e = this.live(key);
    const n = (e ? Number(e.value) : 0) + by;
    this.map.set(key, { value: String(n), expiresAt: e ? e.expiresAt : this.now() + ttlMs });
    return n;
  }

  async ttl(key: string): Promise<number> {
    const e = this.live(key);
    return e ? e.expiresAt - this.now() : -1;
  }

  async publish(channel: string, message: string): Promise<void> {
    this.bus.emit(channel, message);
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<Unsubscribe> {
    this.bus.on(channel, handler);
    return async () => {
      this.bus.off(channel, handler);
    };
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.bus.removeAllListeners();
    this.map.clear();
    this.spent.clear();
    this.pins.clear();
  }
}
