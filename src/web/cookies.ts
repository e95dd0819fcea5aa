// The page cookies' names and attributes. Every page cookie is HttpOnly, SameSite=Lax, path /, no
// Domain. Where the account origin is HTTPS (its public URL is https://, or the request came over
// HTTPS directly or through a trusted proxy) the cookies are Secure and named with the `__Host-`
// prefix, which browsers accept only from a secure origin, with Path=/ and without Domain: a
// sibling host cannot set them and no cookie of a longer path can shadow them.
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const HOST_PREFIX = '__Host-';

export class PageCookies {
  private readonly httpsOrigin: boolean;

  constructor(publicUrl: string) {
    this.httpsOrigin = publicUrl.toLowerCase().startsWith('https:');
  }

  /** Whether this request's cookies are Secure and `__Host-` prefixed. */
  secure(req: FastifyRequest): boolean {
    return this.httpsOrigin || req.protocol === 'https';
  }

  /** The name `base` is written under for this request. */
  name(req: FastifyRequest, base: string): string {
    return this.secure(req) ? `${HOST_PREFIX}${base}` : base;
  }

  options(req: FastifyRequest, maxAgeSec?: number): CookieSerializeOptions {
    return {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.secure(req),
      path: '/',
      ...(maxAgeSec !== undefined ? { maxAge: maxAgeSec } : {}),
    };
  }

  /**
   * The value of cookie `base` under the name this request writes it under; with `plainToo`, the
   * unprefixed name is also read when the prefixed one is absent (cookies a client sets itself,
   * such as the session cookies the Android SDK injects).
   */
  read(req: FastifyRequest, base: string, plainToo = false): string | undefined {
    const own = readCookie(req, this.name(req, base));
    if (own !== undefined || !plainToo || !this.secure(req)) return own;
    return readCookie(req, base);
  }

  set(reply: FastifyReply, base: string, value: string, maxAgeSec?: number): void {
    const req = reply.request;
    reply.setCookie(this.name(req, base), value, this.options(req, maxAgeSec));
  }

  /** Clears `base` under both names. */
  clear(reply: FastifyReply, base: string): void {
    const req = reply.request;
    const opts = this.options(req);
    reply.clearCookie(this.name(req, base), opts);
    if (this.secure(req) && readCookie(req, base) !== undefined) reply.clearCookie(base, { ...opts, secure: false });
  }
}

export function readCookie(req: FastifyRequest, name: string): string | undefined {
  const v = req.cookies?.[name];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
