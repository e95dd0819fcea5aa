// The OAuth service: grants, single-use codes, rotating refresh tokens, access-token look-ups with
// node-local caching invalidated on every node, and revocation (grant, token, token family).
// Credentials come from newCredential(); only their SHA-256 is stored; MAC keys are derived.

import type { Kysely } from 'kysely';
import { XM, XmOAuthError } from '../../core/account/errors.ts';
import { deriveMacKey, deriveOpenId, deriveUnionId } from '../../core/account/ids.ts';
import type { Lifetimes } from '../../core/account/lifetimes.ts';
import { verifyPkce } from '../../core/account/pkce.ts';
import { formatScopes, scopeIds } from '../../core/account/scope.ts';
import type { TokenIssue } from '../../core/account/token-response.ts';
import { sha256Hex } from '../../lib/hash.ts';
import { newCredential } from '../../lib/random.ts';
import type { Cache } from '../../store/cache/cache.ts';
import { InvalidatingCache } from '../../store/cache/invalidating-cache.ts';
import { AuditRepo } from '../../store/db/audit-repo.ts';
import { type CodeRow, OAuthCodesRepo } from '../../store/db/oauth-codes-repo.ts';
import { type GrantRow, OAuthGrantsRepo } from '../../store/db/oauth-grants-repo.ts';
import { OAuthTokensRepo, type TokenRow } from '../../store/db/oauth-tokens-repo.ts';
import type { Database } from '../../store/db/schema.ts';
import type { App, AppService } from '../apps.ts';
import { type AuditEvent, AuditService } from '../audit.ts';
import type { AccessTokenInfo, Grant, GrantRevokedEvent, IssueCodeInput, OAuthApi } from './types.ts';

const GRANT_CHANNEL = 'oauth:grant-revoked';
const TOKEN_CHANNEL = 'oauth:token-invalidated';

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

interface TxRepos {
  grants: OAuthGrantsRepo;
  codes: OAuthCodesRepo;
  tokens: OAuthTokensRepo;
  audit(e: AuditEvent): Promise<void>;
}

/** Details of any token (access or refresh) for introspection and the CLI; never the secret. */
export interface TokenDetails {
  kind: 'access' | 'refresh';
  active: boolean;
  clientId: string;
  userId: string;
  scopes: number[];
  tokenType: 'mac' | 'bearer';
  grantId: string;
  familyId: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  revokedAt: number | null;
  openId: string;
  unionId: string;
}

export interface RedeemInput {
  clientId: string;
  code: string;
  codeVerifier?: string | undefined;
  /** Public clients: the code must carry a PKCE challenge. */
  requirePkce?: boolean | undefined;
  /**
   * Strict mode (apps with `exactRedirect`): the token request's redirect_uri, which must be
   * byte-identical to the one the code was issued for (RFC 6749 §4.1.3; account-protocol §4.1
   * "strict"). Undefined: not checked (the lenient default).
   */
  expectRedirectUri?: string | undefined;
  ip?: string | undefined;
}

function toGrant(r: GrantRow): Grant {
  return {
    grantId: r.grant_id,
    clientId: r.client_id,
    userId: r.user_id,
    scopes: scopeIds(r.scopes),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class OAuthService implements OAuthApi {
  private readonly now: () => number;
  private lookup: InvalidatingCache<AccessTokenInfo> | undefined;
  private lookupStarted: Promise<void> | undefined;
  private readonly grantListeners = new Set<(e: GrantRevokedEvent) => void>();
  private grantSubscription: Promise<unknown> | undefined;

  constructor(private readonly d: OAuthDeps) {
    this.now = d.now ?? Date.now;
  }

  /** Runs `fn` in one database transaction (one commit, one fsync on SQLite). */
  private inTx<T>(fn: (r: TxRepos) => Promise<T>): Promise<T> {
    const db = this.d.db;
    if (!db) return fn({ grants: this.d.grants, codes: this.d.codes, tokens: this.d.tokens, audit: (e) => this.d.audit.record(e) });
    return db.transaction().execute(async (trx) => {
      const audit = new AuditService(new AuditRepo(trx), this.now);
      return fn({
        grants: new OAuthGrantsRepo(trx),
        codes: new OAuthCodesRepo(trx),
        tokens: new OAuthTokensRepo(trx),
        audit: (e) => audit.record(e),
      });
    });
  }

  private async tokenCache(): Promise<InvalidatingCache<AccessTokenInfo>> {
    this.lookup ??= new InvalidatingCache<AccessTokenInfo>(this.d.cache(), TOKEN_CHANNEL, 30_000, 50_000, this.now);
    this.lookupStarted ??= this.lookup.start();
    await this.lookupStarted;
    return this.lookup;
  }

  private async invalidate(hashes: string[]): Promise<void> {
    if (hashes.length === 0) return;
    let c: InvalidatingCache<AccessTokenInfo>;
    try {
      c = await this.tokenCache();
    } catch {
      return; // no cache in this context (CLI data commands): nothing cached anywhere to drop here
    }
    if (hashes.length > 200) await c.invalidate('*');
    else for (const h of hashes) await c.invalidate(h);
  }

  openIdOf(clientId: string, userId: string): string {
    return deriveOpenId(this.d.serverSecret, clientId, userId);
  }

  unionIdOf(developerId: string, userId: string): string {
    return deriveUnionId(this.d.serverSecret, developerId, userId);
  }

  macKeyOf(accessToken: string): string {
    return deriveMacKey(this.d.serverSecret, accessToken);
  }

  // ---- grants -------------------------------------------------------------------------------

  async getGrant(userId: string, clientId: string): Promise<Grant | undefined> {
    const r = await this.d.grants.get(userId, clientId);
    return r ? toGrant(r) : undefined;
  }

  /** Records that the user approved `scopes` for the app (merged with what was approved before). */
  async approve(userId: string, clientId: string, scopes: number[], ip?: string): Promise<Grant> {
    const now = this.now();
    let r = await this.d.grants.get(userId, clientId);
    if (!r) {
      const row: GrantRow = {
        grant_id: newCredential(20),
        user_id: userId,
        client_id: clientId,
        scopes: scopes.join(','),
        created_at: now,
        updated_at: now,
      };
      if (await this.d.grants.insert(row)) {
        await this.d.audit.record({ type: 'oauth.grant', actor: userId, subject: userId, clientId, ip, detail: { scopes } });
        return toGrant(row);
      }
      r = await this.d.grants.get(userId, clientId);
      if (!r) throw new Error('grant vanished');
    }
    const have = scopeIds(r.scopes);
    const merged = [...new Set([...have, ...scopes])].sort((a, b) => a - b);
    if (merged.length !== have.length) {
      await this.d.grants.setScopes(r.grant_id, merged.join(','), now);
      await this.d.audit.record({ type: 'oauth.grant', actor: userId, subject: userId, clientId, ip, detail: { scopes: merged } });
      return { ...toGrant(r), scopes: merged, updatedAt: now };
    }
    return toGrant(r);
  }

  async isGrantActive(clientId: string, userId: string): Promise<boolean> {
    return Boolean(await this.d.grants.get(userId, clientId));
  }

  async listGrants(userId: string): Promise<Grant[]> {
    return (await this.d.grants.listByUser(userId)).map(toGrant);
  }

  onGrantRevoked(listener: (e: GrantRevokedEvent) => void): () => void {
    this.grantListeners.add(listener);
    this.grantSubscription ??= this.d
      .cache()
      .subscribe(GRANT_CHANNEL, (msg) => {
        let e: GrantRevokedEvent;
        try {
          e = JSON.parse(msg) as GrantRevokedEvent;
        } catch {
          return;
        }
        for (const l of this.grantListeners) {
          try {
            l(e);
          } catch {
            /* a listener's failure is its own */
          }
        }
      })
      .catch(() => undefined);
    return () => {
      this.grantListeners.delete(listener);
    };
  }

  /** Resolves when grant-revocation notifications are being received (after onGrantRevoked). */
  async grantEventsReady(): Promise<void> {
    await this.grantSubscription;
  }

  async revokeGrant(userId: string, clientId: string, actor?: string, ip?: string): Promise<boolean> {
    const g = await this.d.grants.get(userId, clientId);
    if (!g) return false;
    await this.d.grants.delete(g.grant_id);
    await this.d.codes.deleteByGrant(g.grant_id);
    const hashes = await this.d.tokens.revoke({ grantId: g.grant_id }, this.now());
    await this.invalidate(hashes);
    await this.d.audit.record({
      type: 'oauth.grant.revoke',
      actor: actor ?? userId,
      subject: userId,
      clientId,
      ip,
      detail: { tokens: hashes.length },
    });
    try {
      await this.d.cache().publish(GRANT_CHANNEL, JSON.stringify({ grantId: g.grant_id, clientId, userId } satisfies GrantRevokedEvent));
    } catch {
      /* no cache in this context */
    }
    return true;
  }

  // ---- codes ---------------------------------------------------------------------------------

  async issueCode(input: IssueCodeInput): Promise<string> {
    const grant = await this.approve(input.userId, input.clientId, input.scopes, input.ip);
    const code = newCredential(24);
    const now = this.now();
    await this.d.codes.insert({
      code_hash: sha256Hex(code),
      client_id: input.clientId,
      user_id: input.userId,
      grant_id: grant.grantId,
      scopes: input.scopes.join(','),
      redirect_uri: input.redirectUri,
      code_challenge: input.codeChallenge ?? null,
      expires_at: now + this.d.lifetimes.codeMs,
      used_at: null,
      created_at: now,
    });
    return code;
  }

  /** Exchanges a code (single use; reuse revokes what it issued). Throws XmOAuthError. */
  async redeemCode(input: RedeemInput): Promise<TokenIssue> {
    const hash = sha256Hex(input.code);
    const row = await this.d.codes.get(hash);
    const now = this.now();
    if (!row || row.client_id !== input.clientId) throw new XmOAuthError(XM.INVALID_CODE);
    if (row.used_at !== null) return this.codeReused(row, input.ip);
    if (row.expires_at <= now) throw new XmOAuthError(XM.INVALID_CODE);
    if (input.expectRedirectUri !== undefined && input.expectRedirectUri !== row.redirect_uri) {
      throw new XmOAuthError(XM.INVALID_REDIRECT_URI);
    }
    if (input.requirePkce === true && row.code_challenge === null) {
      throw new XmOAuthError(XM.INVALID_GRANT, 'invalid grant: PKCE is required for this client');
    }
    if (row.code_challenge !== null && !verifyPkce(row.code_challenge, input.codeVerifier)) {
      throw new XmOAuthError(XM.INVALID_GRANT, 'invalid grant: PKCE verification failed');
    }
    const app = await this.d.apps.get(row.client_id);
    if (!app) throw new XmOAuthError(XM.CLIENT_NOT_EXISTS);
    const issued = await this.inTx(async (r) => {
      // The grant must still exist when the tokens commit (see refresh()).
      if (!(await r.grants.lockIfActive(row.grant_id))) return null;
      if (!(await r.codes.markUsed(hash, now))) return undefined;
      const t = await this.mint(r.tokens, app, row.user_id, row.grant_id, scopeIds(row.scopes), hash, true);
      await r.audit({
        type: 'oauth.token.issue',
        subject: row.user_id,
        clientId: row.client_id,
        ip: input.ip,
        detail: { grant: 'authorization_code' },
      });
      return t;
    });
    if (issued === null) throw new XmOAuthError(XM.INVALID_CODE);
    return issued ?? this.codeReused(row, input.ip);
  }

  /** A second redemption: revoke every token issued from the code, then refuse. */
  private async codeReused(row: CodeRow, ip: string | undefined): Promise<never> {
    const revoked = await this.d.tokens.revoke({ familyId: row.code_hash }, this.now());
    await this.invalidate(revoked);
    await this.d.audit.record({
      type: 'oauth.code.reuse',
      subject: row.user_id,
      clientId: row.client_id,
      ip,
      detail: { revokedTokens: revoked.length },
    });
    throw new XmOAuthError(XM.INVALID_CODE);
  }

  // ---- tokens --------------------------------------------------------------------------------

  /** Rotates a refresh token (single use; reuse revokes its family). Throws XmOAuthError. */
  async refresh(clientId: string, refreshToken: string, ip?: string): Promise<TokenIssue> {
    const hash = sha256Hex(refreshToken);
    const row = await this.d.tokens.get(hash);
    const now = this.now();
    if (row?.kind !== 'refresh' || row.client_id !== clientId || row.revoked_at !== null) {
      throw new XmOAuthError(XM.INVALID_REFRESH_TOKEN);
    }
    if (row.expires_at <= now) throw new XmOAuthError(XM.INVALID_REFRESH_TOKEN);
    if (row.used_at !== null) return this.refreshReused(row, ip);
    const app = await this.d.apps.get(clientId);
    if (!app) throw new XmOAuthError(XM.INVALID_REFRESH_TOKEN);
    const issued = await this.inTx(async (r) => {
      // Lock the grant row until the commit: a revocation either happened before (nothing minted)
      // or waits for this commit and then revokes what it minted. Locked first, in the order a
      // revocation takes (grant, then codes and tokens), so the two cannot deadlock.
      if (!(await r.grants.lockIfActive(row.grant_id))) return null;
      if (!(await r.tokens.markUsed(hash, now))) return undefined;
      const t = await this.mint(r.tokens, app, row.user_id, row.grant_id, scopeIds(row.scopes), row.family_id, true);
      await r.audit({ type: 'oauth.token.issue', subject: row.user_id, clientId, ip, detail: { grant: 'refresh_token' } });
      return t;
    });
    if (issued === null) throw new XmOAuthError(XM.INVALID_REFRESH_TOKEN);
    return issued ?? this.refreshReused(row, ip);
  }

  /** A rotated-out refresh token came back: revoke its whole family, then refuse. */
  private async refreshReused(row: TokenRow, ip: string | undefined): Promise<never> {
    const revoked = await this.d.tokens.revoke({ familyId: row.family_id }, this.now());
    await this.invalidate(revoked);
    await this.d.audit.record({
      type: 'oauth.refresh.reuse',
      subject: row.user_id,
      clientId: row.client_id,
      ip,
      detail: { revokedTokens: revoked.length },
    });
    throw new XmOAuthError(XM.INVALID_REFRESH_TOKEN);
  }

  /** Implicit flow: an access token without a refresh token. */
  async issueImplicit(app: App, userId: string, scopes: number[], ip?: string): Promise<TokenIssue> {
    const grant = await this.approve(userId, app.clientId, scopes, ip);
    const issued = await this.mint(this.d.tokens, app, userId, grant.grantId, scopes, newCredential(20), false);
    await this.d.audit.record({ type: 'oauth.token.issue', subject: userId, clientId: app.clientId, ip, detail: { grant: 'implicit' } });
    return issued;
  }

  private async mint(
    tokens: OAuthTokensRepo,
    app: App,
    userId: string,
    grantId: string,
    scopes: number[],
    familyId: string,
    withRefresh: boolean,
  ): Promise<TokenIssue> {
    const now = this.now();
    const tokenType = app.flags.bearer ? 'bearer' : 'mac';
    const accessToken = newCredential(30);
    const refreshToken = withRefresh ? newCredential(30) : '';
    const base = {
      grant_id: grantId,
      client_id: app.clientId,
      user_id: userId,
      scopes: scopes.join(','),
      token_type: tokenType,
      family_id: familyId,
      used_at: null,
      revoked_at: null,
      created_at: now,
    };
    const rows: TokenRow[] = [
      { ...base, token_hash: sha256Hex(accessToken), kind: 'access', expires_at: now + this.d.lifetimes.accessTokenSec * 1000 },
    ];
    if (withRefresh)
      rows.push({
        ...base,
        token_hash: sha256Hex(refreshToken),
        kind: 'refresh',
        expires_at: now + this.d.lifetimes.refreshTokenSec * 1000,
      });
    await tokens.insert(rows);
    return {
      accessToken,
      refreshToken,
      expiresIn: this.d.lifetimes.accessTokenSec,
      scope: formatScopes(scopes),
      tokenType,
      macKey: tokenType === 'mac' ? this.macKeyOf(accessToken) : undefined,
      openId: this.openIdOf(app.clientId, userId),
      unionId: this.unionIdOf(app.developerId, userId),
    };
  }

  async resolveAccessToken(token: string): Promise<AccessTokenInfo | undefined> {
    if (!token || token.length > 512) return undefined;
    const hash = sha256Hex(token);
    const cache = await this.tokenCache().catch(() => undefined);
    const now = this.now();
    const hit = cache?.get(hash);
    if (hit) return hit.expiresAt > now ? hit : undefined;
    const since = cache?.generation();
    const row = await this.d.tokens.get(hash);
    if (row?.kind !== 'access' || row.revoked_at !== null || row.expires_at <= now) return undefined;
    // A token whose grant is gone does not resolve, however it came to outlive the grant's
    // revocation (the answer is cached below, and dropped on every node at revocation).
    if (!(await this.d.grants.byId(row.grant_id))) return undefined;
    const app = await this.d.apps.get(row.client_id);
    if (!app) return undefined;
    const tokenType = row.token_type === 'bearer' ? 'bearer' : 'mac';
    const info: AccessTokenInfo = {
      clientId: row.client_id,
      userId: row.user_id,
      scopes: scopeIds(row.scopes),
      openId: this.openIdOf(row.client_id, row.user_id),
      unionId: this.unionIdOf(app.developerId, row.user_id),
      tokenType,
      macKey: tokenType === 'mac' ? this.macKeyOf(token) : undefined,
      expiresAt: row.expires_at,
      grantId: row.grant_id,
    };
    cache?.set(hash, info, since);
    return info;
  }

  /** Any token's details (access or refresh), or undefined when unknown. */
  async inspect(token: string): Promise<TokenDetails | undefined> {
    const row = await this.d.tokens.get(sha256Hex(token));
    if (!row) return undefined;
    const app = await this.d.apps.get(row.client_id);
    const now = this.now();
    return {
      kind: row.kind === 'refresh' ? 'refresh' : 'access',
      active: row.revoked_at === null && row.used_at === null && row.expires_at > now,
      clientId: row.client_id,
      userId: row.user_id,
      scopes: scopeIds(row.scopes),
      tokenType: row.token_type === 'bearer' ? 'bearer' : 'mac',
      grantId: row.grant_id,
      familyId: row.family_id,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      usedAt: row.used_at,
      revokedAt: row.revoked_at,
      openId: this.openIdOf(row.client_id, row.user_id),
      unionId: app ? this.unionIdOf(app.developerId, row.user_id) : '',
    };
  }

  /**
   * Revokes a token (RFC 7009 semantics): an access token alone; a refresh token with its whole
   * family. With `clientId`, tokens of other clients are left alone. Returns whether it existed.
   */
  async revokeToken(token: string, clientId?: string, actor?: string, ip?: string): Promise<boolean> {
    const hash = sha256Hex(token);
    const row = await this.d.tokens.get(hash);
    if (!row || (clientId !== undefined && row.client_id !== clientId)) return false;
    const now = this.now();
    const revoked =
      row.kind === 'refresh'
        ? await this.d.tokens.revoke({ familyId: row.family_id }, now)
        : await this.d.tokens.revoke({ tokenHash: hash }, now);
    await this.invalidate(revoked.length > 0 ? revoked : [hash]);
    await this.d.audit.record({
      type: 'oauth.token.revoke',
      actor: actor ?? row.client_id,
      subject: row.user_id,
      clientId: row.client_id,
      ip,
      detail: { kind: row.kind, tokens: revoked.length },
    });
    return true;
  }

  /** Deletes expired codes and tokens. */
  async purgeExpired(): Promise<void> {
    const t = this.now() - 24 * 3600_000;
    await this.d.codes.purge(t);
    await this.d.tokens.purge(t);
  }
}
