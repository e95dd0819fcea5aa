// OpenID Connect endpoints beside the Xiaomi protocol: discovery, the key set and /userinfo (JSON,
// readable cross-origin, RFC 6750 errors). The authorize branch is in authorize.ts, the id_token
// of the token endpoint in services/oidc, RP-initiated logout in end-session.ts.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import { providerMetadata } from '../../../core/oidc/discovery.ts';
import { useErrorFamily } from '../../../http/errors.ts';
import { anyOrigin, noStore } from '../../../http/hooks.ts';
import { typed } from '../../../http/typed.ts';
import { ApiError, jsonErrors } from '../json-errors.ts';

const Claims = Type.Record(Type.String(), Type.Unknown(), { description: 'Standard claims (OIDC Core §5.1)' });

function bearer(req: FastifyRequest): string | undefined {
  const m = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

const invalidToken = (description: string) =>
  new ApiError(401, 'invalid_token', description, {
    'www-authenticate': `Bearer error="invalid_token", error_description="${description}"`,
  });

export async function oidcRoutes(scope: FastifyInstance, ctx: Context): Promise<void> {
  const oidc = ctx.services.oidc;
  useErrorFamily(scope, jsonErrors({ name: 'OpenID Connect endpoints', descriptionKey: 'error_description' }));
  scope.addHook('onRequest', anyOrigin);
  const app = typed(scope);

  app.get('/.well-known/openid-configuration', { schema: { response: { 200: Claims } } }, async (_req, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return providerMetadata(oidc.issuer, `${oidc.issuer}/docs`);
  });

  app.get('/jwks.json', { schema: { response: { 200: Type.Object({ keys: Type.Array(Claims) }) } } }, async (_req, reply) => {
    // Short: a rotation must reach relying parties before the retired keys are dropped.
    reply.header('cache-control', 'public, max-age=300');
    return oidc.keys.jwks();
  });

  const userinfo = async (req: FastifyRequest) => {
    const token = bearer(req);
    if (!token) throw new ApiError(401, 'invalid_request', 'missing bearer token', { 'www-authenticate': 'Bearer realm="opal"' });
    const info = await ctx.services.oauth.resolveAccessToken(token);
    if (info?.tokenType !== 'bearer') throw invalidToken('the access token is invalid or expired');
    if (!info.oidc)
      throw new ApiError(403, 'insufficient_scope', 'the token was not issued for scope openid', {
        'www-authenticate': 'Bearer error="insufficient_scope", scope="openid"',
      });
    const claims = await oidc.userinfo(info);
    if (!claims) throw invalidToken('the user no longer exists');
    return claims;
  };
  app.get('/userinfo', { onRequest: noStore, schema: { response: { 200: Claims } } }, userinfo);
  app.post('/userinfo', { onRequest: noStore, schema: { response: { 200: Claims } } }, userinfo);
}
