// Pinned small integers (a MAC token's clock offset) for the in-process cache, kept as digests
// with a one-byte value in a table per hour of expiry (digest-slots.ts). A pin lives as long as
// its token (days to months), so the slots are coarse (an hour: at most ~2,200 tables for 90-day
// tokens) and a new table is small (16 places), so that many sparse slots cost little; a pin is
// kept up to an hour longer than asked. About 18–36 bytes a pin, where an LRU entry cost several
// hundred. Past the byte budget, the hour expiring soonest goes first: its tokens' next verified
// requests pin their offsets again (as after the LRU's eviction).
import { checkPinValue } from './cache.ts';
import { DigestSlots } from './digest-slots.ts';

export const PIN_SLOT_MS = 3_600_000;

export class PinnedValues {
  private readonly slots: DigestSlots;

  constructor(maxBytes: number, now: () => number = Date.now) {
    this.slots = new DigestSlots({ slotMs: PIN_SLOT_MS, initialCapacity: 16, withValues: true, maxBytes, now });
  }

  /** Bytes held by the tables. */
  get heldBytes(): number {
    return this.slots.heldBytes;
  }

  /** Tables held (one per hour of expiry in use). */
  get tableCount(): number {
    return this.slots.tableCount;
  }

  /** Pins `key` to `value` for at least `ttlMs` unless it is pinned already; returns the value pinned. */
  pin(key: string, value: number, ttlMs: number): number {
    checkPinValue(value);
    return this.slots.addIfAbsent(key, ttlMs, value) ?? value;
  }

  clear(): void {
    this.slots.clear();
  }
}
