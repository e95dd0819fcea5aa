// Login sessions of the account pages, stored server-side: the `serviceToken` cookie holds a random
// credential whose SHA-256 (the session id) keys the web_sessions row; the `userId` cookie carries
// the user id (the names the Android SDK injects into its WebView, account-protocol §3.5). On an
// HTTPS origin they are written as `__Host-serviceToken` and `__Host-userId` (web/cookies.ts); the
// plain names are still read, for the cookies the SDK injects. The CSRF tokens of a signed-in
// browser are bound to the session id (web/csrf.ts), so signing in rotates them.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestSlot } from '../http/request-slot.ts';
import { sha256Hex } from '../lib/hash.ts';
import { newCredential } from '../lib/random.ts';
import type { User, UserService } from '../services/users.ts';
import type { WebSessionsRepo } from '../store/db/oauth-sessions-repo.ts';
import type { PageCookies } from './cookies.ts';
import { PRE_SESSION_COOKIE } from './csrf.ts';

export const SESSION_COOKIE = 'serviceToken';
export const USER_COOKIE = 'userId';
const TOKEN_RE = /^[A-Za-z0-9_-]{20,200}$/;
/** A session's last use is written at most this often. */
const TOUCH_EVERY_MS = 60_000;

export interface CurrentSession {
  user: User;
  /** The server-side session id: SHA-256 of the session credential. */
  id: string;
  /** When the user signed in (epoch ms; OpenID Connect `auth_time`). */
  signedInAt: number;
  /** How the user signed in (RFC 8176 methods: `pwd`, `otp`, `hwk`; OpenID Connect `amr`). */
  amr: string[];
}

/** The session of a request, looked up once per request (dropped when the request signs in or out). */
const lookedUp = requestSlot<Promise<CurrentSession | undefined>>('opal.session');

export class Sessions {
  constructor(
    private readonly repo: WebSessionsRepo,
    private readonly users: UserService,
    private readonly cookies: PageCookies,
    private readonly ttlMs = 7 * 24 * 3600_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The logged-in user of this request, or undefined. */
  async current(req: FastifyRequest): Promise<User | undefined> {
    return (await this.session(req))?.user;
  }

  /** The session of this request (its user and server-side id), or undefined. */
  session(req: FastifyRequest): Promise<CurrentSession | undefined> {
    let found = lookedUp.get(req);
    if (!found) {
      found = this.lookUp(req);
      lookedUp.set(req, found);
    }
    return found;
  }

  private async lookUp(req: FastifyRequest): Promise<CurrentSession | undefined> {
    const token = this.token(req);
    if (!token) return undefined;
    const id = sha256Hex(token);
    const row = await this.repo.get(id);
    if (!row || row.expires_at <= this.now()) return undefined;
    const uid = this.cookies.read(req, USER_COOKIE, true);
    if (uid !== undefined && uid !== row.user_id) return undefined;
    const user = await this.users.get(row.user_id);
    const now = this.now();
    if (user && (row.last_used_at ?? 0) < now - TOUCH_EVERY_MS) await this.repo.touch(id, now);
    return user && !user.locked ? { user, id, signedInAt: row.created_at, amr: row.amr ? row.amr.split(',') : ['pwd'] } : undefined;
  }

  private token(req: FastifyRequest): string | undefined {
    const token = this.cookies.read(req, SESSION_COOKIE, true);
    return token && TOKEN_RE.test(token) ? token : undefined;
  }

  /** Starts a session for `userId` signed in by `amr` (any previous session of this browser ends). */
  async login(reply: FastifyReply, userId: string, amr: readonly string[] = ['pwd']): Promise<void> {
    const req = reply.request;
    const old = this.token(req);
    if (old) await this.repo.delete(sha256Hex(old));
    const token = newCredential(30);
    const now = this.now();
    await this.repo.insert({
      session_hash: sha256Hex(token),
      user_id: userId,
      created_at: now,
      expires_at: now + this.ttlMs,
      user_agent: (req.headers['user-agent'] ?? '').slice(0, 256) || null,
      ip: req.ip ?? null,
      last_used_at: now,
      amr: amr.length === 1 && amr[0] === 'pwd' ? null : amr.join(','),
    });
    const maxAge = Math.floor(this.ttlMs / 1000);
    this.cookies.set(reply, SESSION_COOKIE, token, maxAge);
    this.cookies.set(reply, USER_COOKIE, userId, maxAge);
    // The anonymous forms' pre-session ends with the sign-in (its tokens are no longer accepted).
    if (this.cookies.read(req, PRE_SESSION_COOKIE) !== undefined) this.cookies.clear(reply, PRE_SESSION_COOKIE);
    lookedUp.delete(req);
  }

  /** Deletes expired sessions (housekeeping). */
  async purgeExpired(): Promise<void> {
    await this.repo.purge(this.now());
  }

  async logout(reply: FastifyReply): Promise<void> {
    const req = reply.request;
    const token = this.token(req);
    if (token) await this.repo.delete(sha256Hex(token));
    this.cookies.clear(reply, SESSION_COOKIE);
    this.cookies.clear(reply, USER_COOKIE);
    lookedUp.delete(req);
  }
}
