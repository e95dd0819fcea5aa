// The OAuth service (ctx.services.oauth): the facade other modules code against (OAuthApi), built
// from three named pieces — grants.ts (approvals and their revocation, announced to every node),
// lifecycle.ts (codes, refresh-token rotation, implicit tokens, token revocation, purges) and
// token-lookup.ts (access-token resolution with node-local caching, token details).
import type { Kysely } from 'kysely';
import type { Lifetimes } from '../../core/account/lifetimes.ts';
import type { TokenIssue } from '../../core/account/token-response.ts';
import type { Cache } from '../../store/cache/cache.ts';
import type { OAuthCodesRepo } from '../../store/db/oauth-codes-repo.ts';
import type { OAuthGrantsRepo } from '../../store/db/oauth-grants-repo.ts';
import type { OAuthTokensRepo } from '../../store/db/oauth-tokens-repo.ts';
import type { Database } from '../../store/db/schema.ts';
import type { App, AppService } from '../apps.ts';
import type { AuditService } from '../audit.ts';
import { DerivedIds } from './derived-ids.ts';
import { Grants } from './grants.ts';
import { TokenLifecycle } from './lifecycle.ts';
import { TokenLookup } from './token-lookup.ts';
import type {
  AccessTokenInfo,
  Grant,
  GrantRevokedEvent,
  IssueCodeInput,
  OAuthApi,
  PresentedCredential,
  RedeemInput,
  TokenDetails,
} from './types.ts';

export type { RedeemInput, TokenDetails } from './types.ts';

export interface OAuthDeps {
  grants: OAuthGrantsRepo;
  codes: OAuthCodesRepo;
  tokens: OAuthTokensRepo;
  apps: AppService;
  audit: AuditService;
  cache: () => Cache;
  serverSecret: string;
  lifetimes: Lifetimes;
  /** For transactions: a code or refresh-token redemption commits in one write. */
  db?: Kysely<Database>;
  now?: () => number;
}

export class OAuthService implements OAuthApi {
  private readonly ids: DerivedIds;
  private readonly lookup: TokenLookup;
  private readonly grants: Grants;
  private readonly lifecycle: TokenLifecycle;

  constructor(d: OAuthDeps) {
    const now = d.now ?? Date.now;
    this.ids = new DerivedIds(d.serverSecret);
    this.lookup = new TokenLookup({ tokens: d.tokens, grants: d.grants, apps: d.apps, cache: d.cache, ids: this.ids, now });
    this.grants = new Grants({
      grants: d.grants,
      codes: d.codes,
      tokens: d.tokens,
      audit: d.audit,
      cache: d.cache,
      lookup: this.lookup,
      now,
    });
    this.lifecycle = new TokenLifecycle({
      grants: d.grants,
      codes: d.codes,
      tokens: d.tokens,
      apps: d.apps,
      audit: d.audit,
      lifetimes: d.lifetimes,
      ids: this.ids,
      approvals: this.grants,
      lookup: this.lookup,
      db: d.db,
      now,
    });
  }

  openIdOf(clientId: string, userId: string): string {
    return this.ids.openIdOf(clientId, userId);
  }

  unionIdOf(developerId: string, userId: string): string {
    return this.ids.unionIdOf(developerId, userId);
  }

  macKeyOf(accessToken: string): string {
    return this.ids.macKeyOf(accessToken);
  }

  // ---- grants (grants.ts) -------------------------------------------------------------------

  getGrant(userId: string, clientId: string): Promise<Grant | undefined> {
    return this.grants.get(userId, clientId);
  }

  /** Records that the user approved `scopes` for the app (merged with what was approved before). */
  approve(userId: string, clientId: string, scopes: number[], ip?: string): Promise<Grant> {
    return this.grants.approve(userId, clientId, scopes, ip);
  }

  isGrantActive(clientId: string, userId: string): Promise<boolean> {
    return this.grants.isActive(clientId, userId);
  }

  listGrants(userId: string): Promise<Grant[]> {
    return this.grants.list(userId);
  }

  onGrantRevoked(listener: (e: GrantRevokedEvent) => void): () => void {
    return this.grants.onRevoked(listener);
  }

  /** Resolves when grant-revocation notifications are being received (after onGrantRevoked). */
  grantEventsReady(): Promise<void> {
    return this.grants.eventsReady();
  }

  revokeGrant(userId: string, clientId: string, actor?: string, ip?: string): Promise<boolean> {
    return this.grants.revoke(userId, clientId, actor, ip);
  }

  // ---- codes and tokens (lifecycle.ts) ------------------------------------------------------

  issueCode(input: IssueCodeInput): Promise<string> {
    return this.lifecycle.issueCode(input);
  }

  /** Exchanges a code (single use; reuse revokes what it issued). Throws XmOAuthError. */
  redeemCode(input: RedeemInput, presented?: PresentedCredential): Promise<TokenIssue> {
    return this.lifecycle.redeemCode(input, presented);
  }

  /** Rotates a refresh token (single use; reuse revokes its family). Throws XmOAuthError. */
  refresh(clientId: string, refreshToken: string, ip?: string, presented?: PresentedCredential): Promise<TokenIssue> {
    return this.lifecycle.refresh(clientId, refreshToken, ip, presented);
  }

  /** Implicit flow: an access token without a refresh token. */
  issueImplicit(app: App, userId: string, scopes: number[], ip?: string): Promise<TokenIssue> {
    return this.lifecycle.issueImplicit(app, userId, scopes, ip);
  }

  /**
   * Revokes a token (RFC 7009 semantics): an access token alone; a refresh token with its whole
   * family. With `clientId`, tokens of other clients are left alone. Returns whether it existed.
   */
  revokeToken(token: string, clientId?: string, actor?: string, ip?: string): Promise<boolean> {
    return this.lifecycle.revokeToken(token, clientId, actor, ip);
  }

  /**
   * The code or refresh token a token request presents, read once: `.oidc` says whether it was
   * issued for an OpenID Connect request; pass it on to redeemCode / refresh.
   */
  present(c: { code?: string | undefined; refreshToken?: string | undefined }): Promise<PresentedCredential> {
    return this.lifecycle.present(c);
  }

  /** Deletes expired codes and tokens. */
  purgeExpired(): Promise<void> {
    return this.lifecycle.purgeExpired();
  }

  // ---- look-ups (token-lookup.ts) -----------------------------------------------------------

  resolveAccessToken(token: string): Promise<AccessTokenInfo | undefined> {
    return this.lookup.resolveAccessToken(token);
  }

  /** Drops every node's cached token look-ups (after an app was disabled). */
  forgetCachedTokens(): Promise<void> {
    return this.lookup.invalidateAll();
  }

  /** Any token's details (access or refresh), or undefined when unknown. */
  inspect(token: string): Promise<TokenDetails | undefined> {
    return this.lookup.inspect(token);
  }
}
