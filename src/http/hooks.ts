// Response steps shared by many routes, as Fastify hooks added once per scope (or per route)
// instead of repeated in handlers. They run in onRequest, so error answers carry them too.
import type { onRequestHookHandler } from 'fastify';

/** `Cache-Control: no-store`: answers that carry credentials, personal data or one-time state. */
export const noStore: onRequestHookHandler = (_req, reply, done) => {
  reply.header('cache-control', 'no-store');
  done();
};

/** `Access-Control-Allow-Origin: *`: endpoints browser apps may read cross-origin (they use no cookies). */
export const anyOrigin: onRequestHookHandler = (_req, reply, done) => {
  reply.header('access-control-allow-origin', '*');
  done();
};

/** `Access-Control-Allow-Origin: *` on GET only (the open APIs: readable by browser apps through GET). */
export const anyOriginOnGet: onRequestHookHandler = (req, reply, done) => {
  if (req.method === 'GET') reply.header('access-control-allow-origin', '*');
  done();
};
