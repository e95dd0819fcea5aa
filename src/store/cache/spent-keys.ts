// Single-use keys (spent MAC nonces) for the in-process cache, kept compactly. Each key is kept
// as a 64-bit digest (SHA-256 of a per-process random secret and the key) in an open-addressing
// table of its expiry slot, one table per minute of expiry: about 16–32 bytes a key, where an
// entry of the LRU map cost several hundred (key string, entry object, map and list slots) and
// made the old space grow by ~100 MiB under a stream of unique nonces. A slot's table is dropped
// whole once its minute is over, so a key is remembered up to one minute longer than asked (a
// replay window only gets longer). Bounded by a byte budget: past it, the slot expiring soonest
// goes first (shortening those keys' replay windows, as the LRU's eviction did).
// Two distinct keys share a digest with a probability of about n² / 2⁶⁵, and the secret keeps
// anyone from choosing keys that do: the later one would be refused as already spent.
import { createHash, randomBytes } from 'node:crypto';

const SLOT_MS = 60_000;
const INITIAL_CAPACITY = 1024; // keys per table before its first growth (a power of two)

/** One slot's keys: pairs of 32-bit words in linear probing order, [0, 0] meaning empty. */
class DigestTable {
  words = new Uint32Array(INITIAL_CAPACITY * 2);
  size = 0;

  get bytes(): number {
    return this.words.byteLength;
  }

  has(lo: number, hi: number): boolean {
    const w = this.words;
    const mask = w.length / 2 - 1;
    for (let i = lo & mask; ; i = (i + 1) & mask) {
      const a = w[2 * i] as number;
      const b = w[2 * i + 1] as number;
      if (a === lo && b === hi) return true;
      if (a === 0 && b === 0) return false;
    }
  }

  /** Adds a digest known to be absent (the caller grows the table first when it is half full). */
  add(lo: number, hi: number): void {
    const w = this.words;
    const mask = w.length / 2 - 1;
    let i = lo & mask;
    while (w[2 * i] !== 0 || w[2 * i + 1] !== 0) i = (i + 1) & mask;
    w[2 * i] = lo;
    w[2 * i + 1] = hi;
    this.size++;
  }

  get full(): boolean {
    return this.size * 2 >= this.words.length / 2;
  }

  /** Doubles the table (re-adding every digest). */
  grow(): void {
    const old = this.words;
    this.words = new Uint32Array(old.length * 2);
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) {
      const lo = old[i] as number;
      const hi = old[i + 1] as number;
      if (lo !== 0 || hi !== 0) this.add(lo, hi);
    }
  }
}

export class SpentKeys {
  /** Tables by the minute their keys expire, in insertion order (not necessarily expiry order). */
  private readonly slots = new Map<number, DigestTable>();
  private readonly secret = randomBytes(32);
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Bytes held by the tables. */
  get heldBytes(): number {
    return this.bytes;
  }

  /** Marks `key` spent for at least `ttlMs`; true when this call spent it, false when it already was. */
  spend(key: string, ttlMs: number): boolean {
    const t = this.now();
    this.dropExpired(t);
    const d = createHash('sha256').update(this.secret).update(key).digest();
    let lo = d.readUInt32LE(0);
    const hi = d.readUInt32LE(4);
    if (lo === 0 && hi === 0) lo = 1;
    for (const table of this.slots.values()) if (table.has(lo, hi)) return false;
    const slot = Math.ceil((t + Math.max(ttlMs, 1)) / SLOT_MS);
    let table = this.slots.get(slot);
    if (!table) {
      table = new DigestTable();
      this.slots.set(slot, table);
      this.bytes += table.bytes;
    }
    if (table.full) {
      this.bytes -= table.bytes;
      table.grow();
      this.bytes += table.bytes;
    }
    table.add(lo, hi);
    this.evictOverBudget(slot, lo, hi);
    return true;
  }

  clear(): void {
    this.slots.clear();
    this.bytes = 0;
  }

  private dropExpired(t: number): void {
    for (const [slot, table] of this.slots) {
      if (slot * SLOT_MS > t) continue;
      this.slots.delete(slot);
      this.bytes -= table.bytes;
    }
  }

  /**
   * Drops the slots expiring soonest until the tables fit the budget; the slot just written goes
   * last, and if it alone is over the budget it starts again with only the key just added.
   */
  private evictOverBudget(keep: number, lo: number, hi: number): void {
    while (this.bytes > this.maxBytes) {
      let soonest: number | undefined;
      for (const slot of this.slots.keys()) if (slot !== keep && (soonest === undefined || slot < soonest)) soonest = slot;
      if (soonest === undefined) {
        const fresh = new DigestTable();
        fresh.add(lo, hi);
        this.bytes = fresh.bytes;
        this.slots.set(keep, fresh);
        return;
      }
      this.bytes -= (this.slots.get(soonest) as DigestTable).bytes;
      this.slots.delete(soonest);
    }
  }
}
