// One error model per family of routes. A family (the open-API envelope, the token endpoint's
// `&&&START&&&` body, RFC JSON errors, HTML error pages, FDS…) has its own error values carrying
// their wire shape and HTTP status, and ONE scoped error handler renders everything thrown in its
// scope: its own errors, Fastify's own request errors (validation failures, unreadable, oversized or
// unsupported bodies) translated into its shape, and anything else as a generic internal error that
// is logged but never shown. Routes throw; they never catch and re-shape errors by hand.
//
//   useErrorFamily(scope, openApiErrors(ctx));   // once per scope, before its routes
//   throw new XmOAuthError(XM.INVALID_TOKEN);     // in a route or hook of that scope
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isStoreUnavailable } from './store-unavailable.ts';

/** One of Fastify's own client errors, as a family needs to know it. */
export interface RequestFault {
  /** `validation`: a schema refused the input; `body`: the body could not be read (bad JSON, too large, unsupported type). */
  kind: 'validation' | 'body';
  /** Fastify's code (FST_ERR_VALIDATION, FST_ERR_CTP_INVALID_JSON_BODY, FST_ERR_CTP_BODY_TOO_LARGE…). */
  code: string;
  /** HTTP status Fastify would have answered (400, 413, 415…). */
  statusCode: number;
  /** Fastify's message, e.g. "querystring/sid must be equal to constant" (safe to show: no input echoed). */
  message: string;
}

/** The request fault `err` stands for, or undefined when it is not one of Fastify's client errors. */
export function requestFault(err: unknown): RequestFault | undefined {
  if (!(err instanceof Error)) return undefined;
  const e = err as Partial<FastifyError>;
  const statusCode = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (statusCode < 400 || statusCode >= 500) return undefined;
  if (e.validation) return { kind: 'validation', code: e.code ?? 'FST_ERR_VALIDATION', statusCode, message: err.message };
  if (typeof e.code === 'string' && e.code.startsWith('FST_ERR_CTP_'))
    return { kind: 'body', code: e.code, statusCode, message: err.message };
  return undefined;
}

export interface ErrorFamily<E> {
  /** Names the family in log lines ("open API", "token endpoint", "pages"…). */
  readonly name: string;
  /** The family's error when `err` is one of its own (or a service error it translates), else undefined. */
  recognise(err: unknown, req: FastifyRequest): E | undefined;
  /** Fastify's own request errors in the family's shape. */
  fromFault(fault: RequestFault, req: FastifyRequest): E;
  /** The answer to an unexpected failure (the failure is logged, never shown). */
  internal(req: FastifyRequest): E;
  /** The answer (HTTP 503) while a store cannot be reached (http/store-unavailable.ts). */
  unavailable(req: FastifyRequest): E;
  /** Writes the error: status, headers and body. */
  send(e: E, req: FastifyRequest, reply: FastifyReply): FastifyReply;
  /** Log fields of a refused request (logged at info level). */
  describe?(e: E): Record<string, unknown>;
}

/** Makes `family` render every error thrown by the routes and hooks of `scope` (and its children). */
export function useErrorFamily<E>(scope: FastifyInstance, family: ErrorFamily<E>): void {
  scope.setErrorHandler((err, req, reply) => {
    let e = family.recognise(err, req);
    if (e === undefined) {
      const fault = requestFault(err);
      if (fault) e = family.fromFault(fault, req);
    }
    if (e === undefined && isStoreUnavailable(err)) {
      req.log.warn({ err: { type: (err as Error).name, message: (err as Error).message } }, `${family.name}: a store is unavailable`);
      return family.send(family.unavailable(req), req, reply);
    }
    if (e === undefined) {
      req.log.error({ err }, `${family.name}: unexpected failure`);
      return family.send(family.internal(req), req, reply);
    }
    const what = err instanceof Error ? { type: err.name, message: err.message } : { type: typeof err };
    req.log.info({ err: what, ...family.describe?.(e) }, `${family.name}: refused`);
    return family.send(e, req, reply);
  });
}
