// In-process cache for the embedded mode: a Map with expiry times and an in-process broadcast.
import { EventEmitter } from 'node:events';
import type { Cache, Unsubscribe } from './cache.ts';

interface Entry {
  value: string;
  expiresAt: number;
}

export class MemoryCache implements Cache {
  private readonly map = new Map<string, Entry>();
  private readonly bus = new EventEmitter();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
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
    for (const [k, e] of this.map) if (e.expiresAt <= t) this.map.delete(k);
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
  }
}
