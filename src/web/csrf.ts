// CSRF tokens for every form, never derived from a cookie alone:
// - signed in: HMAC(serverSecret, session id), the id of the server-side session (web/sessions.ts).
//   A new session (sign-in) means new tokens; the token ends with the session; a planted cookie
//   cannot make a token valid for the victim's session.
// - anonymous forms (login, checkPassword before sign-in): a pre-session. The `opal_pre` cookie
//   (`__Host-opal_pre` on HTTPS) holds a random id; the token is `<expiry>.<HMAC(serverSecret,
//   id, expiry)>`, good for PRE_SESSION_TTL_MS. Only the server can make one, and it expires.
// Checked together with the request's origin (web/same-origin.ts). verify() is constant-time.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hmacSha256Hex, safeEqual } from '../lib/hash.ts';
import { newCredential } from '../lib/random.ts';
import type { PageCookies } from './cookies.ts';
import type { Sessions } from './sessions.ts';

export const PRE_SESSION_COOKIE = 'opal_pre';
/** How long the token of an anonymous form stays good. */
export const PRE_SESSION_TTL_MS = 2 * 3600_000;
const ID_RE = /^[A-Za-z0-9_-]{32}$/;
const PRE_TOKEN_RE = /^(\d{1,15})\.([0-9a-f]{64})$/;

export class Csrf {
  constructor(
    private readonly secret: string,
    private readonly sessions: Sessions,
    private readonly cookies: PageCookies,
    private readonly now: () => number = Date.now,
  ) {}

  private sessionToken(sessionId: string): string {
    return hmacSha256Hex(this.secret, `csrf|session|${sessionId}`);
  }

  private preToken(id: string, expires: number): string {
    return `${expires}.${hmacSha256Hex(this.secret, `csrf|pre|${id}|${expires}`)}`;
  }

  /** The token to put in a form (field `csrf`); starts a pre-session when the browser is anonymous and has none. */
  async issue(req: FastifyRequest, reply: FastifyReply): Promise<string> {
    const s = await this.sessions.session(req);
    if (s) return this.sessionToken(s.id);
    let id = this.cookies.read(req, PRE_SESSION_COOKIE);
    if (!id || !ID_RE.test(id)) {
      id = newCredential(24);
      this.cookies.set(reply, PRE_SESSION_COOKIE, id);
    }
    return this.preToken(id, this.now() + PRE_SESSION_TTL_MS);
  }

  /** Whether `token` is this request's: its session's, or (anonymous) its unexpired pre-session's. */
  async verify(req: FastifyRequest, token: unknown): Promise<boolean> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 100) return false;
    const s = await this.sessions.session(req);
    if (s) return safeEqual(this.sessionToken(s.id), token);
    const id = this.cookies.read(req, PRE_SESSION_COOKIE);
    const m = PRE_TOKEN_RE.exec(token);
    if (!id || !ID_RE.test(id) || !m) return false;
    const expires = Number(m[1]);
    if (expires <= this.now() || expires > this.now() + PRE_SESSION_TTL_MS) return false;
    return safeEqual(this.preToken(id, expires), token);
  }
}
