// The JSON error family of the account origin's own JSON APIs and of the RFC endpoints (RFC 7009
// revocation, RFC 7662 introspection, the grants API, /sts, the friends API): an ApiError carries its
// HTTP status, the `error` name, a description and any header the answer needs; jsonErrors() renders
// `{"error":…,"error_description":…}` (or `…,"message":…}` for the friends API, as documented).
import type { FastifyReply } from 'fastify';
import type { ErrorFamily, RequestFault } from '../../http/errors.ts';
import { STORE_UNAVAILABLE_MESSAGE } from '../../http/store-unavailable.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`${status} ${error}: ${description}`);
    this.name = 'ApiError';
  }
}

export interface JsonErrorOptions {
  name: string;
  /** Key of the description: `error_description` (RFC 6749 §5.2 style) or `message`. */
  descriptionKey: 'error_description' | 'message';
  /** Service errors this family translates (client authentication, InvalidInputError…). */
  translate?: (err: unknown) => ApiError | undefined;
  /** Fastify's request errors; default 400 invalid_request "unreadable parameters". */
  fromFault?: (fault: RequestFault) => ApiError;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export function jsonErrors(o: JsonErrorOptions): ErrorFamily<ApiError> {
  return {
    name: o.name,
    recognise: (err) => (err instanceof ApiError ? err : o.translate?.(err)),
    fromFault: (fault) => o.fromFault?.(fault) ?? new ApiError(400, 'invalid_request', 'unreadable parameters'),
    internal: () => new ApiError(500, 'server_error', 'internal error'),
    unavailable: () => new ApiError(503, 'temporarily_unavailable', STORE_UNAVAILABLE_MESSAGE, { 'retry-after': '1' }),
    send(e, _req, reply): FastifyReply {
      for (const [k, v] of Object.entries(e.headers)) reply.header(k, v);
      const body =
        o.descriptionKey === 'message' ? { error: e.error, message: e.description } : { error: e.error, error_description: e.description };
      return reply.code(e.status).type(JSON_TYPE).send(JSON.stringify(body));
    },
    describe: (e) => ({ status: e.status, error: e.error }),
  };
}
