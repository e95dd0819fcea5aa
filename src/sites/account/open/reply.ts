// Writing open-API envelopes (core/open/envelope.ts) with the configured error status mode, and a
// handler wrapper that turns protocol errors into the error envelope and anything else into a
// generic one (never a stack trace).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { XmOAuthError } from '../../../core/account/errors.ts';
import { assertNoNulls, type ErrorStatusMode, errorBody, errorStatus, OPEN_API_CONTENT_TYPE, okBody } from '../../../core/open/envelope.ts';

export function sendOk(req: FastifyRequest, reply: FastifyReply, data: unknown): FastifyReply {
  assertNoNulls(data);
  if (req.method === 'GET') reply.header('access-control-allow-origin', '*');
  return reply.code(200).header('cache-control', 'no-store').type(OPEN_API_CONTENT_TYPE).send(okBody(data));
}

export function sendError(
  req: FastifyRequest,
  reply: FastifyReply,
  code: number,
  description: string,
  mode: ErrorStatusMode,
): FastifyReply {
  if (req.method === 'GET') reply.header('access-control-allow-origin', '*');
  return reply
    .code(errorStatus(code, mode))
    .header('cache-control', 'no-store')
    .type(OPEN_API_CONTENT_TYPE)
    .send(errorBody(code, description));
}

export type OpenHandler = (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

export function guarded(mode: () => ErrorStatusMode, handler: OpenHandler): OpenHandler {
  return async (req, reply) => {
    try {
      return await handler(req, reply);
    } catch (e) {
      if (e instanceof XmOAuthError) {
        const reason = (e as XmOAuthError & { reason?: string }).reason;
        req.log.info({ code: e.code, reason: reason ?? e.description }, 'open API request refused');
        return sendError(req, reply, e.code, e.description, mode());
      }
      req.log.error({ err: e }, 'open API failure');
      return reply.code(500).type(OPEN_API_CONTENT_TYPE).send(errorBody(500, 'internal error'));
    }
  };
}
