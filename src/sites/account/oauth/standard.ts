// Standards beside the Xiaomi wire protocol: RFC 7009 revocation, RFC 7662 introspection (both
// client-authenticated, JSON, RFC 6749 error names) and RFC 8414 metadata.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../../context.ts';
import { XM, XmOAuthError } from '../../../core/account/errors.ts';
import { formatScopes } from '../../../core/account/scope.ts';
import { useErrorFamily } from '../../../http/errors.ts';
import { anyOrigin, noStore } from '../../../http/hooks.ts';
import { firstValueOfRepeats } from '../../../http/params.ts';
import { optionalString } from '../../../http/schemas.ts';
import { typed } from '../../../http/typed.ts';
import { ApiError, jsonErrors } from '../json-errors.ts';
import { authenticateClient } from './client-auth.ts';
import { ClientFailures } from './client-failures.ts';

const S = Type.String();
const Strings = Type.Array(S);

const TokenForm = Type.Object({
  client_id: optionalString(),
  client_secret: optionalString('Unless sent with HTTP Basic'),
  token: optionalString(),
  token_type_hint: optionalString('access_token or refresh_token (not needed)'),
});

/** RFC 7662 §2.2; an inactive token is `{"active":false}` alone. */
const Introspection = Type.Object({
  active: Type.Boolean(),
  client_id: Type.Optional(S),
  scope: Type.Optional(S),
  token_type: Type.Optional(S),
  exp: Type.Optional(Type.Number()),
  iat: Type.Optional(Type.Number()),
  sub: Type.Optional(S),
  open_id: Type.Optional(S),
  union_id: Type.Optional(S),
  iss: Type.Optional(S),
});

const Metadata = Type.Object({
  issuer: S,
  authorization_endpoint: S,
  token_endpoint: S,
  revocation_endpoint: S,
  introspection_endpoint: S,
  response_types_supported: Strings,
  response_modes_supported: Strings,
  grant_types_supported: Strings,
  code_challenge_methods_supported: Strings,
  token_endpoint_auth_methods_supported: Strings,
  revocation_endpoint_auth_methods_supported: Strings,
  introspection_endpoint_auth_methods_supported: Strings,
  scopes_supported: Strings,
  service_documentation: S,
});

/** Client authentication failures (client-auth.ts) as RFC 6749 §5.2 errors. */
function clientAuthError(err: unknown): ApiError | undefined {
  if (!(err instanceof XmOAuthError)) return undefined;
  if (err.code === XM.INVALID_REQUEST) return new ApiError(400, 'invalid_request', err.description);
  return new ApiError(401, 'invalid_client', err.description, { 'www-authenticate': 'Basic realm="opal"' });
}

export async function standardRoutes(scope: FastifyInstance, ctx: Context): Promise<void> {
  const oauth = ctx.services.oauth;
  const failures = new ClientFailures(() => ctx.cache);
  scope.addHook('preValidation', firstValueOfRepeats);
  scope.addHook('onRequest', noStore);
  useErrorFamily(scope, jsonErrors({ name: 'OAuth standard endpoints', descriptionKey: 'error_description', translate: clientAuthError }));
  const app = typed(scope);

  app.post(
    '/oauth2/revoke',
    { onRequest: anyOrigin, schema: { body: TokenForm, response: { 200: Type.Object({}) } } },
    async (req, reply) => {
      const p = req.body;
      const c = await failures.guard(req, reply, () => authenticateClient(ctx.services.apps, p, req.headers.authorization));
      if (!p.token) throw new ApiError(400, 'invalid_request', 'missing token');
      // RFC 7009 §2.2: unknown tokens and tokens of other clients also answer 200.
      await oauth.revokeToken(p.token, c.clientId, c.clientId, req.ip);
      return {};
    },
  );

  app.post('/oauth2/introspect', { schema: { body: TokenForm, response: { 200: Introspection } } }, async (req, reply) => {
    const p = req.body;
    const c = await failures.guard(req, reply, () => authenticateClient(ctx.services.apps, p, req.headers.authorization));
    if (c.flags.public === true && !p.client_secret) throw new ApiError(401, 'invalid_client', 'public clients cannot introspect');
    if (!p.token) throw new ApiError(400, 'invalid_request', 'missing token');
    const d = await oauth.inspect(p.token);
    if (!d?.active || d.clientId !== c.clientId) return { active: false };
    return {
      active: true,
      client_id: d.clientId,
      scope: formatScopes(d.scopes),
      token_type: d.kind === 'refresh' ? 'refresh_token' : d.tokenType,
      exp: Math.floor(d.expiresAt / 1000),
      iat: Math.floor(d.createdAt / 1000),
      sub: d.openId,
      open_id: d.openId,
      union_id: d.unionId,
      iss: ctx.config.publicUrl,
    };
  });

  app.get(
    '/.well-known/oauth-authorization-server',
    { onRequest: anyOrigin, schema: { response: { 200: Metadata } } },
    async (_req, reply) => {
      const base = ctx.config.publicUrl;
      reply.header('cache-control', 'public, max-age=300');
      return {
        issuer: base,
        authorization_endpoint: `${base}/oauth2/authorize`,
        token_endpoint: `${base}/oauth2/token`,
        revocation_endpoint: `${base}/oauth2/revoke`,
        introspection_endpoint: `${base}/oauth2/introspect`,
        response_types_supported: ['code', 'token'],
        response_modes_supported: ['query', 'fragment'],
        grant_types_supported: ['authorization_code', 'refresh_token', 'implicit'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic', 'none'],
        revocation_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic', 'none'],
        introspection_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        scopes_supported: ['1', '2', '3', '4', '6', '16000'],
        service_documentation: `${base}/docs`,
      };
    },
  );
}
