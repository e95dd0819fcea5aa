// Second factors of a user: one TOTP authenticator, any number of passkeys, and ten single-use
// recovery codes (made when the authenticator is set up; dropped with the last factor). TOTP
// secrets are sealed with the server secret (bound to the factor id); recovery codes are kept as
// their HMAC only. A TOTP code is good once: its time step must be later than the last one used.
import { randomBytes, randomInt } from 'node:crypto';
import { ConflictError, NotFoundError } from '../../lib/errors.ts';
import { hmacSha256Hex } from '../../lib/hash.ts';
import { openSecret, sealSecret } from '../../lib/secret-box.ts';
import type { FactorRow, FactorsRepo } from '../../store/db/factors-repo.ts';
import type { AuditService } from '../audit.ts';
import type { AuthenticationResponseJSON, ChallengePurpose, PasskeyRp, RegistrationResponseJSON } from './passkeys.ts';
import { normalizeCode, totpStep } from './totp.ts';

export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export type FactorKind = 'totp' | 'passkey';

export interface Factor {
  id: string;
  kind: FactorKind;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** What a user has to offer at the second step. */
export interface FactorSummary {
  totp: boolean;
  passkeys: FactorRow[];
  /** Unused recovery codes. */
  recoveryCodes: number;
  /** Whether a second step is asked for at all. */
  any: boolean;
}

/** How a code was accepted: an authenticator's code or a recovery code (RFC 8176 `otp` either way). */
export type CodeUse = 'totp' | 'recovery';

interface Deps {
  repo: FactorsRepo;
  passkeys: PasskeyRp;
  audit: AuditService;
  serverSecret: string;
  now: () => number;
}

function toFactor(r: FactorRow): Factor {
  return { id: r.factor_id, kind: r.kind as FactorKind, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at };
}

function newRecoveryCode(): string {
  let s = '';
  for (let i = 0; i < 10; i++) s += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

export class FactorService {
  constructor(private readonly d: Deps) {}

  get passkeys(): PasskeyRp {
    return this.d.passkeys;
  }

  private sealContext(userId: string, factorId: string): string {
    return `totp|${userId}|${factorId}`;
  }

  private recoveryHash(userId: string, code: string): string {
    return hmacSha256Hex(this.d.serverSecret, `recovery|${userId}|${normalizeCode(code)}`);
  }

  async list(userId: string): Promise<Factor[]> {
    return (await this.d.repo.list(userId)).map(toFactor);
  }

  async summary(userId: string): Promise<FactorSummary> {
    const rows = await this.d.repo.list(userId);
    const totp = rows.some((r) => r.kind === 'totp');
    const passkeys = rows.filter((r) => r.kind === 'passkey');
    const recoveryCodes = rows.length > 0 ? await this.d.repo.unusedRecoveryCodes(userId) : 0;
    return { totp, passkeys, recoveryCodes, any: rows.length > 0 };
  }

  /**
   * Sets up the authenticator whose `secret` produced `code`: returns the recovery codes to show
   * once, or undefined when the code is wrong. A user has one authenticator at most.
   */
  async enrollTotp(userId: string, secret: string, code: string, name: string): Promise<string[] | undefined> {
    const now = this.d.now();
    const step = await totpStep(secret, normalizeCode(code), now);
    if (step === undefined) return undefined;
    if ((await this.d.repo.list(userId)).some((r) => r.kind === 'totp')) throw new ConflictError('an authenticator app is set up already');
    const id = randomBytes(12).toString('base64url');
    await this.d.repo.insert({
      factor_id: id,
      user_id: userId,
      kind: 'totp',
      name,
      secret_sealed: sealSecret(this.d.serverSecret, this.sealContext(userId, id), secret),
      last_step: step,
      credential_id: null,
      public_key: null,
      sign_count: null,
      transports: null,
      created_at: now,
      last_used_at: now,
    });
    await this.d.audit.record({ type: 'factor.enrolled', actor: userId, subject: userId, detail: { kind: 'totp', factor: id } });
    return this.newRecoveryCodes(userId);
  }

  /** Replaces the user's recovery codes; returns the new ones (shown once). */
  async newRecoveryCodes(userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await this.d.repo.replaceRecoveryCodes(
      userId,
      codes.map((c) => this.recoveryHash(userId, c)),
      this.d.now(),
    );
    return codes;
  }

  async addPasskey(userId: string, binding: string, response: RegistrationResponseJSON, name: string): Promise<Factor | undefined> {
    const p = await this.d.passkeys.verifyRegistration(binding, response);
    if (!p) {
      await this.d.audit.record({ type: 'factor.failed', actor: userId, subject: userId, detail: { kind: 'passkey', step: 'enroll' } });
      return undefined;
    }
    if (await this.d.repo.byCredentialId(p.credentialId)) throw new ConflictError('this passkey is registered already');
    const now = this.d.now();
    const row: FactorRow = {
      factor_id: randomBytes(12).toString('base64url'),
      user_id: userId,
      kind: 'passkey',
      name,
      secret_sealed: null,
      last_step: null,
      credential_id: p.credentialId,
      public_key: p.publicKey,
      sign_count: p.signCount,
      transports: p.transports.join(',') || null,
      created_at: now,
      last_used_at: null,
    };
    await this.d.repo.insert(row);
    await this.d.audit.record({
      type: 'factor.enrolled',
      actor: userId,
      subject: userId,
      detail: { kind: 'passkey', factor: row.factor_id },
    });
    return toFactor(row);
  }

  /** Removes a factor; with the last one go the recovery codes. */
  async remove(userId: string, factorId: string, ip?: string): Promise<void> {
    const row = (await this.d.repo.list(userId)).find((r) => r.factor_id === factorId);
    if (!row || !(await this.d.repo.delete(userId, factorId))) throw new NotFoundError('no such factor');
    if ((await this.d.repo.list(userId)).length === 0) await this.d.repo.deleteRecoveryCodes(userId);
    await this.d.audit.record({ type: 'factor.removed', actor: userId, subject: userId, ip, detail: { kind: row.kind, factor: factorId } });
  }

  /**
   * Removes every factor and recovery code of a user (an operator's help for someone who lost
   * both their authenticator and their codes); returns how many factors there were.
   */
  async removeAll(userId: string, actor: string): Promise<number> {
    const rows = await this.d.repo.list(userId);
    for (const r of rows) await this.d.repo.delete(userId, r.factor_id);
    await this.d.repo.deleteRecoveryCodes(userId);
    await this.d.audit.record({ type: 'factor.removed', actor, subject: userId, detail: { all: true, count: rows.length } });
    return rows.length;
  }

  /** Checks a typed code: the authenticator's (each step once) or an unused recovery code (spent). */
  async checkCode(userId: string, typed: string, ip?: string): Promise<CodeUse | undefined> {
    const code = normalizeCode(typed);
    const now = this.d.now();
    const rows = await this.d.repo.list(userId);
    const totp = rows.find((r) => r.kind === 'totp');
    let use: CodeUse | undefined;
    if (totp && /^\d{6}$/.test(code)) {
      const secret = openSecret(this.d.serverSecret, this.sealContext(userId, totp.factor_id), totp.secret_sealed);
      const step = secret === undefined ? undefined : await totpStep(secret, code, now);
      if (step !== undefined && (await this.d.repo.useStep(totp.factor_id, step, now))) use = 'totp';
    } else if (rows.length > 0 && code.length === 10) {
      if (await this.d.repo.useRecoveryCode(userId, this.recoveryHash(userId, code), now)) use = 'recovery';
    }
    await this.d.audit.record({
      type: use ? 'factor.used' : 'factor.failed',
      actor: userId,
      subject: userId,
      ip,
      detail: { kind: use ?? (code.length === 10 ? 'recovery' : 'totp') },
    });
    return use;
  }

  /**
   * Checks a passkey assertion: by `userId`'s passkey (second step), or by any registered passkey
   * (sign-in without a password: `userId` undefined). Returns the user it proves, or undefined.
   */
  async checkPasskey(
    purpose: ChallengePurpose,
    binding: string,
    response: AuthenticationResponseJSON,
    userId: string | undefined,
    ip?: string,
  ): Promise<string | undefined> {
    const row = typeof response?.id === 'string' ? await this.d.repo.byCredentialId(response.id) : undefined;
    const mine = row && row.kind === 'passkey' && (userId === undefined || row.user_id === userId) ? row : undefined;
    const count = mine ? await this.d.passkeys.verifyAuthentication(purpose, binding, response, mine) : undefined;
    const who = mine?.user_id ?? userId;
    if (!mine || count === undefined) {
      if (who) await this.d.audit.record({ type: 'factor.failed', actor: who, subject: who, ip, detail: { kind: 'passkey' } });
      return undefined;
    }
    await this.d.repo.touchPasskey(mine.factor_id, count, this.d.now());
    await this.d.audit.record({
      type: 'factor.used',
      actor: mine.user_id,
      subject: mine.user_id,
      ip,
      detail: { kind: 'passkey', factor: mine.factor_id },
    });
    return mine.user_id;
  }
}
