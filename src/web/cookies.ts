// Cookie attributes shared by every page cookie: HttpOnly, SameSite=Lax, path /, Secure when the
// request came over HTTPS (directly or through a trusted proxy).
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';

export function cookieOptions(req: FastifyRequest, maxAgeSec?: number): CookieSerializeOptions {
  return {
    httpOnly: true,
    sameSite: 'lax',
    secure: req.protocol === 'https',
    path: '/',
    ...(maxAgeSec !== undefined ? { maxAge: maxAgeSec } : {}),
  };
}

export function readCookie(req: FastifyRequest, name: string): string | undefined {
  const v = req.cookies?.[name];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
