// Setting up and removing second factors from the account center, one set of rules for the pages
// (/account/factors) and the JSON API (/api/account/factors):
// - an authenticator app: a new secret is kept sealed in the shared cache for 10 minutes, bound to
//   the page session, until a first code from the app confirms it (codes throttled like a password);
// - new recovery codes are kept sealed for the same session for 10 minutes, so that the page can
//   show them once;
// - removing a factor or making new recovery codes needs the password or a current code (a stolen
//   session alone must not turn the second step off), checked through the shared password throttle
//   keyed by the user (PasswordThrottle.factorKey: a wrong proof costs what a wrong code costs).
import { ConflictError } from '../../lib/errors.ts';
import { openSecret, sealSecret } from '../../lib/secret-box.ts';
import type { Cache } from '../../store/cache/cache.ts';
import type { AuditService } from '../audit.ts';
import { PasswordThrottle } from '../throttle.ts';
import type { UserService } from '../users.ts';
import type { FactorService } from './service.ts';
import { newTotpSecret } from './totp.ts';

export const SETUP_TTL_MS = 10 * 60_000;

export type Proof = { kind: 'ok' } | { kind: 'wrong' } | { kind: 'throttled'; wait: number };
export type TotpConfirm =
  | { kind: 'done'; codes: string[] }
  | { kind: 'expired' }
  | { kind: 'invalid' }
  | { kind: 'exists' }
  | { kind: 'throttled'; wait: number };

export class FactorSetup {
  private readonly throttle: PasswordThrottle;

  constructor(
    private readonly d: {
      factors: FactorService;
      users: UserService;
      audit: AuditService;
      cache: () => Cache;
      serverSecret: string;
    },
  ) {
    this.throttle = new PasswordThrottle(d.cache);
  }

  private key(what: 'totp-setup' | 'recovery-codes', sessionId: string): string {
    return `factors:${what === 'totp-setup' ? 'totp-setup' : 'codes'}:${sessionId}`;
  }

  private async keep(what: 'totp-setup' | 'recovery-codes', sessionId: string, value: string): Promise<void> {
    await this.d.cache().set(this.key(what, sessionId), sealSecret(this.d.serverSecret, `${what}|${sessionId}`, value), SETUP_TTL_MS);
  }

  private async kept(what: 'totp-setup' | 'recovery-codes', sessionId: string): Promise<string | undefined> {
    return openSecret(this.d.serverSecret, `${what}|${sessionId}`, await this.d.cache().get(this.key(what, sessionId)));
  }

  /** A new authenticator secret for this session (replacing one not yet confirmed), or undefined when the user has an authenticator. */
  async beginTotp(sessionId: string, userId: string): Promise<string | undefined> {
    if ((await this.d.factors.summary(userId)).totp) return undefined;
    const secret = newTotpSecret();
    await this.keep('totp-setup', sessionId, secret);
    return secret;
  }

  /** The secret waiting for its first code in this session, if any. */
  pendingTotp(sessionId: string): Promise<string | undefined> {
    return this.kept('totp-setup', sessionId);
  }

  /** Confirms the waiting secret with a code of the app; the new recovery codes are also kept for this session. */
  async confirmTotp(sessionId: string, userId: string, code: string, name: string, ip: string): Promise<TotpConfirm> {
    const secret = await this.pendingTotp(sessionId);
    if (!secret) return { kind: 'expired' };
    const admission = await this.throttle.admit(PasswordThrottle.factorKey(userId), ip);
    if (!admission.ok) return { kind: 'throttled', wait: admission.wait };
    let codes: string[] | undefined;
    try {
      codes = await this.d.factors.enrollTotp(userId, secret, code, name);
    } catch (e) {
      if (e instanceof ConflictError) return { kind: 'exists' };
      throw e;
    }
    if (!codes) return { kind: 'invalid' };
    await this.throttle.succeeded(admission.ticket);
    await this.d.cache().del(this.key('totp-setup', sessionId));
    await this.keep('recovery-codes', sessionId, codes.join(' '));
    return { kind: 'done', codes };
  }

  /** Checks the password or a current code (authenticator or recovery), throttled like sign-in. */
  async prove(userId: string, proof: string, ip: string): Promise<Proof> {
    const admission = await this.throttle.admit(PasswordThrottle.factorKey(userId), ip);
    if (!admission.ok) return { kind: 'throttled', wait: admission.wait };
    const ok =
      proof.length > 0 &&
      ((await this.d.users.verifyPassword(userId, proof)) || (await this.d.factors.checkCode(userId, proof, ip)) !== undefined);
    if (!ok) return { kind: 'wrong' };
    await this.throttle.succeeded(admission.ticket);
    return { kind: 'ok' };
  }

  /** New recovery codes (the old ones stop), kept for this session to be shown once. */
  async renewRecoveryCodes(sessionId: string, userId: string, ip: string): Promise<string[]> {
    const codes = await this.d.factors.newRecoveryCodes(userId);
    await this.d.audit.record({ type: 'factor.recovery_codes', actor: userId, subject: userId, ip });
    await this.keep('recovery-codes', sessionId, codes.join(' '));
    return codes;
  }

  /** The recovery codes waiting to be shown in this session. */
  async shownCodes(sessionId: string): Promise<string[] | undefined> {
    return (await this.kept('recovery-codes', sessionId))?.split(' ');
  }

  async forgetCodes(sessionId: string): Promise<void> {
    await this.d.cache().del(this.key('recovery-codes', sessionId));
  }
}
