// Routes declare their querystring, body, params and response with TypeBox schemas through the
// type provider: Fastify validates the input (ajv) and serializes JSON responses from the schema
// (fast-json-stringify: the schema's key order, no undeclared keys); handlers get typed input.
//
//   const app = typed(scope);
//   app.get('/x', { schema: { querystring: Type.Object({ a: Type.String() }), response: { 200: X } } },
//     async (req) => ({ … }));   // req.query.a: string; the return value is checked against X
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  ContextConfigDefault,
  FastifyBaseLogger,
  FastifyInstance,
  FastifySchema,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
  RouteGenericInterface,
  RouteHandlerMethod,
  RouteShorthandOptions,
} from 'fastify';

export type TypedInstance = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export function typed(app: FastifyInstance): TypedInstance {
  return app.withTypeProvider<TypeBoxTypeProvider>();
}

export type TypedHandler<S extends FastifySchema> = RouteHandlerMethod<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  RouteGenericInterface,
  ContextConfigDefault,
  S,
  TypeBoxTypeProvider
>;

type Options = Omit<RouteShorthandOptions, 'schema'>;

/**
 * One handler for GET and POST of `url` (protocols that accept both). Fastify refuses a body schema
 * on GET, so GET is registered without it; the scope's preValidation hooks give a GET request the
 * body the POST schema describes when empty (`{}` from firstValueOfRepeats, `''` from keepRawBodies).
 */
export function getAndPost<S extends FastifySchema>(
  app: TypedInstance,
  url: string,
  options: Options,
  schema: S,
  handler: TypedHandler<S>,
): void {
  const { body: _body, ...withoutBody } = schema;
  app.get(url, { ...options, schema: withoutBody }, handler as unknown as TypedHandler<typeof withoutBody>);
  app.post(url, { ...options, schema }, handler);
}
