// FDS storage tokens (fds-protocol §2.4) and SSO service tokens (§2.5): the exchange of a
// third-party OAuth access token for a storage token, their look-up on every FDS request, listing
// and revocation. Tokens are random (newCredential), stored as SHA-256, expire at an absolute
// epoch-ms time, and die with the OAuth grant they came from when this Opal is the provider.
import { randomBytes } from 'node:crypto';
import type { Config } from '../../config.ts';
import { newNonce } from '../../core/account/mac-nonce.ts';
import { FdsError } from '../../core/fds/errors.ts';
import {
  APP_ID_RE,
  type ExchangeParams,
  PROVIDER_IMPLS,
  type ProviderName,
  parseExchangeParams,
  type Verification,
} from '../../core/fds/oauth-providers/index.ts';
import { sha256Hex } from '../../lib/hash.ts';
import { newCredential, randomString } from '../../lib/random.ts';
import type { Cache } from '../../store/cache/cache.ts';
import type { StorageTokenRow, StorageTokensRepo } from '../../store/db/storage-tokens-repo.ts';
import type { AppService } from '../apps.ts';
import type { AuditService } from '../audit.ts';
import type { OAuthApi } from '../oauth/types.ts';
import { ProviderUnreachableError, sendProviderRequest } from './provider-client.ts';

/** The only SSO service id FDS accepts (JS SDK default, fds-protocol §2.5). */
export const FDS_SID = 'galaxy-fds';

/** Who an FDS request authenticated by a storage token or a serviceToken acts as. */
/** What a token row says about its holder; `mint` adds the id, hash and times. */
type TokenFields = Omit<StorageTokenRow, 'id' | 'token_hash' | 'created_at' | 'expires_at' | 'revoked_at'>;

export interface StorageCaller {
  kind: 'oauth' | 'sso';
  /** Public id of the token (for audit). */
  tokenId: string;
  /** FDS app the caller acts for (oauth: bound at exchange; sso: the request's appId, if any). */
  appId: string | undefined;
  /** Developer owning appId (oauth only). */
  developerId: string | undefined;
  provider: string;
  providerAppId: string;
  providerUserId: string;
  /** The Opal user behind the token, when known. */
  opalUserId: string | undefined;
  expiresAt: number;
}

export interface StorageTokenDeps {
  config: Config;
  repo: StorageTokensRepo;
  apps: AppService;
  audit: AuditService;
  cache: () => Cache;
  oauth: OAuthApi;
  now?: () => number;
  /** Sends provider requests (tests of the service may point it elsewhere; default real fetch). */
  send?: typeof sendProviderRequest;
}

export interface TokenSummary {
  id: string;
  kind: string;
  appId: string | null;
  provider: string;
  providerAppId: string;
  providerUserId: string;
  opalUserId: string | null;
  createdAt: number;
  expireTime: number;
  revokedAt: number | null;
  state: 'live' | 'expired' | 'revoked';
}

// Short: a revocation from another process (CLI) on an in-memory cache is seen within this time.
const LOOKUP_TTL_MS = 5_000;
/** Expired and revoked rows stay listable (`opal fds token list --all`) this long. */
export const PURGE_RETAIN_MS = 30 * 24 * 3600_000;
const cacheKey = (hash: string) => `fds:st:${hash}`;

export class StorageTokenService {
  private readonly now: () => number;
  private readonly send: typeof sendProviderRequest;
  private unsubscribe: (() => void) | undefined;
  private lastPurge = 0;

  constructor(private readonly d: StorageTokenDeps) {
    this.now = d.now ?? Date.now;
    this.send = d.send ?? sendProviderRequest;
  }

  /** Revokes storage tokens whenever a grant of this Opal is revoked (on any node). */
  listenForGrantRevocations(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.d.oauth.onGrantRevoked((e) => {
      void this.revokeWhere({ grantId: e.grantId }, 'grant-revoked').catch(() => undefined);
    });
  }

  stopListening(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Base URL of a provider, or undefined when the provider is switched off. */
  providerBase(p: ProviderName): string | undefined {
    const c = this.d.config;
    if (!c.fdsOauthProviders.includes(p)) return undefined;
    switch (p) {
      case 'XiaoMi':
        return c.fdsOauthXiaomiUrl ?? c.publicUrl;
      case 'QQ':
        return c.fdsOauthQqUrl;
      case 'Sina':
        return c.fdsOauthSinaUrl;
      case 'RenRen':
        return c.fdsOauthRenrenUrl;
    }
  }

  /** Whether XiaoMi tokens are verified by this Opal itself (then grants are followed). */
  private xiaomiIsSelf(): boolean {
    const c = this.d.config;
    return c.fdsOauthXiaomiUrl === undefined || c.fdsOauthXiaomiUrl === c.publicUrl;
  }

  // ---- exchange ------------------------------------------------------------------------------

  /**
   * `GET /?storageAccessToken&appId=…&oauthAppId=…&oauthAccessToken=…&oauthProvider=…`: verifies the
   * token at its provider and mints a storage token. Throws FdsError; audits both outcomes.
   */
  async exchange(query: ReadonlyMap<string, string>, ip: string | undefined): Promise<{ token: string; expireTime: number }> {
    const provider = query.get('oauthProvider');
    const appId = query.get('appId');
    const refuse = async (err: FdsError): Promise<never> => {
      await this.d.audit.record({
        type: 'fds.storage_token.refused',
        clientId: appId && APP_ID_RE.test(appId) ? appId : undefined,
        ip,
        detail: { provider: provider?.slice(0, 32), error: err.code, reason: err.detail },
      });
      throw err;
    };
    const limit = this.d.config.fdsTokenExchangePerMinute;
    if (limit > 0) {
      const n = await this.d.cache().incr(`fds:st-exchange:${ip ?? 'unknown'}`, 60_000);
      if (n > limit) return refuse(new FdsError('TooManyRequests', `more than ${limit} token exchanges per minute from this address`));
    }
    const parsed = parseExchangeParams(query);
    if (!parsed.ok) return refuse(new FdsError('InvalidOAuthParameters', parsed.message));
    const p = parsed.params;
    const base = this.providerBase(p.provider);
    if (!base) return refuse(new FdsError('InvalidOAuthParameters', `oauthProvider ${p.provider} is disabled on this server`));
    const app = await this.d.apps.get(p.appId);
    if (!app) return refuse(new FdsError('InvalidOAuthParameters', 'unknown appId'));
    if (!(await this.mayExchange(p, app.developerId))) {
      return refuse(
        new FdsError(
          'InvalidOAuthParameters',
          `oauthAppId ${p.oauthAppId} at ${p.provider} is not bound to appId ${p.appId} (opal fds token bind)`,
        ),
      );
    }

    let v: Verification;
    try {
      v = await this.verify(p, base);
    } catch (e) {
      if (e instanceof ProviderUnreachableError) {
        return refuse(new FdsError('UpstreamServiceError', `${p.provider} could not be reached: ${e.message}`));
      }
      throw e;
    }
    if (!v.ok) {
      const err = v.kind === 'bad-reply' ? 'UpstreamServiceError' : 'VerifyOAuthAccessTokenError';
      return refuse(new FdsError(err, v.message));
    }
    if (v.providerAppId !== p.oauthAppId) {
      return refuse(new FdsError('VerifyOAuthAccessTokenError', `the token was issued to another app at ${p.provider}, not to oauthAppId`));
    }
    if (p.oauthOpenId !== undefined && p.provider !== 'XiaoMi' && p.oauthOpenId !== v.providerUserId) {
      return refuse(new FdsError('VerifyOAuthAccessTokenError', "oauthOpenId is not the token's user"));
    }

    // This Opal as the XiaoMi provider: tie the storage token to the OAuth grant behind the token.
    let opalUserId: string | null = null;
    let grantId: string | null = null;
    if (p.provider === 'XiaoMi' && this.xiaomiIsSelf()) {
      const info = await this.d.oauth.resolveAccessToken(p.oauthAccessToken);
      if (!info || info.clientId !== p.oauthAppId) {
        return refuse(new FdsError('VerifyOAuthAccessTokenError', 'the access token is not valid for oauthAppId'));
      }
      opalUserId = info.userId;
      grantId = info.grantId;
    }

    this.purgeNowAndThen();
    const { token, id, expireTime } = await this.mint(
      {
        kind: 'oauth',
        app_id: p.appId,
        developer_id: app.developerId,
        provider: p.provider,
        provider_app_id: p.oauthAppId,
        provider_user_id: v.providerUserId,
        opal_user_id: opalUserId,
        grant_id: grantId,
      },
      this.d.config.fdsStorageTokenTtlMs,
    );
    await this.d.audit.record({
      type: 'fds.storage_token.issued',
      actor: `${p.provider}:${v.providerUserId}`,
      subject: id,
      clientId: p.appId,
      ip,
      detail: { provider: p.provider, oauthAppId: p.oauthAppId, expireTime },
    });
    return { token, expireTime };
  }

  /** Stores a new token (only its SHA-256) that lives `ttlMs`; returns it with its row id. */
  private async mint(fields: TokenFields, ttlMs: number): Promise<{ token: string; id: string; expireTime: number }> {
    const token = newCredential(30);
    const now = this.now();
    const expireTime = now + ttlMs;
    // Hex: an id is typed on command lines (`opal fds token revoke ID`), where a base64url id
    // beginning with '-' was read as an option.
    const id = randomString(8, 'hex');
    await this.d.repo.insert({ id, token_hash: sha256Hex(token), ...fields, created_at: now, expires_at: expireTime, revoked_at: null });
    return { token, id, expireTime };
  }

  /**
   * Whether tokens of `oauthAppId` at `provider` may be exchanged for `appId`: an explicit binding,
   * or (XiaoMi served by this Opal) an Opal app of the same developer.
   */
  private async mayExchange(p: ExchangeParams, developerId: string): Promise<boolean> {
    if (await this.d.repo.isBound(p.appId, p.provider, p.oauthAppId)) return true;
    if (p.provider === 'XiaoMi' && this.xiaomiIsSelf()) {
      const oauthApp = await this.d.apps.get(p.oauthAppId);
      return oauthApp?.developerId === developerId;
    }
    return false;
  }

  private async verify(p: ExchangeParams, baseUrl: string): Promise<Verification> {
    const impl = PROVIDER_IMPLS[p.provider];
    const input = { accessToken: p.oauthAccessToken, oauthAppId: p.oauthAppId, macKey: p.oauthMacKey };
    const random = randomBytes(8).readBigInt64BE();
    const requests = impl.requests(input, { baseUrl, nonce: newNonce(this.now(), random) });
    const replies = await Promise.all(requests.map((r) => this.send(r, this.d.config.fdsOauthTimeoutMs)));
    return impl.interpret(input, replies);
  }

  // ---- SSO service tokens ---------------------------------------------------------------------

  /** Issues a serviceToken for `sid=galaxy-fds` to a logged-in Opal user. */
  async issueServiceToken(userId: string, ip: string | undefined): Promise<{ serviceToken: string; expireTime: number; id: string }> {
    const { token, id, expireTime } = await this.mint(
      {
        kind: 'sso',
        app_id: null,
        developer_id: null,
        provider: 'SSO',
        provider_app_id: FDS_SID,
        provider_user_id: userId,
        opal_user_id: userId,
        grant_id: null,
      },
      this.d.config.fdsServiceTokenTtlMs,
    );
    await this.d.audit.record({ type: 'fds.service_token.issued', actor: userId, subject: id, ip, detail: { sid: FDS_SID, expireTime } });
    return { serviceToken: token, expireTime, id };
  }

  // ---- authentication ------------------------------------------------------------------------

  private async lookup(token: string): Promise<StorageTokenRow | undefined> {
    if (token.length < 20 || token.length > 512) return undefined;
    const hash = sha256Hex(token);
    const cache = this.d.cache();
    const cached = await cache.get(cacheKey(hash)).catch(() => null);
    if (cached) return cached === '-' ? undefined : (JSON.parse(cached) as StorageTokenRow);
    let row = await this.d.repo.byHash(hash);
    // The grant behind the token must still stand; a grant revoked and given again is a new grant.
    // Checked with the row and cached with it: the revocation listener clears the entry at once,
    // a revocation nobody broadcast takes effect within LOOKUP_TTL_MS.
    if (row?.grant_id && row.opal_user_id && row.revoked_at === null) {
      const g = await this.d.oauth.getGrant(row.opal_user_id, row.provider_app_id);
      if (g?.grantId !== row.grant_id) row = undefined;
    }
    await cache.set(cacheKey(hash), row ? JSON.stringify(row) : '-', LOOKUP_TTL_MS).catch(() => undefined);
    return row;
  }

  private live(row: StorageTokenRow | undefined): StorageTokenRow | undefined {
    if (!row || row.revoked_at !== null || row.expires_at <= this.now()) return undefined;
    return row;
  }

  /** `Authorization: OAuth` + `?appId=…&storageAccessToken=…` (§2.4); undefined when refused. */
  async authenticateStorageToken(appId: string | undefined, token: string): Promise<StorageCaller | undefined> {
    const row = this.live(await this.lookup(token));
    if (row?.kind !== 'oauth') return undefined;
    if (appId !== undefined && appId !== row.app_id) return undefined;
    // A disabled app's tokens stop at once (the app cache is dropped on every node).
    if (row.app_id && (await this.d.apps.find(row.app_id))?.disabled) return undefined;
    return toCaller(row, row.app_id ?? undefined);
  }

  /** `Authorization: SSO` + `?serviceToken=…[&appId=…][&sid=…]` (§2.5); undefined when refused. */
  async authenticateServiceToken(token: string, appId: string | undefined, sid: string | undefined): Promise<StorageCaller | undefined> {
    if (sid !== undefined && sid !== '' && sid !== FDS_SID) return undefined;
    const row = this.live(await this.lookup(token));
    if (row?.kind !== 'sso') return undefined;
    // Acting for a disabled app is refused (an unknown appId is left to the bucket's rules, as before).
    if (appId && (await this.d.apps.find(appId))?.disabled) return undefined;
    return toCaller(row, appId);
  }

  // ---- management ----------------------------------------------------------------------------

  async list(f: { appId?: string; kind?: string; user?: string; opalUserId?: string; all?: boolean } = {}): Promise<TokenSummary[]> {
    const now = this.now();
    const rows = await this.d.repo.list({ ...f, providerUserId: f.user, now });
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      appId: r.app_id,
      provider: r.provider,
      providerAppId: r.provider_app_id,
      providerUserId: r.provider_user_id,
      opalUserId: r.opal_user_id,
      createdAt: r.created_at,
      expireTime: r.expires_at,
      revokedAt: r.revoked_at,
      state: r.revoked_at !== null ? 'revoked' : r.expires_at <= now ? 'expired' : 'live',
    }));
  }

  /** Revokes live tokens matching `where`; returns how many. */
  async revokeWhere(where: { id?: string; appId?: string; opalUserId?: string; grantId?: string }, actor: string): Promise<number> {
    const hashes = await this.d.repo.revoke(where, this.now());
    const cache = this.d.cache();
    await Promise.all(hashes.map((h) => cache.del(cacheKey(h)).catch(() => undefined)));
    if (hashes.length > 0) {
      const detail = { ...where, count: hashes.length };
      await this.d.audit.record({ type: 'fds.storage_token.revoked', actor, subject: where.opalUserId, detail });
    }
    return hashes.length;
  }

  /** Deletes rows that expired or were revoked more than `retainMs` ago; returns how many. */
  purge(retainMs = PURGE_RETAIN_MS): Promise<number> {
    return this.d.repo.purge(this.now() - retainMs);
  }

  /** At most once an hour per process, from the exchange: keeps the table small without a job. */
  private purgeNowAndThen(): void {
    const now = this.now();
    if (now - this.lastPurge < 3600_000) return;
    this.lastPurge = now;
    void this.purge().catch(() => undefined);
  }

  bind(appId: string, provider: ProviderName, oauthAppId: string): Promise<boolean> {
    return this.d.repo.bind({ app_id: appId, provider, oauth_app_id: oauthAppId, created_at: this.now() });
  }

  unbind(appId: string, provider: ProviderName, oauthAppId: string): Promise<boolean> {
    return this.d.repo.unbind(appId, provider, oauthAppId);
  }

  listBindings(appId?: string) {
    return this.d.repo.listBindings(appId);
  }
}

function toCaller(r: StorageTokenRow, appId: string | undefined): StorageCaller {
  return {
    kind: r.kind === 'sso' ? 'sso' : 'oauth',
    tokenId: r.id,
    appId,
    developerId: r.developer_id ?? undefined,
    provider: r.provider,
    providerAppId: r.provider_app_id,
    providerUserId: r.provider_user_id,
    opalUserId: r.opal_user_id ?? undefined,
    expiresAt: r.expires_at,
  };
}
