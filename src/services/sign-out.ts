// Ending everything a user is signed in with, when their password changes or an operator asks
// (`opal user sessions revoke`): every page session (the account origin's `serviceToken` cookie)
// and every FDS serviceToken and storage token of the user, so that whoever knew the old password
// keeps nothing it opened. A password change also revokes the apps' refresh tokens, as recovery
// does. Apps' OAuth grants are the user's decisions and stay.
import type { WebSessionsRepo } from '../store/db/oauth-sessions-repo.ts';
import type { OAuthTokensRepo } from '../store/db/oauth-tokens-repo.ts';
import type { AuditService } from './audit.ts';
import type { StorageTokenService } from './storage-tokens/service.ts';
import type { UserService } from './users.ts';

export class SignOut {
  constructor(
    private readonly d: {
      users: UserService;
      sessions: WebSessionsRepo;
      storageTokens: StorageTokenService;
      audit: AuditService;
      tokens: OAuthTokensRepo;
      now: () => number;
    },
  ) {}

  /** Ends the user's page sessions and revokes their FDS tokens; returns how many tokens went. */
  async everywhere(userId: string, actor: string): Promise<{ storageTokensRevoked: number }> {
    await this.d.sessions.deleteByUser(userId);
    const storageTokensRevoked = await this.d.storageTokens.revokeWhere({ opalUserId: userId }, actor);
    await this.d.audit.record({ type: 'user.signed_out', actor, subject: userId, detail: { storageTokensRevoked } });
    return { storageTokensRevoked };
  }

  /**
   * Sets a new password, then ends everything opened with the old one: page sessions, FDS tokens,
   * and the apps' refresh tokens (whoever phished the password keeps no way to mint new tokens).
   */
  async changePassword(
    userId: string,
    password: string,
    actor: string,
  ): Promise<{ storageTokensRevoked: number; refreshTokensRevoked: number }> {
    await this.d.users.setPassword(userId, password);
    const refreshTokensRevoked = await this.d.tokens.revokeRefreshOfUser(userId, this.d.now());
    await this.d.audit.record({ type: 'user.password_set', actor, subject: userId, detail: { refreshTokensRevoked } });
    return { ...(await this.everywhere(userId, actor)), refreshTokensRevoked };
  }
}
