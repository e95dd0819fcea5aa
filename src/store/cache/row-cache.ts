// A node-local cache of records by id for the hot paths (apps and their secret hashes, users of
// the open APIs): an InvalidatingCache over the shared cache's pub/sub, so that a change made
// through any node's services drops the entry on every node at once. The shared cache is opened
// lazily; in a context without one (CLI data commands) every read goes to the store. Only found
// records are cached (a record created elsewhere is seen at once). Entries also expire after
// `ttlMs`, which bounds how long a change made where no broadcast reaches (another process on the
// embedded store, e.g. the `opal` CLI beside a running server) can go unseen.
import type { Cache } from './cache.ts';
import { InvalidatingCache } from './invalidating-cache.ts';

export interface RowCacheOptions {
  /** The shared cache; throws when the context has none. */
  cache: () => Cache;
  channel: string;
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}

export class RowCache<T> {
  private entries: InvalidatingCache<T> | undefined;
  private started: Promise<void> | undefined;

  constructor(private readonly o: RowCacheOptions) {}

  private async open(): Promise<InvalidatingCache<T> | undefined> {
    if (!this.entries) {
      let shared: Cache;
      try {
        shared = this.o.cache();
      } catch {
        return undefined;
      }
      this.entries = new InvalidatingCache<T>(shared, this.o.channel, this.o.ttlMs, this.o.maxEntries, this.o.now);
    }
    this.started ??= this.entries.start();
    await this.started;
    return this.entries;
  }

  /** The cached record for `id`, else `load()`'s (cached when found and no invalidation raced it). */
  async get(id: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const c = await this.open();
    const hit = c?.get(id);
    if (hit !== undefined) return hit;
    const since = c?.generation();
    const v = await load();
    if (v !== undefined) c?.set(id, v, since);
    return v;
  }

  /** Drops `id` here and on every node; call after the store write has committed. */
  async invalidate(id: string): Promise<void> {
    await (await this.open())?.invalidate(id);
  }
}
