// Token look-ups: access tokens resolved for the open APIs with a node-local cache whose entries
// every node drops on revocation (InvalidatingCache over the shared cache's pub/sub), and any
// token's details for introspection and the CLI.
import { scopeIds } from '../../core/account/scope.ts';
import { sha256Hex } from '../../lib/hash.ts';
import type { Cache } from '../../store/cache/cache.ts';
import { InvalidatingCache } from '../../store/cache/invalidating-cache.ts';
import type { OAuthGrantsRepo } from '../../store/db/oauth-grants-repo.ts';
import type { OAuthTokensRepo } from '../../store/db/oauth-tokens-repo.ts';
import type { AppService } from '../apps.ts';
import type { DerivedIds } from './derived-ids.ts';
import type { AccessTokenInfo, TokenDetails } from './types.ts';

const TOKEN_CHANNEL = 'oauth:token-invalidated';

export interface TokenLookupDeps {
  tokens: OAuthTokensRepo;
  grants: OAuthGrantsRepo;
  apps: AppService;
  cache: () => Cache;
  ids: DerivedIds;
  now: () => number;
}

export class TokenLookup {
  private lookup: InvalidatingCache<AccessTokenInfo> | undefined;
  private lookupStarted: Promise<void> | undefined;

  constructor(private readonly d: TokenLookupDeps) {}

  private async tokenCache(): Promise<InvalidatingCache<AccessTokenInfo>> {
    this.lookup ??= new InvalidatingCache<AccessTokenInfo>(this.d.cache(), TOKEN_CHANNEL, 30_000, 50_000, this.d.now);
    this.lookupStarted ??= this.lookup.start();
    await this.lookupStarted;
    return this.lookup;
  }

  /** Drops the cached look-ups of these token hashes on every node. */
  async invalidate(hashes: string[]): Promise<void> {
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

  /** Drops every cached look-up on every node (an app was disabled). */
  async invalidateAll(): Promise<void> {
    const c = await this.tokenCache().catch(() => undefined);
    await c?.invalidate('*');
  }

  async resolveAccessToken(token: string): Promise<AccessTokenInfo | undefined> {
    if (!token || token.length > 512) return undefined;
    const hash = sha256Hex(token);
    const cache = await this.tokenCache().catch(() => undefined);
    const now = this.d.now();
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
      openId: this.d.ids.openIdOf(row.client_id, row.user_id),
      unionId: this.d.ids.unionIdOf(app.developerId, row.user_id),
      tokenType,
      macKey: tokenType === 'mac' ? this.d.ids.macKeyOf(token) : undefined,
      expiresAt: row.expires_at,
      grantId: row.grant_id,
      oidc: row.oidc !== null,
    };
    cache?.set(hash, info, since);
    return info;
  }

  /** Any token's details (access or refresh), or undefined when unknown. */
  async inspect(token: string): Promise<TokenDetails | undefined> {
    const row = await this.d.tokens.get(sha256Hex(token));
    if (!row) return undefined;
    const app = await this.d.apps.find(row.client_id);
    const now = this.d.now();
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
      openId: this.d.ids.openIdOf(row.client_id, row.user_id),
      unionId: app ? this.d.ids.unionIdOf(app.developerId, row.user_id) : '',
    };
  }
}
