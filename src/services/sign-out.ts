// Ending everything a user is signed in with, when their password changes or an operator asks
// (`opal user sessions revoke`): every page session (the account origin's `serviceToken` cookie)
// and every FDS serviceToken and storage token of the user, so that whoever knew the old password
// keeps nothing it opened. Apps' OAuth grants are the user's decisions and stay.
import type { WebSessionsRepo } from '../store/db/oauth-sessions-repo.ts';
import type { AuditService } from './audit.ts';
import type { StorageTokenService } from './storage-tokens/service.ts';
import type { UserService } from './users.ts';

export class SignOut {
  constructor(
    private readonly d: { users: UserService; sessions: WebSessionsRepo; storageTokens: StorageTokenService; audit: AuditService },
  ) {}

  /** Ends the user's page sessions and revokes their FDS tokens; returns how many tokens went. */
  async everywhere(userId: string, actor: string): Promise<{ storageTokensRevoked: number }> {
    await this.d.sessions.deleteByUser(userId);
    const storageTokensRevoked = await this.d.storageTokens.revokeWhere({ opalUserId: userId }, actor);
    await this.d.audit.record({ type: 'user.signed_out', actor, subject: userId, detail: { storageTokensRevoked } });
    return { storageTokensRevoked };
  }

  /** Sets a new password, then ends everything opened with the old one. */
  async changePassword(userId: string, password: string, actor: string): Promise<{ storageTokensRevoked: number }> {
    await this.d.users.setPassword(userId, password);
    await this.d.audit.record({ type: 'user.password_set', actor, subject: userId });
    return this.everywhere(userId, actor);
  }
}
