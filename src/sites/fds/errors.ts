// The FDS error model (fds-protocol §10): every failure on the FDS origin is answered in FDS's
// shape, by one handler. Errors a client can cause are FdsError (core/fds/errors.ts), which carries
// its wire code, status and body; handlers throw them and never shape an answer themselves.
// Anything else becomes one here: a body the client aborted mid-upload, Fastify's own errors (413
// body too large, 415 content type, 400 validation, an unknown method, …) by their status, a store
// that cannot be reached as 503 ServiceUnavailable, and
// every other error as 500 InternalServerError (logged; the answer reveals nothing).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { FdsError, type FdsErrorCode } from '../../core/fds/errors.ts';
import { isStoreUnavailable } from '../../http/store-unavailable.ts';
import { requestIdOf, sendFdsError } from './replies.ts';

/** FDS codes for the statuses of Fastify's own client errors; other 4xx are Invalid Request. */
const FASTIFY_STATUSES: Partial<Record<number, FdsErrorCode>> = {
  405: 'RequestNotSupported',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  416: 'InvalidRequestRange',
  429: 'TooManyRequests',
};

/** The FdsError that answers `err`. */
export function fdsErrorOf(err: unknown, req: FastifyRequest): FdsError {
  if (err instanceof FdsError) return err;
  if (!req.raw.complete && req.raw.destroyed) {
    // The client went away mid-body (the upload left nothing behind); nobody reads an answer.
    req.log.info({ code: (err as NodeJS.ErrnoException).code }, 'FDS request body aborted by the client');
    return new FdsError('InvalidRequest', 'request body aborted');
  }
  if (isStoreUnavailable(err)) {
    req.log.warn({ err: { type: (err as Error).name, message: (err as Error).message } }, 'FDS: a store is unavailable');
    return new FdsError('ServiceUnavailable', 'a data store cannot be reached; retry shortly');
  }
  const status = (err as Partial<FastifyError>).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new FdsError(FASTIFY_STATUSES[status] ?? 'InvalidRequest', (err as Error).message);
  }
  req.log.error({ err }, 'FDS request failed');
  return new FdsError('InternalServerError');
}

/** Installs the FDS answer for every error in `scope` (the FDS plugin), unknown methods included. */
export function installFdsErrorHandler(scope: FastifyInstance): void {
  scope.setErrorHandler((err, req, reply) => {
    const e = fdsErrorOf(err, req);
    // An upload refused for want of space is not read to its end: the connection ends after the answer.
    if (e.code === 'InsufficientStorage' && !req.raw.complete) reply.header('connection', 'close');
    sendFdsError(reply, req.method, e);
  });
  // Every path is routed for the methods FDS knows (plugin.ts); any other method ends here.
  scope.setNotFoundHandler((req, reply) => {
    sendFdsError(reply, req.method, new FdsError('RequestNotSupported', `${req.method} here`));
  });
}

/** Errors Fastify raises before routing (a malformed %-escape in the path, …), in FDS's shape. */
export const fdsFrameworkErrors: NonNullable<FastifyServerOptions['frameworkErrors']> = (error, req, res) => {
  const reply = res as unknown as FastifyReply;
  reply.header('x-xiaomi-request-id', requestIdOf(req));
  sendFdsError(reply, req.method, new FdsError('InvalidRequest', error.message));
};
