// Fastify options of the FDS origin: absolute-form request targets (`PUT http://host/b/o HTTP/1.1`,
// sent when an SDK is pointed at Opal as an HTTP proxy, core/fds/query.ts originForm) are routed by
// their path; the handlers read the original target from `req.raw.originalUrl`. Errors raised
// before routing are answered in FDS's shape (errors.ts).
import type { FastifyServerOptions } from 'fastify';
import { originForm } from '../../core/fds/query.ts';
import { fdsFrameworkErrors } from './errors.ts';

export const FDS_FASTIFY_OPTIONS: Partial<FastifyServerOptions> = {
  rewriteUrl: (req) => originForm(req.url ?? '/'),
  frameworkErrors: fdsFrameworkErrors,
};
