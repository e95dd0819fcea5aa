// The open-API error family (account-protocol §6.3): errors go out as the envelope
// `{"result":"error","code":…,"description":"…"}` (core/open/envelope.ts). Open APIs answer with the
// HTTP status of the configured mode (openApiErrors); the passbook issuing API, Opal's own, with the
// statuses docs/passbook.md lists (appApiErrors). Fastify's own request errors come out as 96002.
import type { FastifyReply } from 'fastify';
import { XM, XmOAuthError } from '../../../core/account/errors.ts';
import { type ErrorStatusMode, errorBody, errorStatus, OPEN_API_CONTENT_TYPE } from '../../../core/open/envelope.ts';
import type { ErrorFamily, RequestFault } from '../../../http/errors.ts';
import { STORE_UNAVAILABLE_MESSAGE } from '../../../http/store-unavailable.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../../../lib/errors.ts';

/** An envelope error as it goes on the wire; `reason` is logged, never sent. */
export interface EnvelopeError {
  status: number;
  code: number;
  description: string;
  reason?: string | undefined;
}

/** 96012 with the wire description; `reason` says why in the log. */
export class AccessDenied extends XmOAuthError {
  constructor(readonly reason: string) {
    super(XM.ACCESS_DENIED, 'server rejected auth request');
  }
}

function faultDescription(f: RequestFault): string {
  if (f.kind === 'validation') return `invalid request: ${f.message}`;
  if (f.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return 'invalid request: body is not valid JSON';
  return 'invalid request: unreadable parameters';
}

function envelopeErrors(
  name: string,
  translate: (err: unknown) => EnvelopeError | undefined,
  statusOf: (code: number) => number,
): ErrorFamily<EnvelopeError> {
  return {
    name,
    recognise: translate,
    fromFault: (f) => ({ status: statusOf(XM.INVALID_REQUEST), code: XM.INVALID_REQUEST, description: faultDescription(f) }),
    internal: () => ({ status: 500, code: 500, description: 'internal error' }),
    unavailable: () => ({ status: 503, code: 503, description: STORE_UNAVAILABLE_MESSAGE }),
    send(e, _req, reply): FastifyReply {
      return reply.code(e.status).type(OPEN_API_CONTENT_TYPE).send(errorBody(e.code, e.description));
    },
    describe: (e) => ({ code: e.code, reason: e.reason ?? e.description }),
  };
}

/** The open APIs (/user/*, /app/get_pass): protocol errors with the status of `mode()`. */
export function openApiErrors(mode: () => ErrorStatusMode): ErrorFamily<EnvelopeError> {
  const statusOf = (code: number) => errorStatus(code, mode());
  return envelopeErrors(
    'open API',
    (err) =>
      err instanceof XmOAuthError
        ? {
            status: statusOf(err.code),
            code: err.code,
            description: err.description,
            reason: err instanceof AccessDenied ? err.reason : undefined,
          }
        : undefined,
    statusOf,
  );
}

/** The passbook issuing API: 401 for a wrong secret, 404 unknown, 409 conflicting, 400 the rest. */
export function appApiErrors(): ErrorFamily<EnvelopeError> {
  return envelopeErrors(
    'passbook API',
    (err) => {
      if (err instanceof XmOAuthError)
        return { status: err.code === XM.INVALID_CLIENT ? 401 : 400, code: err.code, description: err.description };
      if (err instanceof InvalidInputError)
        return { status: 400, code: XM.INVALID_REQUEST, description: `invalid request: ${err.message}` };
      if (err instanceof NotFoundError) return { status: 404, code: XM.INVALID_REQUEST, description: err.message };
      if (err instanceof ConflictError) return { status: 409, code: XM.INVALID_REQUEST, description: err.message };
      return undefined;
    },
    () => 400,
  );
}
