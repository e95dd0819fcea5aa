// Standards beside the Xiaomi wire protocol: RFC 7009 revocation, RFC 7662 introspection (both
// client-authenticated, JSON, RFC 6749 error names) and RFC 8414 metadata.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Context } from '../../../context.ts';
import { XM, XmOAuthError } from '../../../core/account/errors.ts';
import { mergeParams } from '../../../core/account/params.ts';
import { formatScopes } from '../../../core/account/scope.ts';
import type { App } from '../../../services/apps.ts';
import { authenticateClient } from './client-auth.ts';

function oauthError(reply: FastifyReply, status: number, error: string, description: string) {
  return reply.code(status).header('cache-control', 'no-store').send({ error, error_description: description });
}

export async function standardRoutes(app: FastifyInstance, ctx: Context): Promise<void> {
  const oauth = ctx.services.oauth;

  async function client(p: Record<string, string>, authorization: string | undefined, reply: FastifyReply): Promise<App | undefined> {
    try {
      return await authenticateClient(ctx.services.apps, p, authorization);
    } catch (e) {
      if (!(e instanceof XmOAuthError)) throw e;
      if (e.code === XM.INVALID_REQUEST) oauthError(reply, 400, 'invalid_request', e.description);
      else {
        reply.header('www-authenticate', 'Basic realm="opal"');
        oauthError(reply, 401, 'invalid_client', e.description);
      }
      return undefined;
    }
  }

  app.post('/oauth2/revoke', async (req, reply) => {
    reply.header('access-control-allow-origin', '*');
    const p = mergeParams(undefined, req.body);
    const c = await client(p, req.headers.authorization, reply);
    if (!c) return reply;
    if (!p.token) return oauthError(reply, 400, 'invalid_request', 'missing token');
    // RFC 7009 §2.2: unknown tokens and tokens of other clients also answer 200.
    await oauth.revokeToken(p.token, c.clientId, c.clientId, req.ip);
    return reply.code(200).header('cache-control', 'no-store').send({});
  });

  app.post('/oauth2/introspect', async (req, reply) => {
    const p = mergeParams(undefined, req.body);
    const c = await client(p, req.headers.authorization, reply);
    if (!c) return reply;
    if (c.flags.public === true && !p.client_secret) return oauthError(reply, 401, 'invalid_client', 'public clients cannot introspect');
    if (!p.token) return oauthError(reply, 400, 'invalid_request', 'missing token');
    reply.header('cache-control', 'no-store');
    const d = await oauth.inspect(p.token);
    if (!d?.active || d.clientId !== c.clientId) return reply.send({ active: false });
    return reply.send({
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
    });
  });

  app.get('/.well-known/oauth-authorization-server', async (_req, reply) => {
    const base = ctx.config.publicUrl;
    return reply
      .header('cache-control', 'public, max-age=300')
      .header('access-control-allow-origin', '*')
      .send({
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
        service_documentation: `${base}/`,
      });
  });
}
