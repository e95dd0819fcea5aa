// /oauth2/token (account-protocol §4): GET and POST form, query and body merged (body wins);
// authorization_code and refresh_token grants; every answer HTTP 200 with `&&&START&&&` + compact
// JSON (prefix per the `tokenPrefix` policy), errors with an integer `error`; never cached.
// Errors are thrown and written by the token endpoint's error family (token-errors.ts).
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import { missing, XM, XmOAuthError } from '../../../core/account/errors.ts';
import { mergeParams, type Params } from '../../../core/account/params.ts';
import { matchRedirectUri } from '../../../core/account/redirect-uri.ts';
import { type TokenIssue, tokenSuccessBody } from '../../../core/account/token-response.ts';
import { useErrorFamily } from '../../../http/errors.ts';
import { anyOrigin, noStore } from '../../../http/hooks.ts';
import { firstValueOfRepeats } from '../../../http/params.ts';
import { optionalString } from '../../../http/schemas.ts';
import { getAndPost, typed } from '../../../http/typed.ts';
import type { PresentedCredential } from '../../../services/oauth/types.ts';
import { authenticateClient } from './client-auth.ts';
import { CLIENT_FAILURES_PER_IP, ClientFailures } from './client-failures.ts';
import { OidcTokenError, TOKEN_CONTENT_TYPE, tokenErrors } from './token-errors.ts';
import { recordTokenRefusal } from './token-refusals.ts';

/** Failed token requests allowed per IP in five minutes (shared with revoke, introspect and passbook). */
export const TOKEN_FAILURES_PER_IP = CLIENT_FAILURES_PER_IP;

/** Parameters of a token request, in the query or the form body (body wins). */
const TokenParams = Type.Object({
  client_id: optionalString(),
  client_secret: optionalString('Unless sent with HTTP Basic; public apps send none'),
  grant_type: optionalString('authorization_code or refresh_token'),
  code: optionalString(),
  redirect_uri: optionalString(),
  code_verifier: optionalString('PKCE (RFC 7636)'),
  refresh_token: optionalString(),
});

export async function tokenRoutes(scope: FastifyInstance, ctx: Context): Promise<void> {
  const oauth = ctx.services.oauth;
  const failures = new ClientFailures(() => ctx.cache, ctx.serverSecret);
  const prefixed = (req: FastifyRequest) => ctx.config.tokenPrefix === 'always' || req.method === 'GET';

  scope.addHook('preValidation', firstValueOfRepeats);
  scope.addHook('onRequest', noStore);
  // Readable cross-origin (browser apps with PKCE): the endpoint never uses cookies.
  scope.addHook('onRequest', anyOrigin);
  scope.addHook('onRequest', (_req, reply, done) => {
    reply.header('pragma', 'no-cache');
    done();
  });
  useErrorFamily(scope, tokenErrors(prefixed));

  async function grant(p: Params, req: FastifyRequest, presented: PresentedCredential): Promise<{ issued: TokenIssue; clientId: string }> {
    const client = await authenticateClient(ctx.services.apps, p, req.headers.authorization);
    const grantType = p.grant_type;
    if (grantType === undefined || grantType === '') throw missing('grant_type');
    if (grantType === 'authorization_code') {
      if (!p.code) throw missing('code');
      if (p.redirect_uri && !matchRedirectUri(p.redirect_uri, client.redirectUris, { exact: client.flags.exactRedirect === true })) {
        throw new XmOAuthError(XM.INVALID_REDIRECT_URI);
      }
      const issued = await oauth.redeemCode(
        {
          clientId: client.clientId,
          code: p.code,
          codeVerifier: p.code_verifier,
          requirePkce: client.flags.public === true,
          // Exact-redirect apps get the strict rule: the same redirect_uri as at authorize time.
          expectRedirectUri: client.flags.exactRedirect === true ? (p.redirect_uri ?? '') : undefined,
          redirectUri: p.redirect_uri,
          ip: req.ip,
        },
        presented,
      );
      return { issued, clientId: client.clientId };
    }
    if (grantType === 'refresh_token') {
      if (!p.refresh_token) throw missing('refresh_token');
      return { issued: await oauth.refresh(client.clientId, p.refresh_token, req.ip, presented), clientId: client.clientId };
    }
    throw new XmOAuthError(XM.UNSUPPORTED_GRANT_TYPE);
  }

  const schema = { querystring: TokenParams, body: TokenParams, response: { 200: Type.String({ description: '&&&START&&& + JSON' }) } };
  getAndPost(typed(scope), '/oauth2/token', {}, schema, async (req, reply) => {
    reply.type(TOKEN_CONTENT_TYPE);
    const p = mergeParams(req.query, req.body);
    // OpenID Connect grants (the code or refresh token of an `openid` request) answer in the
    // RFC 6749 shape with an id_token; every other grant keeps the Xiaomi bytes.
    // The code or refresh token is read once, here, and its redemption goes on from that row.
    const presented = await oauth.present(p.grant_type === 'refresh_token' ? { refreshToken: p.refresh_token } : { code: p.code });
    const oidc = presented.oidc;
    // Any failure (client, code, refresh token) counts against the client's address.
    const { issued, clientId } = await failures
      .guard(req, reply, () =>
        grant(p, req, presented).catch(async (e: unknown) => {
          await recordTokenRefusal(ctx, p, req, e);
          throw e;
        }),
      )
      .catch((e: unknown) => {
        throw oidc && e instanceof XmOAuthError ? new OidcTokenError(e) : e;
      });
    ctx.services.usage.count(clientId, 'token');
    if (issued.oidc) {
      const kind = p.grant_type === 'refresh_token' ? 'refresh_token' : 'authorization_code';
      return JSON.stringify(await ctx.services.oidc.tokenResponse(issued, clientId, kind));
    }
    return tokenSuccessBody(issued, prefixed(req));
  });
}
