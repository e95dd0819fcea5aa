// Changing the password from the account center: the current password is checked through the
// shared password throttle (keyed by the user, like checkPassword, and by IP); the new one must pass
// the sign-up policy. Then SignOut ends every page session and FDS token of the user, as a reset by
// recovery does; the site signs the current browser in again.
import type { AuditService } from '../audit.ts';
import { judgePassword, type PasswordProblem } from '../self-service/password-policy.ts';
import type { SignOut } from '../sign-out.ts';
import { PasswordThrottle } from '../throttle.ts';
import type { User, UserService } from '../users.ts';

export type PasswordChangeResult =
  | { kind: 'done'; storageTokensRevoked: number }
  | { kind: 'wrong' }
  | { kind: 'weak'; problem: PasswordProblem }
  | { kind: 'throttled'; wait: number };

export type PasswordProof = { kind: 'ok' } | { kind: 'wrong' } | { kind: 'throttled'; wait: number };

export class PasswordChange {
  constructor(private readonly d: { users: UserService; throttle: PasswordThrottle; signOut: SignOut; audit: AuditService }) {}

  /**
   * Checks the person's current password (a password change, an address change: what a stolen
   * session alone must not do), through the shared password throttle.
   */
  async prove(user: User, current: string, ip: string): Promise<PasswordProof> {
    const admission = await this.d.throttle.admit(PasswordThrottle.checkPasswordKey(user.userId), ip);
    if (!admission.ok) {
      await this.d.audit.record({ type: 'account.password_throttled', actor: user.userId, subject: user.userId, ip });
      return { kind: 'throttled', wait: admission.wait };
    }
    if (!(await this.d.users.verifyPassword(user.userId, current))) {
      await this.d.audit.record({ type: 'account.password_wrong', actor: user.userId, subject: user.userId, ip });
      return { kind: 'wrong' };
    }
    await this.d.throttle.succeeded(admission.ticket);
    return { kind: 'ok' };
  }

  async change(user: User, current: string, next: string, ip: string): Promise<PasswordChangeResult> {
    const proof = await this.prove(user, current, ip);
    if (proof.kind !== 'ok') return proof;
    const verdict = await judgePassword(next, [user.account, user.email, user.phone, user.nickname].filter(Boolean));
    if (!verdict.ok) return { kind: 'weak', problem: verdict.problem ?? 'weak' };
    const r = await this.d.signOut.changePassword(user.userId, next, user.userId);
    return { kind: 'done', storageTokensRevoked: r.storageTokensRevoked };
  }
}
