// Fastify options of the FDS origin: absolute-form request targets (`PUT http://host/b/o HTTP/1.1`,
// sent when an SDK is pointed at Opal as an HTTP proxy, fds-protocol §1.1) are routed by their
// path; the handlers read the original target from `req.raw.originalUrl`.
import type { FastifyServerOptions } from 'fastify';

export function stripAbsoluteForm(url: string): string {
  if (url.startsWith('/')) return url;
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(url);
  const rest = m ? url.slice(m[0].length) : url;
  return rest.startsWith('/') ? rest : `/${rest}`;
}

export const FDS_FASTIFY_OPTIONS: Partial<FastifyServerOptions> = {
  rewriteUrl: (req) => stripAbsoluteForm(req.url ?? '/'),
};
