// One open API route: GET and POST, the common parameters, authentication (authenticate.ts), then
// the API's data in the success envelope, serialized from its schema. Errors are thrown and
// rendered by the open-API error family of the scope (errors.ts).
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import { assertNoNulls, OPEN_API_CONTENT_TYPE, okEnvelope } from '../../../core/open/envelope.ts';
import { getAndPost, type TypedInstance } from '../../../http/typed.ts';
import { authenticate, type OpenApiRule, type OpenCall } from './authenticate.ts';
import { type OpenRequest, openRequest } from './request.ts';
import { OpenQuery, okEnvelopeSchema, RawBody } from './schemas.ts';

export interface OpenApi<D extends TSchema> {
  path: string;
  rule: OpenApiRule;
  /** The query schema when the API reads more than the common parameters. */
  query?: TObject;
  /** Schema of `data`. */
  data: D;
  run(call: OpenCall, r: OpenRequest, req: FastifyRequest): Promise<Static<D>>;
}

/** Scheme and authority this request reached us on (honours X-Forwarded-* behind a trusted proxy). */
export function requestOrigin(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

export function openApiRoute<D extends TSchema>(app: TypedInstance, ctx: Context, api: OpenApi<D>): void {
  // `run` is checked against the data schema; inside this generic TypeScript cannot resolve the
  // envelope's static type, so the route sees the response schema as a plain TSchema.
  const response: TSchema = okEnvelopeSchema(api.data);
  const schema = { querystring: api.query ?? OpenQuery, body: RawBody, response: { 200: response } };
  getAndPost(app, api.path, {}, schema, async (req, reply) => {
    const r = openRequest(req, req.body);
    const call = await authenticate(ctx, r, req.headers.authorization, api.rule);
    ctx.services.usage.count(call.app.clientId, `api:${api.path}`);
    const data = await api.run(call, r, req);
    assertNoNulls(data);
    reply.type(OPEN_API_CONTENT_TYPE);
    return okEnvelope(data);
  });
}
