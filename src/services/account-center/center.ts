// What the account center shows and ends, for one signed-in user: page sessions (device, address,
// last use), authorized apps (with the time the app last got a token), passes, FDS storage tokens,
// and the user's own security log. Revoking an app goes through the OAuth grant revocation (its
// codes and tokens end, and every node hears of it at once); storage tokens through their service.
import { sha256Hex } from '../../lib/hash.ts';
import type { SessionRow, WebSessionsRepo } from '../../store/db/oauth-sessions-repo.ts';
import type { OAuthTokensRepo } from '../../store/db/oauth-tokens-repo.ts';
import type { AppService } from '../apps.ts';
import type { AuditRow, AuditService } from '../audit.ts';
import type { OAuthService } from '../oauth/oauth-service.ts';
import type { Pass, PassbookService } from '../passbook.ts';
import type { StorageTokenService, TokenSummary } from '../storage-tokens/service.ts';

export interface SessionView {
  /** A handle of the session for this list (not its credential nor its stored id). */
  ref: string;
  userAgent: string;
  ip: string;
  createdAt: number;
  lastUsedAt: number;
  current: boolean;
}

export interface AppView {
  clientId: string;
  appName: string;
  scopes: number[];
  grantedAt: number;
  updatedAt: number;
  /** When the app last got a token for this user (sign-in or refresh); 0 when never. */
  lastUsedAt: number;
}

export interface PassView extends Pass {
  planName: string;
  appName: string;
}

/** The audit event types the security log shows. */
export const SECURITY_LOG_TYPES = [
  'login',
  'login.failure',
  'login.throttled',
  'logout',
  'signup',
  'oauth.grant',
  'oauth.grant.revoke',
  'password.reset',
  'user.password_set',
  'user.signed_out',
  'user.locked',
  'user.unlocked',
  'check_password.wrong',
  'check_password.throttled',
  'account.password_wrong',
  'account.password_throttled',
  'account.session_ended',
  'account.sessions_ended',
  'account.email_changed',
  'account.phone_changed',
  'account.avatar_set',
  'account.avatar_removed',
  'account.nickname_set',
  'friend.add',
  'friend.accept', // shown to the sender, whose request it was (a decline is never shown: services/friends.ts)
  'friend.remove',
  'fds.storage_token.revoked',
  'factor.enrolled',
  'factor.removed',
  'factor.used',
  'factor.failed',
  'factor.throttled',
  'factor.recovery_codes',
  'login.second_step',
  'user.reset_link_sent',
] as const;

export interface CenterDeps {
  sessions: WebSessionsRepo;
  tokens: OAuthTokensRepo;
  oauth: OAuthService;
  apps: AppService;
  passbook: PassbookService;
  storageTokens: StorageTokenService;
  audit: AuditService;
  now?: () => number;
}

const sessionRef = (row: SessionRow) => sha256Hex(`session-ref|${row.session_hash}`).slice(0, 32);

export class AccountCenter {
  constructor(private readonly d: CenterDeps) {}

  private now(): number {
    return (this.d.now ?? Date.now)();
  }

  async sessions(userId: string, currentId: string): Promise<SessionView[]> {
    const rows = await this.d.sessions.listByUser(userId, this.now());
    return rows.map((r) => ({
      ref: sessionRef(r),
      userAgent: r.user_agent ?? '',
      ip: r.ip ?? '',
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at ?? r.created_at,
      current: r.session_hash === currentId,
    }));
  }

  /** Ends one of the user's sessions (not the current one: that is signing out); false when unknown. */
  async endSession(userId: string, currentId: string, ref: string, ip?: string): Promise<boolean> {
    const rows = await this.d.sessions.listByUser(userId, this.now());
    const row = rows.find((r) => sessionRef(r) === ref && r.session_hash !== currentId);
    if (!row) return false;
    await this.d.sessions.delete(row.session_hash);
    await this.d.audit.record({ type: 'account.session_ended', actor: userId, subject: userId, ip });
    return true;
  }

  /** Ends every session of the user but the current one; returns how many. */
  async endOtherSessions(userId: string, currentId: string, ip?: string): Promise<number> {
    const n = await this.d.sessions.deleteOthers(userId, currentId);
    await this.d.audit.record({ type: 'account.sessions_ended', actor: userId, subject: userId, ip, detail: { count: n } });
    return n;
  }

  async apps(userId: string): Promise<AppView[]> {
    const out: AppView[] = [];
    for (const g of await this.d.oauth.listGrants(userId)) {
      const app = await this.d.apps.find(g.clientId);
      out.push({
        clientId: g.clientId,
        appName: app?.name ?? g.clientId,
        scopes: g.scopes,
        grantedAt: g.createdAt,
        updatedAt: g.updatedAt,
        lastUsedAt: (await this.d.tokens.lastIssued(g.grantId)) ?? 0,
      });
    }
    return out;
  }

  /** Revokes the app's grant with its codes and tokens, on every node; false when there is none. */
  revokeApp(userId: string, clientId: string, ip?: string): Promise<boolean> {
    return this.d.oauth.revokeGrant(userId, clientId, userId, ip);
  }

  async passes(userId: string): Promise<PassView[]> {
    const out: PassView[] = [];
    const plans = new Map<string, string>();
    for (const p of await this.d.passbook.passes({ userId })) {
      if (!plans.has(p.planId)) plans.set(p.planId, (await this.d.passbook.plan(p.planId).catch(() => undefined))?.title ?? '');
      const app = await this.d.apps.find(p.clientId);
      out.push({ ...p, planName: plans.get(p.planId) ?? '', appName: app?.name ?? p.clientId });
    }
    return out;
  }

  storageTokens(userId: string): Promise<TokenSummary[]> {
    return this.d.storageTokens.list({ opalUserId: userId });
  }

  /** Revokes one of the user's live storage tokens; false when it is not theirs or not live. */
  async revokeStorageToken(userId: string, id: string): Promise<boolean> {
    const mine = (await this.storageTokens(userId)).some((t) => t.id === id);
    if (!mine) return false;
    return (await this.d.storageTokens.revokeWhere({ id, opalUserId: userId }, userId)) > 0;
  }

  /** The user's security events, newest first (at most 100). */
  /**
   * The person's last 100 security events. The address is shown only for what the person did (or
   * what was tried on their account, with no actor): another person's (a friend, an admin) stays hidden.
   */
  async securityLog(userId: string): Promise<AuditRow[]> {
    const rows = await this.d.audit.list({ subject: userId, types: SECURITY_LOG_TYPES, limit: 100 });
    return rows.map((r) => (r.actor === null || r.actor === userId ? r : { ...r, ip: null }));
  }
}
