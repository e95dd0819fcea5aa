// Grants: what a user approved for an app (scopes merged over time), and their revocation, which
// takes the grant's codes and tokens with it and is announced to every node.
import { scopeIds } from '../../core/account/scope.ts';
import { newCredential } from '../../lib/random.ts';
import type { Cache } from '../../store/cache/cache.ts';
import type { OAuthCodesRepo } from '../../store/db/oauth-codes-repo.ts';
import type { GrantRow, OAuthGrantsRepo } from '../../store/db/oauth-grants-repo.ts';
import type { OAuthTokensRepo } from '../../store/db/oauth-tokens-repo.ts';
import type { AuditService } from '../audit.ts';
import type { TokenLookup } from './token-lookup.ts';
import type { Grant, GrantRevokedEvent } from './types.ts';

const GRANT_CHANNEL = 'oauth:grant-revoked';

export interface GrantsDeps {
  grants: OAuthGrantsRepo;
  codes: OAuthCodesRepo;
  tokens: OAuthTokensRepo;
  audit: AuditService;
  cache: () => Cache;
  lookup: TokenLookup;
  now: () => number;
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

export class Grants {
  private readonly listeners = new Set<(e: GrantRevokedEvent) => void>();
  private subscription: Promise<unknown> | undefined;

  constructor(private readonly d: GrantsDeps) {}

  async get(userId: string, clientId: string): Promise<Grant | undefined> {
    const r = await this.d.grants.get(userId, clientId);
    return r ? toGrant(r) : undefined;
  }

  /** Records that the user approved `scopes` for the app (merged with what was approved before). */
  async approve(userId: string, clientId: string, scopes: number[], ip?: string): Promise<Grant> {
    const now = this.d.now();
    let r = await this.d.grants.get(userId, clientId);
    if (!r) {
      const row: GrantRow = {
        grant_id: newCredential(21),
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
    // Widened with a compare-and-set, read again when another approval changed the scopes first.
    for (;;) {
      const have = scopeIds(r.scopes);
      const merged = [...new Set([...have, ...scopes])].sort((a, b) => a - b);
      if (merged.length === have.length) return toGrant(r);
      if (await this.d.grants.setScopes(r.grant_id, r.scopes, merged.join(','), now)) {
        await this.d.audit.record({ type: 'oauth.grant', actor: userId, subject: userId, clientId, ip, detail: { scopes: merged } });
        return { ...toGrant(r), scopes: merged, updatedAt: now };
      }
      r = await this.d.grants.get(userId, clientId);
      if (!r) throw new Error('grant vanished');
    }
  }

  async isActive(clientId: string, userId: string): Promise<boolean> {
    return Boolean(await this.d.grants.get(userId, clientId));
  }

  async list(userId: string): Promise<Grant[]> {
    return (await this.d.grants.listByUser(userId)).map(toGrant);
  }

  onRevoked(listener: (e: GrantRevokedEvent) => void): () => void {
    this.listeners.add(listener);
    this.subscription ??= this.d
      .cache()
      .subscribe(GRANT_CHANNEL, (msg) => {
        let e: GrantRevokedEvent;
        try {
          e = JSON.parse(msg) as GrantRevokedEvent;
        } catch {
          return;
        }
        for (const l of this.listeners) {
          try {
            l(e);
          } catch {
            /* a listener's failure is its own */
          }
        }
      })
      .catch(() => undefined);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Resolves when grant-revocation notifications are being received (after onRevoked). */
  async eventsReady(): Promise<void> {
    await this.subscription;
  }

  async revoke(userId: string, clientId: string, actor?: string, ip?: string): Promise<boolean> {
    const g = await this.d.grants.get(userId, clientId);
    if (!g) return false;
    await this.d.grants.delete(g.grant_id);
    await this.d.codes.deleteByGrant(g.grant_id);
    const hashes = await this.d.tokens.revoke({ grantId: g.grant_id }, this.d.now());
    await this.d.lookup.invalidate(hashes);
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
}
