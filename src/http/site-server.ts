// One Fastify instance per origin, with what every site shares: logs (http/logger.ts) with request ids and
// redacted secrets, security headers, metrics, /healthz, /readyz and /metrics.
import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions, type RouteOptions } from 'fastify';
import type { Context } from '../context.ts';
import { apiDocsRoutes } from './api-docs.ts';
import { applyConnectionLimits, connectionOptions } from './connection-limits.ts';
import { noStore } from './hooks.ts';
import { loggerOptions, OneLinePerRequest, prettyLogs } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { mayReadMetrics } from './metrics-access.ts';
import { SECURITY_HEADERS } from './security-headers.ts';
import { turnEnd } from './turn-end.ts';
import { typed } from './typed.ts';

export type SiteName = 'account' | 'fds';

export interface SiteServerOptions {
  site: SiteName;
  ctx: Context;
  metrics: Metrics;
  /** Whether the readiness checks pass the stores (false during shutdown). */
  ready: () => boolean;
  /** Extra Fastify options (rewriteUrl, bodyLimit, …) from the site. */
  fastify?: Partial<FastifyServerOptions>;
  /** Logger instance options; tests pass `false`. */
  logger?: FastifyServerOptions['logger'];
  /** Sees every route as it is registered, the built-in ones included (test/docs/openapi.test.ts). */
  onRoute?: (route: RouteOptions) => void;
}

const REQUEST_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

const Health = Type.Object({ status: Type.Literal('ok') });
const CHECKS = ['database', 'cache', 'blobs'] as const;
/** `checks`: "ok" or the failure's message, per store. */
const Readiness = Type.Object({
  status: Type.String({ description: 'ok, degraded or stopping' }),
  checks: Type.Optional(Type.Object({ database: Type.String(), cache: Type.String(), blobs: Type.String() })),
});

export function createSiteServer(o: SiteServerOptions): FastifyInstance {
  const pretty = o.logger === undefined && prettyLogs(o.ctx.config.logFormat);
  const app = Fastify({
    logger: o.logger ?? loggerOptions(o.ctx.config.logLevel, o.ctx.config.logFormat),
    ...(pretty ? { logController: new OneLinePerRequest() } : {}),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    trustProxy: o.ctx.config.trustProxy as NonNullable<FastifyServerOptions['trustProxy']>,
    return503OnClosing: true,
    ...connectionOptions(o.ctx.config, o.site),
    ...o.fastify,
  });
  applyConnectionLimits(app.server, o.ctx.config);
  if (o.onRoute) app.addHook('onRoute', o.onRoute);

  // The hooks every request passes are callback-style: an async hook costs a promise per request.
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done();
  });
  // While shutting down, a request that was already in flight gets its answer and then its
  // connection closes, instead of idling on keep-alive until the grace period runs out.
  // Every answer is written at the end of the event loop's turn (http/turn-end.ts). The hook
  // returns a promise, so that whatever fails after it (the write of a bad header, say) still
  // reaches Fastify's error handling; shutdown is checked when the answer goes out.
  app.addHook('onSend', (_req, reply, payload) =>
    turnEnd().then(() => {
      if (!o.ready()) reply.header('connection', 'close');
      return payload;
    }),
  );
  app.addHook('onResponse', (req, reply, done) => {
    o.metrics.observeRequest(o.site, req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  if (o.site === 'account') {
    app.addHook('onRequest', (_req, reply, done) => {
      reply.headers(SECURITY_HEADERS);
      done();
    });
  } else {
    app.addHook('onSend', (_req, reply, payload, done) => {
      reply.header('x-content-type-options', 'nosniff');
      done(null, payload);
    });
  }

  const routes = typed(app);
  routes.get('/healthz', { onRequest: noStore, schema: { response: { 200: Health } } }, async () => ({ status: 'ok' as const }));
  routes.get('/readyz', { onRequest: noStore, schema: { response: { 200: Readiness, 503: Readiness } } }, async (_req, reply) => {
    if (!o.ready()) return reply.code(503).send({ status: 'stopping' });
    const probe = (f: () => Promise<unknown>) =>
      f().then(
        () => 'ok',
        (e: unknown) => (e as Error).message,
      );
    const [database, cache, blobs] = await Promise.all([
      probe(() => o.ctx.services.settings.get('server_secret')),
      probe(() => o.ctx.cache.get('readyz')),
      probe(() => o.ctx.blobs.check()),
    ]);
    const checks = { database, cache, blobs };
    const ok = CHECKS.every((k) => checks[k] === 'ok');
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', checks });
  });
  apiDocsRoutes(app, o.site, o.ctx.config);
  const metricsAnswers = { 200: Type.String({ description: 'Prometheus text format' }), 401: Type.String(), 404: Type.String() };
  routes.get('/metrics', { onRequest: noStore, schema: { response: metricsAnswers } }, async (req, reply) => {
    if (!mayReadMetrics(req, reply, o.ctx.config.metricsToken)) return reply;
    reply.header('content-type', o.metrics.registry.contentType);
    return o.metrics.registry.metrics();
  });
  return app;
}
