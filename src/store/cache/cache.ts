// The shared cache: nonce replay windows, rate-limit counters, token look-ups, and a broadcast
// channel so that every node drops a revoked token from its local cache at once.

export type Unsubscribe = () => Promise<void>;

export interface Cache {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  del(key: string): Promise<void>;
  /** Stores the key only if absent; true when this call stored it (nonce replay check). */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Marks a single-use key (a MAC nonce) spent for at least `ttlMs` (it may be remembered up to a
   * minute longer); true when this call spent it, false when it was spent already. Unlike
   * setIfAbsent, the key has no value to read back, so the memory cache keeps only a digest.
   */
  spend(key: string, ttlMs: number): Promise<boolean>;
  /**
   * Pins `key` to `value`, an integer from -128 to 127 (a MAC token's clock offset), for at least
   * `ttlMs` unless it is pinned already, and returns the value now pinned (this call's or the
   * earlier one's). A key only ever pinned, never read with get(): the memory cache keeps a digest
   * and a byte.
   */
  pin(key: string, value: number, ttlMs: number): Promise<number>;
  /** Adds `by` (default 1) to a counter; the first increment starts its `ttlMs` window. Returns the new count. */
  incr(key: string, ttlMs: number, by?: number): Promise<number>;
  /** Milliseconds until the key expires, or -1 if absent. */
  ttl(key: string): Promise<number>;
  /** Sends `message` to every subscriber of `channel` on every node (this one included). */
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, handler: (message: string) => void): Promise<Unsubscribe>;
  /**
   * Reports whether published messages reach this node: false when the pub/sub connection drops
   * (messages sent meanwhile are lost), true once it is subscribed again. Absent when messages
   * cannot be lost (in-process cache). Returns a function that stops the reports.
   */
  onPubSubState?(listener: (up: boolean) => void): () => void;
  close(): Promise<void>;
}

/** Throws unless `value` can be pinned (Cache.pin). */
export function checkPinValue(value: number): void {
  if (!Number.isInteger(value) || value < -128 || value > 127) throw new RangeError(`cannot pin ${value}: not an integer from -128 to 127`);
}
