// Single-use keys (spent MAC nonces) for the in-process cache, kept as digests without values in a
// table per minute of expiry (digest-slots.ts): about 16–32 bytes a key, where an entry of the LRU
// map cost several hundred and made the old space grow by ~100 MiB under a stream of unique
// nonces. A key is remembered up to one minute longer than asked (a replay window only gets
// longer). Past the byte budget, the minute expiring soonest goes first (shortening those keys'
// replay windows, as the LRU's eviction did). Two keys sharing a digest (see digest-slots.ts):
// the later one would be refused as already spent.
import { DigestSlots } from './digest-slots.ts';

export class SpentKeys {
  private readonly slots: DigestSlots;

  constructor(maxBytes: number, now: () => number = Date.now) {
    // Spent nonces are many and short-lived (minutes): few slots, each with many keys.
    this.slots = new DigestSlots({ slotMs: 60_000, initialCapacity: 1024, withValues: false, maxBytes, now });
  }

  /** Bytes held by the tables. */
  get heldBytes(): number {
    return this.slots.heldBytes;
  }

  /** Marks `key` spent for at least `ttlMs`; true when this call spent it, false when it already was. */
  spend(key: string, ttlMs: number): boolean {
    return this.slots.addIfAbsent(key, ttlMs) === undefined;
  }

  clear(): void {
    this.slots.clear();
  }
}
