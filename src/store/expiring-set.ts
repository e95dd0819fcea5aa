// A set of members that each expire unless renewed, shared by every node: the node registry
// (services/node-registry.ts) keeps it in Redis when configured (store/cache/redis-cache.ts), else
// in the database (store/db/nodes-repo.ts). Expired members are pruned by every put, so the set
// holds the live members only; a listing returns at most `limit` of them.
export interface ExpiringSet {
  /** Stores or renews `member` with `value` until `ttlMs` from now. */
  put(member: string, value: string, ttlMs: number): Promise<void>;
  /** The values of the unexpired members (at most `limit`, in no particular order). */
  live(limit: number): Promise<string[]>;
  remove(member: string): Promise<void>;
}

/** A store that keeps expiring sets itself (the Redis cache). */
export interface ExpiringSets {
  expiringSet(name: string): ExpiringSet;
}

export function hasExpiringSets(store: object): store is ExpiringSets {
  return typeof (store as Partial<ExpiringSets>).expiringSet === 'function';
}
