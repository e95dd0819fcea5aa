// The FDS origin (fds-protocol §1): every method on every path goes through one route that builds
// the call, authenticates it (§2), dispatches it (§1.2) and answers in FDS's shapes (§3, §10).
// Bodies are never parsed by Fastify: handlers stream them (objects, parts) or read small JSON.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import type { Operation } from '../../core/fds/dispatch.ts';
import { FdsError } from '../../core/fds/errors.ts';
import { checkServerScope } from './access.ts';
import { getBucketAcl, getObjectAcl, putBucketAcl, putObjectAcl } from './acls.ts';
import { guardAppUserWrite } from './app-user-writes.ts';
import {
  bucketInfo,
  createBucket,
  deleteBucket,
  deleteObjects,
  headBucket,
  listAuthorizedBuckets,
  listBuckets,
  listObjects,
} from './buckets.ts';
import { buildCall, type FdsCall, sendEmpty, sendJson, sendText } from './call.ts';
import { deleteBucketConfig, getBucketConfig, putBucketConfig } from './configs.ts';
import { applyCors, CORS_HEADERS } from './cors.ts';
import { FdsEnv } from './env.ts';
import { EXTRA_HANDLERS } from './extensions.ts';
import { abortMultipart, completeMultipart, initMultipart, listParts, listUploads, postInitMultipart, uploadPart } from './multipart.ts';
import {
  copyObject,
  deleteObject,
  getObject,
  getObjectMetadata,
  headObject,
  listVersionIds,
  postObject,
  putObject,
  renameObject,
  restoreObject,
  setObjectMetadata,
} from './objects.ts';
import { listVersions } from './versions.ts';

async function run(c: FdsCall, op: Operation): Promise<unknown> {
  switch (op.op) {
    case 'listBuckets':
      return listBuckets(c);
    case 'listAuthorizedBuckets':
      return listAuthorizedBuckets(c);
    case 'developerInfo':
      return sendJson(c, { developerId: c.who.ownerId ?? null, displayName: c.who.displayName });
    case 'clientMetrics':
      return sendEmpty(c);
    case 'headBucket':
      return headBucket(c);
    case 'createBucket':
      return createBucket(c);
    case 'deleteBucket':
      return deleteBucket(c);
    case 'bucketInfo':
      return bucketInfo(c);
    case 'listObjects':
      return listObjects(c);
    case 'deleteObjects':
      return deleteObjects(c);
    case 'getBucketAcl':
      return getBucketAcl(c);
    case 'putBucketAcl':
      return putBucketAcl(c, op.remove);
    case 'getBucketConfig':
      return getBucketConfig(c, op.config);
    case 'putBucketConfig':
      return putBucketConfig(c, op.config);
    case 'deleteBucketConfig':
      return deleteBucketConfig(c, op.config);
    case 'listUploads':
      return listUploads(c);
    case 'listVersions':
      return listVersions(c);
    case 'postObject':
      return postObject(c);
    case 'postInitMultipart':
      return postInitMultipart(c);
    case 'headObject':
      return c.params.has('metadata') ? getObjectMetadata(c) : headObject(c);
    case 'getObject':
      return getObject(c);
    case 'getObjectMetadata':
      return getObjectMetadata(c);
    case 'getObjectAcl':
      return getObjectAcl(c);
    case 'putObjectAcl':
      return putObjectAcl(c, op.remove);
    case 'listVersionIds':
      return listVersionIds(c);
    case 'listParts':
      return listParts(c);
    case 'putObject':
      return putObject(c);
    case 'initMultipart':
      return initMultipart(c);
    case 'uploadPart':
      return uploadPart(c);
    case 'completeMultipart':
      return completeMultipart(c);
    case 'abortMultipart':
      return abortMultipart(c);
    case 'renameObject':
      return renameObject(c);
    case 'copyObject':
      return copyObject(c);
    case 'restoreObject':
      return restoreObject(c);
    case 'setObjectMetadata':
      return setObjectMetadata(c);
    case 'deleteObject':
      return deleteObject(c);
    case 'cdnOperation':
      // Java parses a JSON Long here (§5.13).
      return sendJson(c, 0);
    case 'objectMisc':
      return sendEmpty(c);
    case 'unsupported':
      throw new FdsError('RequestNotSupported', op.what);
    case 'options':
      return sendText(c, '');
    case 'methodNotAllowed':
      throw new FdsError('RequestNotSupported', `${c.method} here`);
  }
}

function requestIdOf(req: FastifyRequest): string {
  const given = req.headers['x-xiaomi-request-id'];
  return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : req.id;
}

function sendError(req: FastifyRequest, reply: FastifyReply, e: FdsError): void {
  reply.code(e.status);
  if (req.method === 'HEAD') {
    reply.send();
    return;
  }
  reply.header('content-type', 'application/json').send(JSON.stringify(e.body()));
}

export async function fdsRoutes(app: FastifyInstance, ctx: Context): Promise<void> {
  const env = new FdsEnv(ctx);

  // Bodies are streamed by the handlers themselves, whatever their type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-xiaomi-request-id', requestIdOf(req));
    for (const [k, v] of Object.entries(CORS_HEADERS)) reply.header(k, v);
  });

  app.setErrorHandler((err: FastifyError | FdsError, req, reply) => {
    if (err instanceof FdsError) {
      sendError(req, reply, err);
      return;
    }
    if (!req.raw.complete && req.raw.destroyed) {
      // The client went away mid-body (the upload left nothing behind); nobody reads an answer.
      req.log.info({ code: (err as NodeJS.ErrnoException).code }, 'FDS request body aborted by the client');
      sendError(req, reply, new FdsError('InvalidRequest', 'request body aborted'));
      return;
    }
    req.log.error({ err }, 'FDS request failed');
    sendError(req, reply, new FdsError('InternalServerError'));
  });

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const c = buildCall(env, req, reply);
    const extra = EXTRA_HANDLERS[c.op.op];
    if (!extra?.skipAuth && c.op.op !== 'options') c.who = await env.auth.identify(c);
    await applyCors(c);
    if (extra) {
      await extra.handler(c);
      return reply;
    }
    checkServerScope(c);
    await guardAppUserWrite(c);
    await run(c, c.op);
    return reply;
  };
  const methods = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'PATCH'];
  app.route({ method: methods, url: '/', exposeHeadRoute: false, handler });
  app.route({ method: methods, url: '/*', exposeHeadRoute: false, handler });
}
