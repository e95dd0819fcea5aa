// The FDS origin (fds-protocol §1): every method on every path goes through one catch-all route
// that builds the call, authenticates it (§2), and runs the operation the dispatcher chose (§1.2)
// from the operation table (operations.ts). Answers are written by replies.ts; every error, ours
// or Fastify's, is answered by the one FDS error handler (errors.ts). Bodies are never parsed by
// Fastify: handlers stream them (objects, parts) or read small JSON checked against its schema.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox/type';
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { ErrorBody } from '../../core/fds/responses.ts';
import { checkServerScope } from './access.ts';
import { guardAppUserWrite } from './app-user-writes.ts';
import { buildCall } from './call.ts';
import { applyCors, CORS_HEADERS } from './cors.ts';
import { FdsEnv } from './env.ts';
import { installFdsErrorHandler } from './errors.ts';
import { operationOf } from './operations.ts';
import { requestIdOf } from './replies.ts';

const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'PATCH'];

/**
 * What the catch-all route can declare. The path is `/{bucket}/{object}` in its raw form and the
 * query follows Galaxy-V2 rules (valueless flags, repeated keys, raw `Signature`): the handler
 * reads both from the request target as sent (call.ts), so these describe rather than constrain.
 * Success bodies differ per operation and are serialized from the operation's own schema
 * (replies.ts sendJson); every error body is ErrorBody.
 */
const ROUTE_SCHEMA = {
  params: Type.Object({ '*': Type.Optional(Type.String()) }),
  querystring: Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())])),
  headers: Type.Object({
    authorization: Type.Optional(Type.String()),
    date: Type.Optional(Type.String()),
    'x-xiaomi-date': Type.Optional(Type.String()),
    'content-type': Type.Optional(Type.String()),
    'content-md5': Type.Optional(Type.String()),
    range: Type.Optional(Type.String()),
    origin: Type.Optional(Type.String()),
    'x-xiaomi-request-id': Type.Optional(Type.String()),
    'x-xiaomi-acl': Type.Optional(Type.String()),
    'x-xiaomi-storage-class': Type.Optional(Type.String()),
    'x-xiaomi-meta-md5-attached-stream': Type.Optional(Type.String()),
  }),
  response: { '4xx': ErrorBody, '5xx': ErrorBody },
};

export async function fdsRoutes(app: FastifyInstance, ctx: Context): Promise<void> {
  const env = new FdsEnv(ctx);

  // Bodies are streamed by the handlers themselves, whatever their type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));

  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-xiaomi-request-id', requestIdOf(req));
    reply.headers(CORS_HEADERS);
    done();
  });

  installFdsErrorHandler(app);

  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  for (const url of ['/', '/*']) {
    routes.route({
      method: METHODS,
      url,
      exposeHeadRoute: false,
      schema: ROUTE_SCHEMA,
      handler: async (req, reply) => {
        const c = buildCall(env, req, reply);
        const operation = operationOf(c.op);
        if (!operation.skipAuth) c.who = await env.auth.identify(c);
        await applyCors(c);
        checkServerScope(c, operation.serverSigned);
        await guardAppUserWrite(c, operation.appUser);
        await operation.run(c, c.op);
        return reply;
      },
    });
  }
}
