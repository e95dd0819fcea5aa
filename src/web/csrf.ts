// CSRF tokens for every form: a random `opal_csrf` cookie (HttpOnly, SameSite=Lax) and, in the
// form, HMAC(serverSecret, cookie). Works before login; verify() is constant-time.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hmacSha256Hex, safeEqual } from '../lib/hash.ts';
import { newCredential } from '../lib/random.ts';
import { cookieOptions, readCookie } from './cookies.ts';

export const CSRF_COOKIE = 'opal_csrf';
const COOKIE_RE = /^[A-Za-z0-9_-]{32,64}$/;

export class Csrf {
  constructor(private readonly secret: string) {}

  private tokenFor(cookie: string): string {
    return hmacSha256Hex(this.secret, `csrf|${cookie}`);
  }

  /** The token to put in a form (field `csrf`); sets the cookie when the browser has none. */
  issue(req: FastifyRequest, reply: FastifyReply): string {
    let c = readCookie(req, CSRF_COOKIE);
    if (!c || !COOKIE_RE.test(c)) {
      c = newCredential(24);
      reply.setCookie(CSRF_COOKIE, c, cookieOptions(req));
      req.cookies[CSRF_COOKIE] = c;
    }
    return this.tokenFor(c);
  }

  verify(req: FastifyRequest, token: unknown): boolean {
    const c = readCookie(req, CSRF_COOKIE);
    if (!c || !COOKIE_RE.test(c) || typeof token !== 'string' || token.length === 0) return false;
    return safeEqual(this.tokenFor(c), token);
  }
}
