// Account administration (admin API, CLI): roles, locks, session revocation, deletion, app
// disabling, the first admin. Every change is written to the audit log with its actor.
import { hasRole, type Role } from '../core/account/roles.ts';
import { ConflictError, InvalidInputError } from '../lib/errors.ts';
import type { WebSessionsRepo } from '../store/db/oauth-sessions-repo.ts';
import type { App, AppService, Developer } from './apps.ts';
import type { AuditService } from './audit.ts';
import type { OAuthService } from './oauth/oauth-service.ts';
import type { RecoveryService } from './self-service/recovery.ts';
import type { SignOut } from './sign-out.ts';
import type { User, UserInput, UserService } from './users.ts';

export interface AdminDeps {
  users: UserService;
  apps: AppService;
  oauth: OAuthService;
  sessions: WebSessionsRepo;
  audit: AuditService;
  /** Ends page sessions and FDS serviceTokens/storage tokens (they belong to no grant). */
  signOut: SignOut;
  /** Sends reset links (the self-service recovery's link and page); built beside this service. */
  recovery: () => RecoveryService;
}

/** Who made a change: a user id, `cli`, or `startup`, and the client address when there is one. */
export interface Actor {
  actor: string;
  ip?: string | undefined;
}

/** An admin cannot lock, delete or demote the account they act with (nobody might be left to undo it). */
function notSelf(userId: string, by: Actor, what: string): void {
  if (by.actor === userId) throw new InvalidInputError(`you cannot ${what} your own account`);
}

export class AdminService {
  constructor(private readonly d: AdminDeps) {}

  /** Creates a user with a role (developers get their developer record at once). */
  async createUser(input: UserInput, by: Actor): Promise<User> {
    const user = await this.d.users.create(input);
    if (hasRole(user.role, 'developer')) await this.d.apps.ensureDeveloperOfUser(user);
    await this.d.audit.record({ type: 'user.created', ...by, subject: user.userId, detail: { role: user.role } });
    return user;
  }

  /** Gives a user a role; a developer or admin gets (or keeps) their developer record. */
  async setRole(userId: string, role: Role, by: Actor): Promise<User & { developerId: string | null }> {
    if (role !== 'admin') notSelf(userId, by, 'take the admin role from');
    const user = await this.d.users.setRole(userId, role);
    const dev = hasRole(role, 'developer') ? await this.d.apps.ensureDeveloperOfUser(user) : await this.d.apps.developerOfUser(userId);
    await this.d.audit.record({ type: 'user.role_set', ...by, subject: userId, detail: { role } });
    return { ...user, developerId: dev?.id ?? null };
  }

  /** The developer record a user acts for (created for developers and admins who have none). */
  async developerOf(user: User): Promise<Developer | undefined> {
    return hasRole(user.role, 'developer') ? this.d.apps.ensureDeveloperOfUser(user) : undefined;
  }

  /**
   * Locks an account: sign-in refused, page sessions ended, and every grant revoked with its codes
   * and tokens (on every node), so nothing issued before the lock keeps working.
   */
  async lock(userId: string, by: Actor): Promise<User> {
    notSelf(userId, by, 'lock');
    const user = await this.d.users.setLocked(userId, true);
    await this.d.signOut.everywhere(userId, by.actor);
    const revoked = await this.revokeGrants(userId, by);
    await this.d.audit.record({ type: 'user.locked', ...by, subject: userId, detail: { grantsRevoked: revoked } });
    return user;
  }

  async unlock(userId: string, by: Actor): Promise<User> {
    const user = await this.d.users.setLocked(userId, false);
    await this.d.audit.record({ type: 'user.unlocked', ...by, subject: userId });
    return user;
  }

  /** Ends every page session and FDS serviceToken/storage token of the user (they sign in again). */
  async revokeSessions(userId: string, by: Actor): Promise<void> {
    await this.d.users.require(userId);
    await this.d.signOut.everywhere(userId, by.actor);
    await this.d.audit.record({ type: 'user.sessions_revoked', ...by, subject: userId });
  }

  /** Sends the user a password-reset link by e-mail (their password stays until they use it). */
  async sendPasswordReset(userId: string, by: Actor): Promise<{ userId: string; email: string }> {
    const { email } = await this.d.recovery().sendLink(userId);
    await this.d.audit.record({ type: 'user.reset_link_sent', ...by, subject: userId });
    return { userId, email };
  }

  /** Deletes a user after revoking their grants and sessions; their developer record stays, unlinked. */
  async deleteUser(userId: string, by: Actor): Promise<void> {
    notSelf(userId, by, 'delete');
    await this.d.users.require(userId);
    await this.revokeGrants(userId, by);
    await this.d.signOut.everywhere(userId, by.actor);
    await this.d.apps.unlinkUser(userId);
    await this.d.users.delete(userId);
    await this.d.audit.record({ type: 'user.deleted', ...by, subject: userId });
  }

  /** Disables or enables an app; a disabled app's tokens stop resolving on every node at once. */
  async setAppDisabled(clientId: string, disabled: boolean, by: Actor): Promise<App> {
    const app = await this.d.apps.setDisabled(clientId, disabled);
    await this.d.oauth.forgetCachedTokens();
    await this.d.audit.record({ type: disabled ? 'app.disabled' : 'app.enabled', ...by, clientId });
    return app;
  }

  /**
   * The first admin from OPAL_ADMIN_ACCOUNT / OPAL_ADMIN_PASSWORD: created when no user has that
   * account, otherwise left as it is (a restart never resets a password or a role an admin changed).
   */
  async ensureFirstAdmin(account: string, password: string): Promise<User | undefined> {
    if (await this.d.users.find(account)) return undefined;
    try {
      return await this.createUser({ account, password, nickname: account, role: 'admin' }, { actor: 'startup' });
    } catch (e) {
      if (e instanceof ConflictError) return undefined; // another node created it meanwhile
      throw e;
    }
  }

  private async revokeGrants(userId: string, by: Actor): Promise<number> {
    const grants = await this.d.oauth.listGrants(userId);
    for (const g of grants) await this.d.oauth.revokeGrant(userId, g.clientId, by.actor, by.ip);
    return grants.length;
  }
}
