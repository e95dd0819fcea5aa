// Abuse resistance through the shared cache (so limits hold across nodes).
//
// LoginThrottle: failures are counted per account (hashed) and per IP in a 15-minute window; past
// a free allowance every further failure blocks that key for a growing delay (1 s, 2 s, 4 s, …,
// at most 15 min). The same answer is given whether or not the account exists.
// FailureLimiter: a plain fixed-window cap on failed requests per key (token endpoint).
import { sha256Hex } from '../../lib/hash.ts';
import type { Cache } from '../../store/cache/cache.ts';

export interface LoginThrottleOptions {
  accountFree: number;
  ipFree: number;
  windowMs: number;
  maxDelaySec: number;
}

export const LOGIN_THROTTLE_DEFAULTS: LoginThrottleOptions = { accountFree: 3, ipFree: 20, windowMs: 15 * 60_000, maxDelaySec: 900 };

export class LoginThrottle {
  constructor(
    private readonly cache: () => Cache,
    private readonly o: LoginThrottleOptions = LOGIN_THROTTLE_DEFAULTS,
  ) {}

  private keys(account: string, ip: string) {
    const a = sha256Hex(account.trim().toLowerCase()).slice(0, 32);
    return {
      acctCount: `login:fail:a:${a}`,
      acctBlock: `login:block:a:${a}`,
      ipCount: `login:fail:i:${ip}`,
      ipBlock: `login:block:i:${ip}`,
    };
  }

  /** Seconds the caller must still wait before trying this account from this IP (0 = go). */
  async blockedFor(account: string, ip: string): Promise<number> {
    const k = this.keys(account, ip);
    const [a, i] = await Promise.all([this.cache().ttl(k.acctBlock), this.cache().ttl(k.ipBlock)]);
    return Math.ceil(Math.max(a, i, 0) / 1000);
  }

  async failed(account: string, ip: string): Promise<void> {
    const k = this.keys(account, ip);
    const c = this.cache();
    const [na, ni] = await Promise.all([c.incr(k.acctCount, this.o.windowMs), c.incr(k.ipCount, this.o.windowMs)]);
    const delay = (n: number, free: number) => (n > free ? Math.min(2 ** (n - free - 1), this.o.maxDelaySec) : 0);
    const da = delay(na, this.o.accountFree);
    const di = delay(ni, this.o.ipFree);
    if (da > 0) await c.set(k.acctBlock, '1', da * 1000);
    if (di > 0) await c.set(k.ipBlock, '1', di * 1000);
  }

  async succeeded(account: string, ip: string): Promise<void> {
    const k = this.keys(account, ip);
    await Promise.all([this.cache().del(k.acctCount), this.cache().del(k.acctBlock)]);
  }
}

export class FailureLimiter {
  constructor(
    private readonly cache: () => Cache,
    private readonly prefix: string,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds until `key` may fail again, 0 when under the limit. */
  async blockedFor(key: string): Promise<number> {
    const k = `${this.prefix}:${key}`;
    const n = Number((await this.cache().get(k)) ?? 0);
    if (n < this.limit) return 0;
    return Math.max(1, Math.ceil((await this.cache().ttl(k)) / 1000));
  }

  async failed(key: string): Promise<void> {
    await this.cache().incr(`${this.prefix}:${key}`, this.windowMs);
  }
}
