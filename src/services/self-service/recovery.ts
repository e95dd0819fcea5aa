// Password recovery ("forgot password"). A person names their e-mail address (they get a link) or
// phone number (they get a code). The answer, and the work done before it, is the same whether an
// account has that address or not: a recovery record is written either way (without a user for an
// unknown address, so nothing can ever match it) and the message is sent in the background. The
// reset ends every page session, revokes every refresh token (apps keep their grants), ends the
// user's other recoveries and is written to the audit log.
import type { Config } from '../../config.ts';
import { InvalidInputError } from '../../lib/errors.ts';
import { safeEqual, sha256Hex } from '../../lib/hash.ts';
import { newCredential, randomDigits } from '../../lib/random.ts';
import type { Cache } from '../../store/cache/cache.ts';
import type { WebSessionsRepo } from '../../store/db/oauth-sessions-repo.ts';
import type { OAuthTokensRepo } from '../../store/db/oauth-tokens-repo.ts';
import type { ResetRow, SelfServiceRepo } from '../../store/db/self-service-repo.ts';
import type { AuditService } from '../audit.ts';
import type { Channel } from '../messaging/message.ts';
import type { Messenger } from '../messaging/messenger.ts';
import type { SignOut } from '../sign-out.ts';
import { FailureLimiter } from '../throttle.ts';
import { isEmail, isPhone, type UserService } from '../users.ts';
import { judgePassword, type PasswordProblem } from './password-policy.ts';
import { MAX_CODE_ATTEMPTS } from './signup.ts';

export const LINK_TTL_MS = 30 * 60_000;
export const RESET_CODE_TTL_MS = 15 * 60_000;

export type RecoveryStart =
  | { kind: 'sent'; channel: Channel; flow?: string }
  | { kind: 'invalid' }
  | { kind: 'unavailable' }
  | { kind: 'throttled'; wait: number };

export type ResetResult =
  | { kind: 'done'; userId: string }
  | { kind: 'wrong' }
  | { kind: 'expired' }
  | { kind: 'weak'; problem: PasswordProblem }
  | { kind: 'throttled'; wait: number };

export interface RecoveryDeps {
  config: Config;
  repo: SelfServiceRepo;
  users: UserService;
  sessions: WebSessionsRepo;
  /** Ends page sessions and FDS serviceTokens/storage tokens, as `opal user passwd` does. */
  signOut: SignOut;
  tokens: OAuthTokensRepo;
  audit: AuditService;
  messenger: Messenger;
  cache: () => Cache;
  now?: () => number;
}

export class RecoveryService {
  private readonly now: () => number;
  private readonly starts: FailureLimiter;
  private readonly perAddress: FailureLimiter;
  private readonly codes: FailureLimiter;

  constructor(private readonly d: RecoveryDeps) {
    this.now = d.now ?? Date.now;
    this.starts = new FailureLimiter(d.cache, 'rc:start', 10, 3600_000, this.now);
    this.perAddress = new FailureLimiter(d.cache, 'rc:addr', 3, 3600_000, this.now);
    this.codes = new FailureLimiter(d.cache, 'rc:code', 20, 15 * 60_000, this.now);
  }

  /** The channels recovery can use (those with a sender). */
  channels(): Channel[] {
    return (['email', 'sms'] as const).filter((c) => this.d.messenger.can(c));
  }

  async start(address: string, locale: string, ip: string): Promise<RecoveryStart> {
    const a = address.trim();
    const channel: Channel | undefined = isEmail(a) ? 'email' : isPhone(a) ? 'sms' : undefined;
    if (!channel) return { kind: 'invalid' };
    if (!this.d.messenger.can(channel)) return { kind: 'unavailable' };
    const slot = await this.starts.reserve(ip);
    if ('wait' in slot) return { kind: 'throttled', wait: slot.wait };
    const found = await this.d.users.find(a);
    const user = found && (channel === 'email' ? found.email === a : found.phone === a) ? found : undefined;
    const code = randomDigits(6);
    const ttl = channel === 'email' ? LINK_TTL_MS : RESET_CODE_TTL_MS;
    const flow = await this.newReset(user?.userId ?? null, channel === 'sms' ? code : undefined, ttl);
    const sendSlot = await this.perAddress.reserve(sha256Hex(a.toLowerCase()));
    if (user && !('wait' in sendSlot)) {
      const lang = user.locale || locale;
      if (channel === 'email') {
        this.d.messenger.dispatch('reset-link', 'email', a, lang, { url: this.linkUrl(flow, locale), minutes: ttl / 60_000 });
      } else {
        this.d.messenger.dispatch('reset-code', 'sms', a, lang, { code, minutes: ttl / 60_000 });
      }
    }
    await this.d.audit.record({ type: 'recovery.requested', subject: user?.userId, ip, detail: { channel } });
    // The link's token travels only in the message; a code flow's id goes back to the browser.
    return channel === 'email' ? { kind: 'sent', channel } : { kind: 'sent', channel, flow };
  }

  /**
   * Sends `userId` a reset link to their e-mail address on an operator's request (admin console and
   * API): the same link and page as a self-service recovery. Refused when the user has no e-mail
   * address or no e-mail sender is configured.
   */
  async sendLink(userId: string): Promise<{ email: string }> {
    const user = await this.d.users.require(userId);
    if (!user.email) throw new InvalidInputError(`user ${userId} has no e-mail address to send a reset link to`);
    if (!this.d.messenger.can('email')) throw new InvalidInputError('no e-mail sender is configured (OPAL_SMTP_URL)');
    const flow = await this.newReset(user.userId, undefined, LINK_TTL_MS);
    const locale = user.locale || 'en';
    this.d.messenger.dispatch('reset-link', 'email', user.email, locale, {
      url: this.linkUrl(flow, locale),
      minutes: LINK_TTL_MS / 60_000,
    });
    return { email: user.email };
  }

  /** Writes a recovery (for no user: one that nothing can ever match) and returns its flow secret. */
  private async newReset(userId: string | null, code: string | undefined, ttl: number): Promise<string> {
    const flow = newCredential(24);
    const now = this.now();
    await this.d.repo.insertReset({
      flow_hash: sha256Hex(flow),
      user_id: userId,
      code_hash: code === undefined ? null : sha256Hex(code),
      attempts: 0,
      created_at: now,
      expires_at: now + ttl,
      used_at: null,
    });
    return flow;
  }

  /** The reset link of a flow (its page: /recover/reset). */
  private linkUrl(flow: string, locale: string): string {
    return `${this.d.config.publicUrl}/recover/reset?token=${encodeURIComponent(flow)}&_locale=${encodeURIComponent(locale)}`;
  }

  /** The live recovery of a link token or code flow (read only, for its page). */
  async find(flow: string): Promise<ResetRow | undefined> {
    return flow ? this.d.repo.reset(sha256Hex(flow), this.now()) : undefined;
  }

  /** Sets a new password through a link token (`code` undefined) or a code flow. */
  async reset(flow: string, code: string | undefined, password: string, ip: string): Promise<ResetResult> {
    const flowHash = sha256Hex(flow);
    const row = flow ? await this.d.repo.reset(flowHash, this.now()) : undefined;
    if (!row) return { kind: 'expired' };
    if (row.code_hash !== null) {
      const slot = await this.codes.reserve(ip);
      if ('wait' in slot) return { kind: 'throttled', wait: slot.wait };
      if ((await this.d.repo.countAttempt('password_resets', flowHash)) > MAX_CODE_ATTEMPTS) return { kind: 'expired' };
      // An unknown address's flow has a code hash too, but no user: it fails like a wrong code.
      if (!safeEqual(sha256Hex((code ?? '').trim()), row.code_hash) || !row.user_id) return { kind: 'wrong' };
      await this.codes.succeeded(slot.slot);
    }
    if (!row.user_id) return { kind: 'expired' };
    const user = await this.d.users.get(row.user_id);
    if (!user) return { kind: 'expired' };
    const verdict = await judgePassword(password, [user.account, user.email, user.phone, this.d.config.brandName ?? 'opal']);
    if (!verdict.ok) return { kind: 'weak', problem: verdict.problem ?? 'weak' };
    if (!(await this.d.repo.useReset(flowHash, user.userId, this.now()))) return { kind: 'expired' };
    await this.d.users.setPassword(user.userId, password);
    await this.d.signOut.everywhere(user.userId, user.userId);
    const revoked = await this.d.tokens.revokeRefreshOfUser(user.userId, this.now());
    await this.d.audit.record({
      type: 'password.reset',
      actor: user.userId,
      subject: user.userId,
      ip,
      detail: { refreshTokensRevoked: revoked },
    });
    return { kind: 'done', userId: user.userId };
  }
}
