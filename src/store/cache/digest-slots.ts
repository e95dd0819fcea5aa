// Keys kept compactly by the in-process cache (spent-keys.ts, pinned-values.ts): each key as a
// 64-bit digest (SHA-256 of a per-process random secret and the key), optionally with a small
// integer value (one byte), in an open-addressing table of its expiry slot. A key costs 8 bytes
// (9 with a value) per table place at a load of a quarter to a half, plus each table's fixed
// overhead; an entry of the LRU map cost several hundred bytes (key string, entry object, map and
// list slots). A slot's table is dropped whole once its slot is over, so a key is remembered up to
// one slot longer than asked. Bounded by a byte budget (tables and their overhead): past it, the
// slot expiring soonest goes first, and a slot alone over the budget starts again with only the
// key just added.
// Two distinct keys share a digest with a probability of about n² / 2⁶⁵, and the secret keeps
// anyone from choosing keys that do: the later one would be taken for the earlier.
import { hash, randomBytes } from 'node:crypto';

/** Bytes a table is counted as beyond its places: its objects, buffer and slot map entry. */
const TABLE_OVERHEAD = 256;

/** One slot's keys: digests as pairs of 32-bit words in linear probing order ([0, 0] meaning empty), and their values. */
class DigestTable {
  words: Uint32Array;
  values: Int8Array | undefined;
  size = 0;

  constructor(
    capacity: number,
    private readonly withValues: boolean,
  ) {
    // One buffer for both arrays: the digests, then a byte per place for the values.
    const buf = new ArrayBuffer(capacity * (withValues ? 9 : 8));
    this.words = new Uint32Array(buf, 0, capacity * 2);
    this.values = withValues ? new Int8Array(buf, capacity * 8, capacity) : undefined;
  }

  get bytes(): number {
    return this.words.buffer.byteLength + TABLE_OVERHEAD;
  }

  /** The place holding the digest, or -1. */
  find(lo: number, hi: number): number {
    const w = this.words;
    const mask = w.length / 2 - 1;
    for (let i = lo & mask; ; i = (i + 1) & mask) {
      const a = w[2 * i] as number;
      const b = w[2 * i + 1] as number;
      if (a === lo && b === hi) return i;
      if (a === 0 && b === 0) return -1;
    }
  }

  value(place: number): number {
    return this.values ? (this.values[place] as number) : 0;
  }

  /** Adds a digest known to be absent (the caller grows the table first when it is half full). */
  add(lo: number, hi: number, value: number): void {
    const w = this.words;
    const mask = w.length / 2 - 1;
    let i = lo & mask;
    while (w[2 * i] !== 0 || w[2 * i + 1] !== 0) i = (i + 1) & mask;
    w[2 * i] = lo;
    w[2 * i + 1] = hi;
    if (this.values) this.values[i] = value;
    this.size++;
  }

  get full(): boolean {
    return this.size * 2 >= this.words.length / 2;
  }

  /** A table of twice the capacity holding the same keys. */
  grown(): DigestTable {
    const t = new DigestTable(this.words.length, this.withValues);
    const w = this.words;
    for (let i = 0; i < w.length / 2; i++) {
      const lo = w[2 * i] as number;
      const hi = w[2 * i + 1] as number;
      if (lo !== 0 || hi !== 0) t.add(lo, hi, this.value(i));
    }
    return t;
  }
}

export interface DigestSlotsOptions {
  /** Length of an expiry slot: a key is kept up to this much longer than asked. */
  slotMs: number;
  /** Places of a new table (a power of two): small when slots are many and sparse. */
  initialCapacity: number;
  /** Whether keys carry a value (an integer from -128 to 127). */
  withValues: boolean;
  maxBytes: number;
  now?: () => number;
}

export class DigestSlots {
  /** Tables by the slot their keys expire in, in insertion order (not necessarily expiry order). */
  private readonly slots = new Map<number, DigestTable>();
  private readonly secret = randomBytes(32).toString('hex');
  private readonly now: () => number;
  private bytes = 0;
  /** No slot is over before this time (so most calls need not look at every slot). */
  private nextExpiry = Number.POSITIVE_INFINITY;

  constructor(private readonly o: DigestSlotsOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Bytes the tables are counted as. */
  get heldBytes(): number {
    return this.bytes;
  }

  /** Tables held. */
  get tableCount(): number {
    return this.slots.size;
  }

  /**
   * Keeps `key` with `value` for at least `ttlMs` unless it is kept already. Returns the value it
   * is kept with already, or undefined when this call added it.
   */
  addIfAbsent(key: string, ttlMs: number, value = 0): number | undefined {
    const t = this.now();
    this.dropExpired(t);
    const d = hash('sha256', this.secret + key, 'buffer');
    let lo = d.readUInt32LE(0);
    const hi = d.readUInt32LE(4);
    if (lo === 0 && hi === 0) lo = 1;
    const slot = Math.ceil((t + Math.max(ttlMs, 1)) / this.o.slotMs);
    // A key asked for with the same expiry as before is in its own slot: look there first.
    let table = this.slots.get(slot);
    const place = table ? table.find(lo, hi) : -1;
    if (table && place >= 0) return table.value(place);
    for (const [s, other] of this.slots) {
      if (s === slot) continue;
      const p = other.find(lo, hi);
      if (p >= 0) return other.value(p);
    }
    if (!table) {
      table = new DigestTable(this.o.initialCapacity, this.o.withValues);
      this.put(slot, table);
      this.nextExpiry = Math.min(this.nextExpiry, slot * this.o.slotMs);
    }
    if (table.full) {
      table = table.grown();
      this.put(slot, table);
    }
    table.add(lo, hi, value);
    this.evictOverBudget(slot, lo, hi, value);
    return undefined;
  }

  clear(): void {
    this.slots.clear();
    this.bytes = 0;
    this.nextExpiry = Number.POSITIVE_INFINITY;
  }

  /** Sets (or replaces) a slot's table, keeping the byte count. */
  private put(slot: number, table: DigestTable): void {
    const old = this.slots.get(slot);
    if (old) this.bytes -= old.bytes;
    this.slots.set(slot, table);
    this.bytes += table.bytes;
  }

  private dropExpired(t: number): void {
    if (t < this.nextExpiry) return;
    let next = Number.POSITIVE_INFINITY;
    for (const [slot, table] of this.slots) {
      const end = slot * this.o.slotMs;
      if (end > t) {
        next = Math.min(next, end);
        continue;
      }
      this.slots.delete(slot);
      this.bytes -= table.bytes;
    }
    this.nextExpiry = next;
  }

  /**
   * Drops the slots expiring soonest until the tables fit the budget; the slot just written goes
   * last, and if it alone is over the budget it starts again with only the key just added.
   */
  private evictOverBudget(keep: number, lo: number, hi: number, value: number): void {
    while (this.bytes > this.o.maxBytes) {
      let soonest: number | undefined;
      for (const slot of this.slots.keys()) if (slot !== keep && (soonest === undefined || slot < soonest)) soonest = slot;
      if (soonest === undefined) {
        const fresh = new DigestTable(this.o.initialCapacity, this.o.withValues);
        fresh.add(lo, hi, value);
        this.slots.clear();
        this.bytes = 0;
        this.put(keep, fresh);
        return;
      }
      this.bytes -= (this.slots.get(soonest) as DigestTable).bytes;
      this.slots.delete(soonest);
    }
  }
}
