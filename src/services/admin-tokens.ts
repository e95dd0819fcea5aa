// Admin API tokens: bearer credentials of the admin HTTP API (/api/admin/v1), each acting for one
// user with that user's current role (developer: their own apps and buckets; admin: everything).
// A token is shown once; only its SHA-256 is kept. A locked user's tokens, and tokens of a user
// whose role is now `user`, are refused.
import { hasRole } from '../core/account/roles.ts';
import { InvalidInputError, NotFoundError } from '../lib/errors.ts';
import { sha256Hex } from '../lib/hash.ts';
import { newCredential } from '../lib/random.ts';
import type { AdminTokenRow, AdminTokensRepo } from '../store/db/admin-tokens-repo.ts';
import type { User, UserService } from './users.ts';

/** Every admin API token starts with this, so that secret scanners can recognise one. */
export const ADMIN_TOKEN_PREFIX = 'opal_at_';
const TOKEN_RE = /^opal_at_[A-Za-z0-9_-]{32,64}$/;
/** last_used_at is written at most this often per token. */
const TOUCH_EVERY_MS = 60_000;

export interface AdminToken {
  tokenId: string;
  userId: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

const toToken = (r: AdminTokenRow): AdminToken => ({
  tokenId: r.token_id,
  userId: r.user_id,
  name: r.name,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

export class AdminTokens {
  constructor(
    private readonly repo: AdminTokensRepo,
    private readonly users: UserService,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates a token for a developer or admin; the token itself is returned once. */
  async create(userId: string, name: string): Promise<AdminToken & { token: string }> {
    if (!name.trim() || name.length > 100) throw new InvalidInputError('token name must be 1-100 characters');
    const user = await this.users.require(userId);
    if (!hasRole(user.role, 'developer'))
      throw new InvalidInputError(`user ${userId} has the role user: give them developer or admin first`);
    const token = ADMIN_TOKEN_PREFIX + newCredential(30);
    const row: AdminTokenRow = {
      token_id: `tok${newCredential(21).replace(/[-_]/g, '').slice(0, 20)}`,
      token_hash: sha256Hex(token),
      user_id: userId,
      name,
      created_at: this.now(),
      last_used_at: null,
    };
    await this.repo.insert(row);
    return { ...toToken(row), token };
  }

  async list(userId?: string): Promise<AdminToken[]> {
    return (await this.repo.list(userId)).map(toToken);
  }

  async revoke(tokenId: string): Promise<void> {
    if (!(await this.repo.delete(tokenId))) throw new NotFoundError(`no admin token ${tokenId}`);
  }

  /** The user a presented token acts for, or undefined (unknown token, locked user, role user). */
  async authenticate(token: string): Promise<{ user: User; tokenId: string } | undefined> {
    if (!TOKEN_RE.test(token)) return undefined;
    const row = await this.repo.byHash(sha256Hex(token));
    if (!row) return undefined;
    const user = await this.users.get(row.user_id);
    if (!user || user.locked || !hasRole(user.role, 'developer')) return undefined;
    const now = this.now();
    if (row.last_used_at === null || now - row.last_used_at >= TOUCH_EVERY_MS) await this.repo.touch(row.token_id, now);
    return { user, tokenId: row.token_id };
  }
}
