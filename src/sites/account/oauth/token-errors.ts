// The token endpoint's error family (account-protocol §4.2, §9): `&&&START&&&` (per the prefix
// policy) + `{"error":<integer>,"error_description":"…"}`, always HTTP 200; Fastify's own request
// errors (an unreadable body) as 96002 "unreadable parameters". An unexpected failure answers 500.
import type { FastifyRequest } from 'fastify';
import { XM, type XmErrorCode, XmOAuthError } from '../../../core/account/errors.ts';
import { tokenErrorBody } from '../../../core/account/token-response.ts';
import type { ErrorFamily } from '../../../http/errors.ts';

export const TOKEN_CONTENT_TYPE = 'application/json;charset=UTF-8';

export interface TokenError {
  status: number;
  code: XmErrorCode | 500;
  description: string;
}

/** `prefixed(req)`: whether this request's answers start with `&&&START&&&` (config tokenPrefix). */
export function tokenErrors(prefixed: (req: FastifyRequest) => boolean): ErrorFamily<TokenError> {
  return {
    name: 'token endpoint',
    recognise: (err) => (err instanceof XmOAuthError ? { status: 200, code: err.code, description: err.description } : undefined),
    fromFault: () => ({ status: 200, code: XM.INVALID_REQUEST, description: 'invalid request: unreadable parameters' }),
    internal: () => ({ status: 500, code: 500, description: 'internal error' }),
    send: (e, req, reply) =>
      reply
        .code(e.status)
        .type(TOKEN_CONTENT_TYPE)
        .send(tokenErrorBody(e.code, e.description, prefixed(req))),
    describe: (e) => ({ code: e.code, reason: e.description }),
  };
}
