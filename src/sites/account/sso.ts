// `GET /sts?sid=galaxy-fds` on the account origin: a logged-in user (session cookie of the login
// page) obtains a serviceToken for FDS, which the FDS SDKs then send with `Authorization: SSO`
// (fds-protocol §2.5). Opal's own API (the real passport's service-login flow is not
// reproduced); documented in docs/storage-tokens.md.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { useErrorFamily } from '../../http/errors.ts';
import { noStore } from '../../http/hooks.ts';
import { firstValueOfRepeats } from '../../http/params.ts';
import { typed } from '../../http/typed.ts';
import { FDS_SID } from '../../services/storage-tokens/service.ts';
import { registerWeb } from '../../web/setup.ts';
import { requireLogin, sessionUser } from '../../web/signed-in.ts';
import { ApiError, jsonErrors } from './json-errors.ts';

/** serviceTokens one user may obtain per minute. */
const PER_USER_PER_MINUTE = 30;

const ServiceToken = Type.Object({ sid: Type.String(), userId: Type.String(), serviceToken: Type.String(), expireTime: Type.Number() });

export async function ssoRoutes(scope: FastifyInstance, ctx: Context): Promise<void> {
  await registerWeb(scope);
  scope.addHook('preValidation', firstValueOfRepeats);
  scope.addHook('onRequest', noStore);
  useErrorFamily(scope, jsonErrors({ name: 'sts', descriptionKey: 'error_description' }));
  const signedIn = requireLogin(scope, ctx.services.web, () => new ApiError(401, 'login_required', 'sign in first (GET /login)'));

  typed(scope).get(
    '/sts',
    {
      schema: { querystring: Type.Object({ sid: Type.Literal(FDS_SID) }), response: { 200: ServiceToken } },
      // The sid is checked before the session (a wrong sid is refused whoever asks).
      schemaErrorFormatter: () => new ApiError(400, 'invalid_sid', `sid must be ${FDS_SID}`),
      preHandler: signedIn,
    },
    async (req) => {
      const user = sessionUser(req);
      const n = await ctx.cache.incr(`fds:sts:${user.userId}`, 60_000);
      if (n > PER_USER_PER_MINUTE) {
        throw new ApiError(429, 'too_many_requests', `at most ${PER_USER_PER_MINUTE} serviceTokens per minute`);
      }
      const t = await ctx.services.storageTokens.issueServiceToken(user.userId, req.ip);
      return { sid: FDS_SID, userId: user.userId, serviceToken: t.serviceToken, expireTime: t.expireTime };
    },
  );
}
