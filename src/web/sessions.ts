// Login sessions of the account pages, stored server-side: the `serviceToken` cookie holds a random
// credential whose SHA-256 keys the web_sessions row; the `userId` cookie carries the user id
// (the names the Android SDK injects into its WebView, account-protocol §3.5).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sha256Hex } from '../lib/hash.ts';
import { newCredential } from '../lib/random.ts';
import type { User, UserService } from '../services/users.ts';
import type { WebSessionsRepo } from '../store/db/oauth-sessions-repo.ts';
import { cookieOptions, readCookie } from './cookies.ts';

export const SESSION_COOKIE = 'serviceToken';
export const USER_COOKIE = 'userId';
const TOKEN_RE = /^[A-Za-z0-9_-]{20,200}$/;

export class Sessions {
  constructor(
    private readonly repo: WebSessionsRepo,
    private readonly users: UserService,
    private readonly ttlMs = 7 * 24 * 3600_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The logged-in user of this request, or undefined. */
  async current(req: FastifyRequest): Promise<User | undefined> {
    return (await this.session(req))?.user;
  }

  /** The logged-in user and when they signed in (epoch ms; OpenID Connect `auth_time`). */
  async session(req: FastifyRequest): Promise<{ user: User; signedInAt: number } | undefined> {
    const token = readCookie(req, SESSION_COOKIE);
    if (!token || !TOKEN_RE.test(token)) return undefined;
    const row = await this.repo.get(sha256Hex(token));
    if (!row || row.expires_at <= this.now()) return undefined;
    const uid = readCookie(req, USER_COOKIE);
    if (uid !== undefined && uid !== row.user_id) return undefined;
    const user = await this.users.get(row.user_id);
    return user ? { user, signedInAt: row.created_at } : undefined;
  }

  /** Starts a session for `userId` (any previous session of this browser ends). */
  async login(reply: FastifyReply, userId: string): Promise<void> {
    const req = reply.request;
    const old = readCookie(req, SESSION_COOKIE);
    if (old && TOKEN_RE.test(old)) await this.repo.delete(sha256Hex(old));
    const token = newCredential(30);
    const now = this.now();
    await this.repo.insert({ session_hash: sha256Hex(token), user_id: userId, created_at: now, expires_at: now + this.ttlMs });
    const opts = cookieOptions(req, Math.floor(this.ttlMs / 1000));
    reply.setCookie(SESSION_COOKIE, token, opts).setCookie(USER_COOKIE, userId, opts);
  }

  /** Deletes expired sessions (housekeeping). */
  async purgeExpired(): Promise<void> {
    await this.repo.purge(this.now());
  }

  async logout(reply: FastifyReply): Promise<void> {
    const req = reply.request;
    const token = readCookie(req, SESSION_COOKIE);
    if (token && TOKEN_RE.test(token)) await this.repo.delete(sha256Hex(token));
    const opts = cookieOptions(req);
    reply.clearCookie(SESSION_COOKIE, opts).clearCookie(USER_COOKIE, opts);
  }
}
