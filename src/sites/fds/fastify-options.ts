// Fastify options of the FDS origin: absolute-form request targets (`PUT http://host/b/o HTTP/1.1`,
// sent when an SDK is pointed at Opal as an HTTP proxy, fds-protocol §1.1) are routed by their
// path; the handlers read the original target from `req.raw.originalUrl`.
import type { FastifyReply, FastifyServerOptions } from 'fastify';
import { FdsError } from '../../core/fds/errors.ts';

export function stripAbsoluteForm(url: string): string {
  if (url.startsWith('/')) return url;
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(url);
  const rest = m ? url.slice(m[0].length) : url;
  return rest.startsWith('/') ? rest : `/${rest}`;
}

export const FDS_FASTIFY_OPTIONS: Partial<FastifyServerOptions> = {
  rewriteUrl: (req) => stripAbsoluteForm(req.url ?? '/'),
  // Errors Fastify raises before routing (a malformed %-escape in the path, …) in FDS's shape.
  frameworkErrors: (error, req, res) => {
    const e = new FdsError('InvalidRequest', error.message);
    const reply = res as unknown as FastifyReply;
    reply.code(e.status).header('x-xiaomi-request-id', req.id);
    if (req.method === 'HEAD') reply.send();
    else reply.header('content-type', 'application/json').send(JSON.stringify(e.body()));
  },
};
