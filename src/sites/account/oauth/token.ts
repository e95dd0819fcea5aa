// /oauth2/token (account-protocol §4): GET and POST form, query and body merged (body wins);
// authorization_code and refresh_token grants; every answer HTTP 200 with `&&&START&&&` + compact
// JSON (prefix per the `tokenPrefix` policy), errors with an integer `error`; never cached.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import { missing, XM, XmOAuthError } from '../../../core/account/errors.ts';
import { mergeParams } from '../../../core/account/params.ts';
import { matchRedirectUri } from '../../../core/account/redirect-uri.ts';
import { tokenErrorBody, tokenSuccessBody } from '../../../core/account/token-response.ts';
import { FailureLimiter } from '../../../services/throttle.ts';
import { authenticateClient } from './client-auth.ts';

/** Failed token requests allowed per IP in five minutes before further requests are refused. */
export const TOKEN_FAILURES_PER_IP = 100;

export async function tokenRoutes(app: FastifyInstance, ctx: Context): Promise<void> {
  const oauth = ctx.services.oauth;
  const limiter = new FailureLimiter(() => ctx.cache, 'token:fail', TOKEN_FAILURES_PER_IP, 5 * 60_000);

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const prefix = ctx.config.tokenPrefix === 'always' || req.method === 'GET';
    // Readable cross-origin (browser apps with PKCE): the endpoint never uses cookies.
    reply
      .code(200)
      .header('cache-control', 'no-store')
      .header('pragma', 'no-cache')
      .header('access-control-allow-origin', '*')
      .type('application/json;charset=UTF-8');
    // Every request reserves a failure before it is examined and gives it back when it succeeds,
    // so concurrent failing requests cannot outrun the limit.
    const reserved = await limiter.reserve(req.ip);
    if ('wait' in reserved) {
      reply.header('retry-after', String(reserved.wait));
      return reply.send(tokenErrorBody(XM.INVALID_REQUEST, 'too many failed requests, retry later', prefix));
    }
    const p = mergeParams(req.query, req.body);
    try {
      const client = await authenticateClient(ctx.services.apps, p, req.headers.authorization);
      const grantType = p.grant_type;
      if (grantType === undefined || grantType === '') throw missing('grant_type');
      if (grantType === 'authorization_code') {
        if (!p.code) throw missing('code');
        if (p.redirect_uri && !matchRedirectUri(p.redirect_uri, client.redirectUris, { exact: client.flags.exactRedirect === true })) {
          throw new XmOAuthError(XM.INVALID_REDIRECT_URI);
        }
        const issued = await oauth.redeemCode({
          clientId: client.clientId,
          code: p.code,
          codeVerifier: p.code_verifier,
          requirePkce: client.flags.public === true,
          // Exact-redirect apps get the strict rule: the same redirect_uri as at authorize time.
          expectRedirectUri: client.flags.exactRedirect === true ? (p.redirect_uri ?? '') : undefined,
          ip: req.ip,
        });
        await limiter.succeeded(reserved.slot);
        return reply.send(tokenSuccessBody(issued, prefix));
      }
      if (grantType === 'refresh_token') {
        if (!p.refresh_token) throw missing('refresh_token');
        const issued = await oauth.refresh(client.clientId, p.refresh_token, req.ip);
        await limiter.succeeded(reserved.slot);
        return reply.send(tokenSuccessBody(issued, prefix));
      }
      throw new XmOAuthError(XM.UNSUPPORTED_GRANT_TYPE);
    } catch (e) {
      if (!(e instanceof XmOAuthError)) throw e;
      return reply.send(tokenErrorBody(e.code, e.description, prefix));
    }
  };
  app.route({
    method: ['GET', 'POST'],
    url: '/oauth2/token',
    handler,
    // Unparseable bodies (bad JSON, oversized forms) still get the protocol's error shape.
    errorHandler: (err: { statusCode?: number }, req, reply) => {
      const status = err.statusCode ?? 500;
      if (status >= 500) throw err;
      const prefix = ctx.config.tokenPrefix === 'always' || req.method === 'GET';
      return reply
        .code(200)
        .header('cache-control', 'no-store')
        .type('application/json;charset=UTF-8')
        .send(tokenErrorBody(XM.INVALID_REQUEST, 'invalid request: unreadable parameters', prefix));
    },
  });
}
