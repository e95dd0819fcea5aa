// Abuse resistance through the shared cache (so limits hold across nodes).
//
// Every limit here RESERVES an attempt (an atomic cache increment) before the work it guards (a
// password check, a token request) and decides on the reserved count, never on a count read
// earlier: concurrent requests cannot all pass a check that only a later increment would fail.
//
// PasswordThrottle: password guesses (login page and checkPassword) per account and per client
// IP in 15-minute windows. Each key has a free allowance; past it, an attempt goes ahead only if
// it atomically takes the key's gate (setIfAbsent), which then stays closed for 1 s, 2 s, 4 s, …
// (at most 15 min): under any concurrency one attempt per gate opening reaches the password check.
// Attempts refused by a gate are given back, so they do not lengthen the delay. The account key is
// the typed login, normalized (trimmed, lower-cased), whether or not it names a user: one rule for
// known and unknown accounts, so no answer depends on whether an account exists (keying known ones
// by user id let a case variant of a known login reveal it). checkPassword keys on the user id it
// is asked about, in a namespace of its own; second-factor codes key on the user id in a third
// (factorKey), so a wrong code costs the same as a wrong password.
// FailureLimiter: a plain fixed-window cap on failed requests per key (token endpoint), also
// reserved before the work and given back when the request turns out fine.
import { sha256Hex } from '../lib/hash.ts';
import type { Cache } from '../store/cache/cache.ts';

/**
 * A counter per key in fixed windows (`windowMs`, aligned to the epoch) whose increments can be
 * given back: the count is `taken - returned` of the current window. Both halves live under the
 * window's own key, so they expire together and a give-back never leaks into the next window.
 */
export class WindowCounter {
  constructor(
    private readonly cache: () => Cache,
    private readonly prefix: string,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one attempt; returns the count including it and the slot to give it back to. */
  async take(key: string): Promise<{ n: number; slot: string }> {
    const slot = `${this.prefix}:${key}:${Math.floor(this.now() / this.windowMs)}`;
    const [taken, back] = await Promise.all([this.cache().incr(`${slot}:t`, this.windowMs * 2), this.cache().get(`${slot}:r`)]);
    return { n: taken - Number(back ?? 0), slot };
  }

  async giveBack(slot: string): Promise<void> {
    await this.cache().incr(`${slot}:r`, this.windowMs * 2);
  }

  /** Seconds until the current window ends (at least 1). */
  secondsLeft(): number {
    return Math.max(1, Math.ceil((this.windowMs - (this.now() % this.windowMs)) / 1000));
  }
}

export interface PasswordThrottleOptions {
  accountFree: number;
  ipFree: number;
  windowMs: number;
  maxDelaySec: number;
}

export const PASSWORD_THROTTLE_DEFAULTS: PasswordThrottleOptions = { accountFree: 3, ipFree: 20, windowMs: 15 * 60_000, maxDelaySec: 900 };

/** What an admitted attempt holds until its outcome is known. */
export interface PasswordTicket {
  account: string;
  accountSlot: string;
  ipSlot: string;
}

export type Admission = { ok: true; ticket: PasswordTicket } | { ok: false; wait: number };

export class PasswordThrottle {
  private readonly counter: WindowCounter;

  constructor(
    private readonly cache: () => Cache,
    private readonly o: PasswordThrottleOptions = PASSWORD_THROTTLE_DEFAULTS,
    now: () => number = Date.now,
  ) {
    this.counter = new WindowCounter(cache, 'pw:n', o.windowMs, now);
  }

  /** The account key of a login attempt: the typed login, normalized and hashed (known or not). */
  static accountKey(login: string): string {
    return `l:${sha256Hex(login.trim().toLowerCase()).slice(0, 32)}`;
  }

  /** The key of a second-factor attempt (a code or passkey at sign-in, checkPassword, factor removal): the user id. */
  static factorKey(userId: string): string {
    return `f:${userId}`;
  }

  /** The account key of a checkPassword attempt: the user id the flow asks about (known or not). */
  static checkPasswordKey(userId: string): string {
    return `u:${userId}`;
  }

  private gate(dim: string, key: string): string {
    return `pw:gate:${dim}:${key}`;
  }

  private async waitOf(gate: string): Promise<number> {
    return Math.ceil(Math.max(await this.cache().ttl(gate), 0) / 1000);
  }

  /** Reserves one attempt on one key: `slot` when admitted, else the seconds to wait. */
  private async enter(dim: string, key: string, free: number): Promise<{ slot: string } | { wait: number }> {
    const c = this.cache();
    const gate = this.gate(dim, key);
    const closed = await this.waitOf(gate);
    if (closed > 0) return { wait: closed };
    const { n, slot } = await this.counter.take(`${dim}:${key}`);
    if (n <= free) return { slot };
    if (!(await c.setIfAbsent(gate, '1', 1000))) {
      await this.counter.giveBack(slot);
      return { wait: Math.max(1, await this.waitOf(gate)) };
    }
    // This attempt took the gate: keep it closed for the delay this many gated attempts earn.
    const g = await c.incr(`${slot}:g`, this.o.windowMs * 2);
    const delay = Math.min(2 ** (g - 1), this.o.maxDelaySec);
    if (delay > 1) await c.set(gate, '1', delay * 1000);
    return { slot };
  }

  /** Reserves a password attempt for `account` (see accountKey) from `ip`, before checking it. */
  async admit(account: string, ip: string): Promise<Admission> {
    const a = await this.enter('a', account, this.o.accountFree);
    if ('wait' in a) return { ok: false, wait: a.wait };
    const i = await this.enter('i', ip, this.o.ipFree);
    if ('wait' in i) {
      await this.counter.giveBack(a.slot);
      return { ok: false, wait: i.wait };
    }
    return { ok: true, ticket: { account, accountSlot: a.slot, ipSlot: i.slot } };
  }

  /** The password was right: the account starts afresh; the IP gets its attempt back. */
  async succeeded(t: PasswordTicket): Promise<void> {
    const c = this.cache();
    await Promise.all([
      c.del(`${t.accountSlot}:t`),
      c.del(`${t.accountSlot}:r`),
      c.del(`${t.accountSlot}:g`),
      c.del(this.gate('a', t.account)),
      this.counter.giveBack(t.ipSlot),
    ]);
  }
}

export class FailureLimiter {
  private readonly counter: WindowCounter;

  constructor(
    cache: () => Cache,
    prefix: string,
    private readonly limit: number,
    windowMs: number,
    now: () => number = Date.now,
  ) {
    this.counter = new WindowCounter(cache, prefix, windowMs, now);
  }

  /**
   * Reserves one attempt for `key` before the work: `slot` (give it back with `succeeded` when
   * the request turns out fine), or the seconds to wait when `key` has used up its failures.
   */
  async reserve(key: string): Promise<{ slot: string } | { wait: number }> {
    const { n, slot } = await this.counter.take(key);
    if (n <= this.limit) return { slot };
    await this.counter.giveBack(slot);
    return { wait: this.counter.secondsLeft() };
  }

  async succeeded(slot: string): Promise<void> {
    await this.counter.giveBack(slot);
  }
}
