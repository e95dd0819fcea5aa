// The token endpoint's error family (account-protocol §4.2, §9): `&&&START&&&` (per the prefix
// policy) + `{"error":<integer>,"error_description":"…"}`, always HTTP 200; Fastify's own request
// errors (an unreadable body) as 96002 "unreadable parameters". An unexpected failure answers 500.
// Requests of OpenID Connect grants (an OIDC code or refresh token) get RFC 6749 §5.2 errors
// instead: HTTP 400/401 and `{"error":"invalid_grant",…}` (OidcTokenError), never a prefix.
import type { FastifyRequest } from 'fastify';
import { XM, type XmErrorCode, XmOAuthError } from '../../../core/account/errors.ts';
import { tokenErrorBody } from '../../../core/account/token-response.ts';
import { RFC_ERROR } from '../../../core/oidc/request.ts';
import type { ErrorFamily } from '../../../http/errors.ts';
import { STORE_UNAVAILABLE_MESSAGE } from '../../../http/store-unavailable.ts';

export const TOKEN_CONTENT_TYPE = 'application/json;charset=UTF-8';

export interface TokenError {
  status: number;
  code: XmErrorCode | 500 | 503;
  description: string;
  /** OpenID Connect grants: the RFC 6749 error name written instead of the integer. */
  rfc?: string;
}

/** A token-endpoint failure of an OpenID Connect grant, answered in the RFC 6749 shape. */
export class OidcTokenError extends Error {
  constructor(readonly failure: XmOAuthError) {
    super(failure.message);
    this.name = 'OidcTokenError';
  }
}

/** `prefixed(req)`: whether this request's answers start with `&&&START&&&` (config tokenPrefix). */
export function tokenErrors(prefixed: (req: FastifyRequest) => boolean): ErrorFamily<TokenError> {
  return {
    name: 'token endpoint',
    recognise: (err) => {
      if (err instanceof XmOAuthError) return { status: 200, code: err.code, description: err.description };
      if (!(err instanceof OidcTokenError)) return undefined;
      const rfc = RFC_ERROR[err.failure.code];
      return { status: rfc === 'invalid_client' ? 401 : 400, code: err.failure.code, description: err.failure.description, rfc };
    },
    fromFault: () => ({ status: 200, code: XM.INVALID_REQUEST, description: 'invalid request: unreadable parameters' }),
    internal: () => ({ status: 500, code: 500, description: 'internal error' }),
    unavailable: () => ({ status: 503, code: 503, description: STORE_UNAVAILABLE_MESSAGE }),
    send: (e, req, reply) =>
      reply
        .code(e.status)
        .type(TOKEN_CONTENT_TYPE)
        .send(
          e.rfc ? JSON.stringify({ error: e.rfc, error_description: e.description }) : tokenErrorBody(e.code, e.description, prefixed(req)),
        ),
    describe: (e) => ({ code: e.code, reason: e.description }),
  };
}
