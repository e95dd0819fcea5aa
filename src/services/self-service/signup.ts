// Self-service sign-up (OPAL_SIGNUP, OPAL_VERIFY). With verification, nothing is created until the
// one-time code sent to the address is entered: the form's answer is the same whether the address
// is new or already an account's (the owner of a taken address gets a notice instead of a code,
// so no code can match), and an account name that is taken is told only after the code proved
// the address, and throttled. Without verification the account is created at once, so a taken
// name or address is told at once; sign-ups per IP are limited either way. Invites are single use.
import type { Config } from '../../config.ts';
import { safeEqual, sha256Hex } from '../../lib/hash.ts';
import { newCredential, randomDigits } from '../../lib/random.ts';
import type { Cache } from '../../store/cache/cache.ts';
import type { PendingRow, SelfServiceRepo } from '../../store/db/self-service-repo.ts';
import type { AuditService } from '../audit.ts';
import type { Channel } from '../messaging/message.ts';
import type { Messenger } from '../messaging/messenger.ts';
import { FailureLimiter } from '../throttle.ts';
import { hashPassword, isAccountName, isEmail, isPhone, type User, type UserService } from '../users.ts';
import { judgePassword, type PasswordProblem } from './password-policy.ts';

export const CODE_TTL_MS = 15 * 60_000;
export const MAX_CODE_ATTEMPTS = 5;

export type SignupProblem = 'account' | 'email' | 'phone' | 'invite' | 'taken' | `password-${PasswordProblem}`;

export interface SignupInput {
  account: string;
  password: string;
  email: string;
  phone: string;
  invite: string;
  locale: string;
  ip: string;
}

export type StartResult =
  | { kind: 'verify'; flow: string; channel: Channel }
  | { kind: 'created'; user: User }
  | { kind: 'invalid'; problems: SignupProblem[] }
  | { kind: 'throttled'; wait: number };

export type VerifyResult =
  | { kind: 'created'; user: User }
  | { kind: 'wrong' }
  | { kind: 'taken' }
  | { kind: 'invalid'; problems: SignupProblem[] }
  | { kind: 'expired' }
  | { kind: 'throttled'; wait: number };

export interface SignupDeps {
  config: Config;
  repo: SelfServiceRepo;
  users: UserService;
  audit: AuditService;
  messenger: Messenger;
  cache: () => Cache;
  now?: () => number;
}

export class SignupService {
  private readonly now: () => number;
  /** Sign-up forms per IP per hour (never given back). */
  private readonly starts: FailureLimiter;
  /** Codes sent to one address per hour (more are silently not sent). */
  private readonly perAddress: FailureLimiter;
  /** Wrong codes per IP per 15 minutes. */
  private readonly codes: FailureLimiter;

  constructor(private readonly d: SignupDeps) {
    this.now = d.now ?? Date.now;
    this.starts = new FailureLimiter(d.cache, 'su:start', 10, 3600_000, this.now);
    this.perAddress = new FailureLimiter(d.cache, 'su:addr', 3, 3600_000, this.now);
    this.codes = new FailureLimiter(d.cache, 'su:code', 20, 15 * 60_000, this.now);
  }

  get mode(): Config['signup'] {
    return this.d.config.signup;
  }

  /** The channel that verifies a new account, or undefined (OPAL_VERIFY=none). */
  get channel(): Channel | undefined {
    const v = this.d.config.verify;
    return v === 'email' ? 'email' : v === 'phone' ? 'sms' : undefined;
  }

  /** Whether sign-up can take place: on, and a sender exists for the verifying channel. */
  get available(): boolean {
    const ch = this.channel;
    return this.mode !== 'off' && (ch === undefined || this.d.messenger.can(ch));
  }

  async createInvite(note: string, ttlMs: number): Promise<{ code: string; expiresAt: number }> {
    const code = newCredential(21);
    const now = this.now();
    await this.d.repo.insertInvite({
      code_hash: sha256Hex(code),
      note,
      created_at: now,
      expires_at: now + ttlMs,
      used_at: null,
      used_by: null,
    });
    return { code, expiresAt: now + ttlMs };
  }

  private async inviteValid(code: string): Promise<boolean> {
    if (!code) return false;
    const row = await this.d.repo.invite(sha256Hex(code));
    return Boolean(row && row.used_at === null && row.expires_at > this.now());
  }

  private async problemsOf(i: SignupInput): Promise<SignupProblem[]> {
    const problems: SignupProblem[] = [];
    if (!isAccountName(i.account) || /^\d+$/.test(i.account)) problems.push('account');
    const ch = this.channel;
    if ((ch === 'email' || i.email) && !isEmail(i.email)) problems.push('email');
    if ((ch === 'sms' || i.phone) && !isPhone(i.phone)) problems.push('phone');
    const verdict = await judgePassword(i.password, [i.account, i.email, i.phone, this.d.config.brandName ?? 'opal']);
    if (!verdict.ok && verdict.problem) problems.push(`password-${verdict.problem}`);
    if (this.mode === 'invite' && !(await this.inviteValid(i.invite))) problems.push('invite');
    return problems;
  }

  async start(i: SignupInput): Promise<StartResult> {
    if (!this.available) throw new Error('sign-up is off');
    const slot = await this.starts.reserve(i.ip);
    if ('wait' in slot) return { kind: 'throttled', wait: slot.wait };
    const problems = await this.problemsOf(i);
    if (problems.length > 0) {
      await this.starts.succeeded(slot.slot); // a form with mistakes does not count
      return { kind: 'invalid', problems };
    }
    const ch = this.channel;
    const invite = this.mode === 'invite' ? sha256Hex(i.invite) : null;
    const passwordHash = await hashPassword(i.password);
    const email = ch === 'sms' ? '' : i.email;
    const phone = ch === 'email' ? '' : i.phone;
    if (!ch) {
      const user = await this.d.users
        .createWithHash({ account: i.account, email, phone, locale: i.locale }, passwordHash)
        .catch(() => undefined);
      if (!user) return { kind: 'invalid', problems: ['taken'] };
      if (!(await this.finish(user, invite, i.ip))) return { kind: 'invalid', problems: ['invite'] };
      return { kind: 'created', user };
    }
    const address = ch === 'email' ? email : phone;
    const owner = await this.d.users.find(address);
    const taken = owner !== undefined && (owner.email === address || owner.phone === address || owner.account === address);
    const code = randomDigits(6);
    const flow = newCredential(24);
    const now = this.now();
    await this.d.repo.insertPending({
      flow_hash: sha256Hex(flow),
      account: i.account,
      password_hash: passwordHash,
      email: email || null,
      phone: phone || null,
      locale: i.locale,
      invite_hash: invite,
      code_hash: taken ? null : sha256Hex(code),
      attempts: 0,
      verified_at: null,
      created_at: now,
      expires_at: now + CODE_TTL_MS,
    });
    const sendSlot = await this.perAddress.reserve(sha256Hex(address.toLowerCase()));
    if (!('wait' in sendSlot)) {
      if (taken) this.d.messenger.dispatch('signup-exists', ch, address, i.locale, { url: `${this.d.config.publicUrl}/recover` });
      else this.d.messenger.dispatch('signup-code', ch, address, i.locale, { code, minutes: CODE_TTL_MS / 60_000 });
    }
    return { kind: 'verify', flow, channel: ch };
  }

  /** The pending sign-up of `flow` (for its page), or undefined when it expired. */
  async pending(flow: string): Promise<PendingRow | undefined> {
    return flow ? this.d.repo.pending(sha256Hex(flow), this.now()) : undefined;
  }

  /**
   * Checks the code of `flow` and creates the account. `account` replaces the chosen name once
   * the code was right and the name turned out to be taken.
   */
  async verify(flow: string, code: string, account: string | undefined, ip: string): Promise<VerifyResult> {
    const flowHash = sha256Hex(flow);
    const row = flow ? await this.d.repo.pending(flowHash, this.now()) : undefined;
    if (!row) return { kind: 'expired' };
    if (row.verified_at === null) {
      const slot = await this.codes.reserve(ip);
      if ('wait' in slot) return { kind: 'throttled', wait: slot.wait };
      const attempts = await this.d.repo.countAttempt('signup_pending', flowHash);
      if (attempts > MAX_CODE_ATTEMPTS) {
        await this.d.repo.deletePending(flowHash);
        return { kind: 'expired' };
      }
      if (!row.code_hash || !safeEqual(sha256Hex(code.trim()), row.code_hash)) return { kind: 'wrong' };
      await this.codes.succeeded(slot.slot);
    }
    const name = row.verified_at !== null && account !== undefined ? account.trim() : row.account;
    if (!isAccountName(name) || /^\d+$/.test(name)) {
      await this.d.repo.markPendingVerified(flowHash, row.account, this.now());
      return { kind: 'invalid', problems: ['account'] };
    }
    const input = { account: name, email: row.email ?? '', phone: row.phone ?? '', locale: row.locale };
    const user = await this.d.users.createWithHash(input, row.password_hash).catch(() => undefined);
    if (!user) {
      if (await this.d.users.find(name)) {
        await this.d.repo.markPendingVerified(flowHash, name, this.now());
        return { kind: 'taken' };
      }
      await this.d.repo.deletePending(flowHash); // the address became an account's meanwhile
      return { kind: 'expired' };
    }
    await this.d.repo.deletePending(flowHash);
    if (!(await this.finish(user, row.invite_hash, ip))) return { kind: 'invalid', problems: ['invite'] };
    return { kind: 'created', user };
  }

  /** Uses the invite (if any) and records the sign-up; an invite used meanwhile undoes the account. */
  private async finish(user: User, inviteHash: string | null, ip: string): Promise<boolean> {
    if (inviteHash && !(await this.d.repo.useInvite(inviteHash, user.userId, this.now()))) {
      await this.d.users.delete(user.userId);
      return false;
    }
    await this.d.audit.record({ type: 'signup', actor: user.userId, subject: user.userId, ip, detail: { verified: this.d.config.verify } });
    return true;
  }
}
