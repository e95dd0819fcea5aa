// The token lifecycle: single-use authorization codes, rotating refresh tokens (reuse revokes the
// family), implicit-flow tokens, revocation (RFC 7009 semantics) and the purge of expired rows.
// Credentials come from newCredential(); only their SHA-256 is stored; MAC keys are derived.
import type { Kysely } from 'kysely';
import { XM, type XmErrorCode, XmOAuthError } from '../../core/account/errors.ts';
import type { Lifetimes } from '../../core/account/lifetimes.ts';
import { verifyPkce } from '../../core/account/pkce.ts';
import { sameRedirectHost } from '../../core/account/redirect-uri.ts';
import { formatScopes, scopeIds } from '../../core/account/scope.ts';
import { codeFamilies, codeFamily, familyId } from '../../core/account/token-family.ts';
import type { TokenIssue } from '../../core/account/token-response.ts';
import type { OidcSession } from '../../core/oidc/claims.ts';
import { sha256Hex } from '../../lib/hash.ts';
import { newCredential, readsAsOption } from '../../lib/random.ts';
import { AuditRepo } from '../../store/db/audit-repo.ts';
import { type CodeRow, OAuthCodesRepo } from '../../store/db/oauth-codes-repo.ts';
import { OAuthGrantsRepo } from '../../store/db/oauth-grants-repo.ts';
import { OAuthTokensRepo, type TokenRow } from '../../store/db/oauth-tokens-repo.ts';
import type { Database } from '../../store/db/schema.ts';
import type { App, AppService } from '../apps.ts';
import { type AuditEvent, AuditService } from '../audit.ts';
import type { DerivedIds } from './derived-ids.ts';
import type { Grants } from './grants.ts';
import type { TokenLookup } from './token-lookup.ts';
import type { IssueCodeInput, PresentedCredential, RedeemInput } from './types.ts';

/** The stored sign-in details of an OIDC code or token (written by issueCode from OidcSession). */
function parseSession(json: string): OidcSession {
  return JSON.parse(json) as OidcSession;
}

/** Refreshed id_tokens carry no nonce (OIDC Core §12.2): the rotated tokens keep the rest. */
function withoutNonce(json: string | null): string | null {
  if (json === null) return null;
  const { nonce: _nonce, ...rest } = parseSession(json);
  return JSON.stringify(rest);
}

export interface LifecycleDeps {
  grants: OAuthGrantsRepo;
  codes: OAuthCodesRepo;
  tokens: OAuthTokensRepo;
  apps: AppService;
  audit: AuditService;
  lifetimes: Lifetimes;
  ids: DerivedIds;
  approvals: Grants;
  lookup: TokenLookup;
  /** For transactions: a code or refresh-token redemption commits in one write. */
  db?: Kysely<Database> | undefined;
  now: () => number;
}

interface TxRepos {
  grants: OAuthGrantsRepo;
  codes: OAuthCodesRepo;
  tokens: OAuthTokensRepo;
  audit(e: AuditEvent): Promise<void>;
}

export class TokenLifecycle {
  constructor(private readonly d: LifecycleDeps) {}

  /** Runs `fn` in one database transaction (one commit, one fsync on SQLite). */
  private inTx<T>(fn: (r: TxRepos) => Promise<T>): Promise<T> {
    const db = this.d.db;
    if (!db) return fn({ grants: this.d.grants, codes: this.d.codes, tokens: this.d.tokens, audit: (e) => this.d.audit.record(e) });
    return db.transaction().execute(async (trx) => {
      const audit = new AuditService(new AuditRepo(trx), this.d.now);
      return fn({
        grants: new OAuthGrantsRepo(trx),
        codes: new OAuthCodesRepo(trx),
        tokens: new OAuthTokensRepo(trx),
        audit: (e) => audit.record(e),
      });
    });
  }

  async issueCode(input: IssueCodeInput): Promise<string> {
    const grant = await this.d.approvals.approve(input.userId, input.clientId, input.scopes, input.ip);
    const code = newCredential(24);
    const now = this.d.now();
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
      oidc: input.oidc ? JSON.stringify(input.oidc) : null,
      redirect_host_bound: input.bindRedirectHost ? 1 : 0,
    });
    return code;
  }

  /** Exchanges a code (single use; reuse revokes what it issued). Throws XmOAuthError. */
  async redeemCode(input: RedeemInput, presented?: PresentedCredential): Promise<TokenIssue> {
    const { hash, row } = presented?.kind === 'code' && presented.secret === input.code ? presented : await this.readCode(input.code);
    const now = this.d.now();
    if (!row || row.client_id !== input.clientId) throw new XmOAuthError(XM.INVALID_CODE);
    if (row.used_at !== null) return this.codeReused(row, input.ip);
    if (row.expires_at <= now) throw new XmOAuthError(XM.INVALID_CODE);
    if (input.expectRedirectUri !== undefined && input.expectRedirectUri !== row.redirect_uri) {
      throw new XmOAuthError(XM.INVALID_REDIRECT_URI);
    }
    if (row.redirect_host_bound === 1 && input.redirectUri && !sameRedirectHost(input.redirectUri, row.redirect_uri)) {
      throw new XmOAuthError(XM.INVALID_GRANT, 'invalid grant: redirect_uri is not on the host the code was issued for');
    }
    if (input.requirePkce === true && row.code_challenge === null) {
      throw new XmOAuthError(XM.INVALID_GRANT, 'invalid grant: PKCE is required for this client');
    }
    // A verifier for a code issued without a challenge means the challenge was stripped on the way
    // to /oauth2/authorize (RFC 9700 §4.8.2): refuse rather than ignore it.
    if (row.code_challenge === null && input.codeVerifier !== undefined && input.codeVerifier !== '') {
      throw new XmOAuthError(XM.INVALID_GRANT, 'invalid grant: code_verifier sent for a code issued without code_challenge');
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
      const family = codeFamily(row.created_at, hash);
      const t = await this.mint(r.tokens, app, row.user_id, row.grant_id, scopeIds(row.scopes), family, true, row.oidc);
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

  /**
   * A credential came back after it was spent (a second redemption of a code, a rotated-out
   * refresh token): revoke every token of its family, record it, then refuse with `error`.
   */
  private async replayed(
    families: string[],
    row: { user_id: string; client_id: string },
    type: 'oauth.code.reuse' | 'oauth.refresh.reuse',
    error: XmErrorCode,
    ip: string | undefined,
  ): Promise<never> {
    const now = this.d.now();
    const revoked: string[] = [];
    for (const family of families) revoked.push(...(await this.d.tokens.revoke({ familyId: family }, now)));
    await this.d.lookup.invalidate(revoked);
    await this.d.audit.record({ type, subject: row.user_id, clientId: row.client_id, ip, detail: { revokedTokens: revoked.length } });
    throw new XmOAuthError(error);
  }

  private codeReused(row: CodeRow, ip: string | undefined): Promise<never> {
    return this.replayed(codeFamilies(row.created_at, row.code_hash), row, 'oauth.code.reuse', XM.INVALID_CODE, ip);
  }

  /** Rotates a refresh token (single use; reuse revokes its family). Throws XmOAuthError. */
  async refresh(clientId: string, refreshToken: string, ip?: string, presented?: PresentedCredential): Promise<TokenIssue> {
    const { hash, row } =
      presented?.kind === 'refresh' && presented.secret === refreshToken ? presented : await this.readToken(refreshToken);
    const now = this.d.now();
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
      const t = await this.mint(
        r.tokens,
        app,
        row.user_id,
        row.grant_id,
        scopeIds(row.scopes),
        row.family_id,
        true,
        withoutNonce(row.oidc),
      );
      await r.audit({ type: 'oauth.token.issue', subject: row.user_id, clientId, ip, detail: { grant: 'refresh_token' } });
      return t;
    });
    if (issued === null) throw new XmOAuthError(XM.INVALID_REFRESH_TOKEN);
    return issued ?? this.refreshReused(row, ip);
  }

  private refreshReused(row: TokenRow, ip: string | undefined): Promise<never> {
    return this.replayed([row.family_id], row, 'oauth.refresh.reuse', XM.INVALID_REFRESH_TOKEN, ip);
  }

  /** Implicit flow: an access token without a refresh token. */
  async issueImplicit(app: App, userId: string, scopes: number[], ip?: string): Promise<TokenIssue> {
    const grant = await this.d.approvals.approve(userId, app.clientId, scopes, ip);
    const family = familyId(this.d.now(), newCredential(21));
    const issued = await this.mint(this.d.tokens, app, userId, grant.grantId, scopes, family, false, null);
    await this.d.audit.record({ type: 'oauth.token.issue', subject: userId, clientId: app.clientId, ip, detail: { grant: 'implicit' } });
    return issued;
  }

  private async mint(
    tokens: OAuthTokensRepo,
    app: App,
    userId: string,
    grantId: string,
    scopes: number[],
    family: string,
    withRefresh: boolean,
    oidc: string | null,
  ): Promise<TokenIssue> {
    const now = this.d.now();
    // OpenID Connect tokens are bearer tokens (OIDC Core §3.1.3.3, /userinfo); Xiaomi ones follow the app.
    const tokenType = app.flags.bearer || oidc !== null ? 'bearer' : 'mac';
    // The MAC key is derived from the token: a token is drawn again until its key too does not begin with '-'.
    let accessToken: string;
    let macKey: string | undefined;
    do {
      accessToken = newCredential(30);
      macKey = tokenType === 'mac' ? this.d.ids.macKeyOf(accessToken) : undefined;
    } while (macKey !== undefined && readsAsOption(macKey));
    const refreshToken = withRefresh ? newCredential(30) : '';
    const base = {
      grant_id: grantId,
      client_id: app.clientId,
      user_id: userId,
      scopes: scopes.join(','),
      token_type: tokenType,
      family_id: family,
      used_at: null,
      revoked_at: null,
      created_at: now,
      oidc,
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
      macKey,
      openId: this.d.ids.openIdOf(app.clientId, userId),
      unionId: this.d.ids.unionIdOf(app.developerId, userId),
      ...(oidc !== null ? { oidc: parseSession(oidc) } : {}),
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
    const now = this.d.now();
    const revoked =
      row.kind === 'refresh'
        ? await this.d.tokens.revoke({ familyId: row.family_id }, now)
        : await this.d.tokens.revoke({ tokenHash: hash }, now);
    await this.d.lookup.invalidate(revoked.length > 0 ? revoked : [hash]);
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

  /**
   * Reads the code or refresh token a token request presents, once: whether it was issued for an
   * OpenID Connect request, and the row redeemCode / refresh go on from (a concurrent change is
   * still caught there: both spend the credential with a conditional update in their transaction).
   */
  async present(c: { code?: string | undefined; refreshToken?: string | undefined }): Promise<PresentedCredential> {
    if (c.code) {
      const { hash, row } = await this.readCode(c.code);
      return { kind: 'code', secret: c.code, hash, row, oidc: (row?.oidc ?? null) !== null };
    }
    if (c.refreshToken) {
      const { hash, row } = await this.readToken(c.refreshToken);
      return { kind: 'refresh', secret: c.refreshToken, hash, row, oidc: (row?.oidc ?? null) !== null };
    }
    return { kind: 'none', oidc: false };
  }

  private async readCode(code: string): Promise<{ hash: string; row: CodeRow | undefined }> {
    const hash = sha256Hex(code);
    return { hash, row: await this.d.codes.get(hash) };
  }

  private async readToken(token: string): Promise<{ hash: string; row: TokenRow | undefined }> {
    const hash = sha256Hex(token);
    return { hash, row: await this.d.tokens.get(hash) };
  }

  /** Deletes expired codes and tokens. */
  async purgeExpired(): Promise<void> {
    const t = this.d.now() - 24 * 3600_000;
    await this.d.codes.purge(t);
    await this.d.tokens.purge(t);
  }
}
