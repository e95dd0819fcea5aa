// Changing the e-mail address or phone number of a signed-in user: a 6-digit code goes to the NEW
// address (through the messenger: SMTP, SMS webhook or the developer outbox); the change happens
// when the code is entered. The pending change lives in the cache (15 minutes, one per user,
// 5 attempts); codes sent are limited per user (5 an hour). Whether the address is another
// account's is told only after the code proved the person holds it (as sign-up does). Starting a
// change needs the current password: a stolen session alone must not move the account's recovery
// address to the thief's (and then reset the password). Once changed, the OLD address is told
// (contact-changed: what changed, to what, masked, and when; what to do if it was not the person),
// on its own channel when a sender serves it; it gets no link that could undo the change silently.

import { maskAccount } from '../../core/account/xm-sign-callback.ts';
import { ConflictError } from '../../lib/errors.ts';
import { safeEqual, sha256Hex } from '../../lib/hash.ts';
import { randomDigits } from '../../lib/random.ts';
import type { Cache } from '../../store/cache/cache.ts';
import type { AuditService } from '../audit.ts';
import type { Messenger } from '../messaging/messenger.ts';
import { FailureLimiter } from '../throttle.ts';
import { isEmail, isPhone, type User, type UserService } from '../users.ts';
import type { PasswordProof } from './password-change.ts';

export type ContactKind = 'email' | 'phone';
const TTL_MS = 15 * 60_000;
const ATTEMPTS = 5;

export type StartResult =
  | { kind: 'sent'; to: string }
  | { kind: 'wrongPassword' }
  | { kind: 'invalid' }
  | { kind: 'unavailable' }
  | { kind: 'throttled'; wait: number };
export type ConfirmResult = { kind: 'done'; user: User } | { kind: 'wrong' } | { kind: 'expired' } | { kind: 'taken' };

interface Pending {
  kind: ContactKind;
  address: string;
  codeHash: string;
  attempts: number;
  /** The language of the page that started the change (the notice to the old address uses it). */
  locale?: string;
}

export class ContactChange {
  private readonly sends: FailureLimiter;

  constructor(
    private readonly d: {
      users: UserService;
      messenger: Messenger;
      audit: AuditService;
      cache: () => Cache;
      /** The current-password check (the password change's, with its throttle). */
      prove: (user: User, current: string, ip: string) => Promise<PasswordProof>;
      /** Where the account center is (OPAL_PUBLIC_URL/account), for the notice to the old address. */
      accountUrl: string;
      now?: () => number;
    },
  ) {
    this.sends = new FailureLimiter(d.cache, 'acct:contact', 5, 3600_000, d.now);
  }

  private key(userId: string): string {
    return `acct:contact:${userId}`;
  }

  /** The change waiting for its code, if any (address only). */
  async pending(userId: string): Promise<{ kind: ContactKind; address: string } | undefined> {
    const raw = await this.d.cache().get(this.key(userId));
    if (!raw) return undefined;
    const p = JSON.parse(raw) as Pending;
    return { kind: p.kind, address: p.address };
  }

  async start(user: User, kind: ContactKind, address: string, current: string, locale: string, ip: string): Promise<StartResult> {
    const to = address.trim();
    if (kind === 'email' ? !isEmail(to) : !isPhone(to)) return { kind: 'invalid' };
    const proof = await this.d.prove(user, current, ip);
    if (proof.kind === 'throttled') return proof;
    if (proof.kind === 'wrong') return { kind: 'wrongPassword' };
    if (!this.d.messenger.can(kind === 'email' ? 'email' : 'sms')) return { kind: 'unavailable' };
    const r = await this.sends.reserve(user.userId);
    if ('wait' in r) return { kind: 'throttled', wait: r.wait };
    const code = randomDigits(6);
    const p: Pending = { kind, address: to, codeHash: sha256Hex(`${user.userId}|${code}`), attempts: 0, locale };
    await this.d.cache().set(this.key(user.userId), JSON.stringify(p), TTL_MS);
    this.d.messenger.dispatch('contact-code', kind === 'email' ? 'email' : 'sms', to, locale, { code, minutes: 15 });
    await this.d.audit.record({ type: 'account.contact_code_sent', actor: user.userId, subject: user.userId, ip, detail: { kind } });
    return { kind: 'sent', to };
  }

  async confirm(user: User, code: string, ip?: string): Promise<ConfirmResult> {
    const c = this.d.cache();
    const raw = await c.get(this.key(user.userId));
    if (!raw) return { kind: 'expired' };
    const p = JSON.parse(raw) as Pending;
    if (!safeEqual(p.codeHash, sha256Hex(`${user.userId}|${code.trim()}`))) {
      p.attempts += 1;
      if (p.attempts >= ATTEMPTS) await c.del(this.key(user.userId));
      else await c.set(this.key(user.userId), JSON.stringify(p), Math.max(1000, await c.ttl(this.key(user.userId))));
      return p.attempts >= ATTEMPTS ? { kind: 'expired' } : { kind: 'wrong' };
    }
    await c.del(this.key(user.userId));
    try {
      const updated = await this.d.users.update(user.userId, p.kind === 'email' ? { email: p.address } : { phone: p.address });
      await this.d.audit.record({ type: `account.${p.kind}_changed`, actor: user.userId, subject: user.userId, ip });
      this.notifyOld(p, p.kind === 'email' ? user.email : user.phone);
      return { kind: 'done', user: updated };
    } catch (e) {
      if (e instanceof ConflictError) return { kind: 'taken' };
      throw e;
    }
  }

  /** Tells the address that was replaced (if any, and if a sender serves its channel), in the background. */
  private notifyOld(p: Pending, old: string): void {
    const channel = p.kind === 'email' ? 'email' : 'sms';
    if (!old || old === p.address || !this.d.messenger.can(channel)) return;
    const at = new Date((this.d.now ?? Date.now)()).toISOString().slice(0, 16).replace('T', ' ');
    this.d.messenger.dispatch('contact-changed', channel, old, p.locale ?? 'en', {
      changed: p.kind,
      newAddress: maskAccount(p.address),
      at,
      url: this.d.accountUrl,
    });
  }
}
