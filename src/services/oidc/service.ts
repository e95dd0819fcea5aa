// OpenID Connect (ctx.services.oidc): id_tokens signed with the keys of keys.ts, the token
// response of OIDC requests, /userinfo claims, per-app settings (id_token algorithm, registered
// post-logout URIs) and id_token_hint checks for RP-initiated logout. The wire rules are in
// core/oidc/; the Xiaomi token response is never touched here.
import type { JWK } from 'jose';
import { scopeIds } from '../../core/account/scope.ts';
import type { TokenIssue } from '../../core/account/token-response.ts';
import { idTokenClaims, userinfoClaims } from '../../core/oidc/claims.ts';
import { type IdTokenAlg, isIdTokenAlg } from '../../core/oidc/hashes.ts';
import { formatOidcScope } from '../../core/oidc/scopes.ts';
import { avatarUrls } from '../../core/open/profile.ts';
import { InvalidInputError, NotFoundError } from '../../lib/errors.ts';
import type { OidcRepo } from '../../store/db/oidc-repo.ts';
import type { AppService } from '../apps.ts';
import type { AccessTokenInfo } from '../oauth/types.ts';
import type { UserService } from '../users.ts';
import { loadJose } from './jose.ts';
import { ID_TOKEN_LIFETIME_SEC, OidcKeys } from './keys.ts';

export interface OidcClientSettings {
  clientId: string;
  /** Registered post_logout_redirect_uri values, `;`-separated (empty: none). */
  postLogoutUris: string;
  idTokenAlg: IdTokenAlg;
}

/** The JSON token response of an OpenID Connect request (RFC 6749 §5.1, OIDC Core §3.1.3.3). */
export interface OidcTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  scope: string;
  id_token: string;
}

export interface OidcDeps {
  repo: OidcRepo;
  apps: AppService;
  users: UserService;
  serverSecret: () => string;
  /** The issuer: the account origin's public URL (read when used). */
  issuer: () => string;
  now: () => number;
}

export class OidcService {
  readonly keys: OidcKeys;

  constructor(private readonly d: OidcDeps) {
    this.keys = new OidcKeys(d.repo, d.serverSecret, d.now);
  }

  get issuer(): string {
    return this.d.issuer();
  }

  async client(clientId: string): Promise<OidcClientSettings> {
    const row = await this.d.repo.getClient(clientId);
    const alg = row?.id_token_alg ?? 'RS256';
    return { clientId, postLogoutUris: row?.post_logout_uris ?? '', idTokenAlg: isIdTokenAlg(alg) ? alg : 'RS256' };
  }

  /** Sets an app's OIDC settings (the CLI); unknown apps and algorithms are refused. */
  async configureClient(
    clientId: string,
    patch: { postLogoutUris?: string | undefined; idTokenAlg?: string | undefined },
  ): Promise<OidcClientSettings> {
    if (!(await this.d.apps.find(clientId))) throw new NotFoundError(`app ${clientId} not found`);
    if (patch.idTokenAlg !== undefined && !isIdTokenAlg(patch.idTokenAlg))
      throw new InvalidInputError('id_token algorithm must be RS256 or ES256');
    for (const uri of (patch.postLogoutUris ?? '').split(';').filter(Boolean)) {
      if (!URL.canParse(uri) || !/^https?:$/.test(new URL(uri).protocol))
        throw new InvalidInputError(`post-logout URI "${uri}" is not an absolute http(s) URL`);
    }
    const cur = await this.client(clientId);
    const next: OidcClientSettings = {
      clientId,
      postLogoutUris: patch.postLogoutUris ?? cur.postLogoutUris,
      idTokenAlg: (patch.idTokenAlg as IdTokenAlg | undefined) ?? cur.idTokenAlg,
    };
    await this.d.repo.putClient({
      client_id: clientId,
      post_logout_uris: next.postLogoutUris,
      id_token_alg: next.idTokenAlg,
      updated_at: this.d.now(),
    });
    return next;
  }

  /** Signs an id_token for an issue of an OIDC request (with at_hash and/or c_hash when given). */
  async idToken(
    issue: Pick<TokenIssue, 'unionId' | 'oidc'>,
    clientId: string,
    bind: { accessToken?: string; code?: string; state?: string | undefined; withNonce: boolean },
  ): Promise<string> {
    if (!issue.oidc) throw new Error('not an OpenID Connect issue');
    const { idTokenAlg } = await this.client(clientId);
    const key = await this.keys.signing(idTokenAlg);
    const claims = idTokenClaims({
      issuer: this.issuer,
      clientId,
      sub: issue.unionId,
      session: issue.oidc,
      now: Math.floor(this.d.now() / 1000),
      lifetimeSec: ID_TOKEN_LIFETIME_SEC,
      alg: key.alg,
      accessToken: bind.accessToken,
      code: bind.code,
      state: bind.state,
      withNonce: bind.withNonce,
    });
    const { SignJWT } = await loadJose();
    return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).sign(key.key);
  }

  /** The token response of a code or refresh grant of an OIDC request. */
  async tokenResponse(issue: TokenIssue, clientId: string, grant: 'authorization_code' | 'refresh_token'): Promise<OidcTokenResponse> {
    const idToken = await this.idToken(issue, clientId, { accessToken: issue.accessToken, withNonce: grant === 'authorization_code' });
    return {
      access_token: issue.accessToken,
      token_type: 'Bearer',
      expires_in: issue.expiresIn,
      ...(issue.refreshToken ? { refresh_token: issue.refreshToken } : {}),
      scope: formatOidcScope(scopeIds(issue.scope)),
      id_token: idToken,
    };
  }

  /** /userinfo claims for a resolved bearer token of an OIDC request; undefined when the user is gone. */
  async userinfo(info: AccessTokenInfo): Promise<Record<string, unknown> | undefined> {
    const user = await this.d.users.get(info.userId);
    if (!user) return undefined;
    return userinfoClaims({
      sub: info.unionId,
      scopes: info.scopes,
      nickname: user.nickname,
      picture: avatarUrls(user.avatarUrl, this.issuer)[''],
      email: user.email,
      phone: user.phone,
      locale: user.locale,
    });
  }

  /**
   * The client and subject of an id_token this server issued (signature and issuer checked; an
   * expired token is still a valid hint, RP-Initiated Logout §2). Undefined when it is not ours.
   */
  async readIdTokenHint(token: string): Promise<{ clientId: string; sub: string } | undefined> {
    const { compactVerify, createLocalJWKSet } = await loadJose();
    const jwks = createLocalJWKSet((await this.keys.jwks()) as { keys: JWK[] });
    try {
      const { payload: raw } = await compactVerify(token, jwks, { algorithms: ['RS256', 'ES256'] });
      const payload = JSON.parse(new TextDecoder().decode(raw)) as { iss?: unknown; aud?: unknown; sub?: unknown };
      if (payload.iss !== this.issuer) return undefined;
      const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
      if (typeof aud !== 'string' || typeof payload.sub !== 'string') return undefined;
      return { clientId: aud, sub: payload.sub };
    } catch {
      return undefined;
    }
  }
}
