// The open user-data APIs (account-protocol §6.4–§6.7, §1.4): /user/profile, /user/openidV2 (and
// /user/openIdV2), /user/phoneAndEmail, /user/phone, /user/relation — GET and POST.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import { friendsString, profileData } from '../../../core/open/profile.ts';
import { authenticate, type OpenApiRule, type OpenCall } from './authenticate.ts';
import { guarded, sendOk } from './reply.ts';
import { openRequest } from './request.ts';

/** Scheme and authority this request reached us on (honours X-Forwarded-* behind a trusted proxy). */
export function requestOrigin(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

type DataOf = (call: OpenCall, req: FastifyRequest) => Promise<unknown>;

export function openApi(ctx: Context, rule: OpenApiRule, data: DataOf) {
  return guarded(
    () => ctx.config.openApiErrorStatus,
    async (req, reply) => {
      const call = await authenticate(ctx, openRequest(req), req.headers.authorization, rule);
      return sendOk(req, reply, await data(call, req));
    },
  );
}

export async function userRoutes(app: FastifyInstance, ctx: Context): Promise<void> {
  const route = (path: string, rule: OpenApiRule, data: DataOf) => {
    const handler = openApi(ctx, rule, data);
    app.get(path, handler);
    app.post(path, handler);
  };

  route('/user/profile', { anyScope: [1] }, async ({ token, user, app: client }, req) =>
    profileData(
      {
        unionId: token.unionId,
        nickname: user.nickname,
        avatarUrl: user.avatarUrl,
        userId: user.userId,
        emitUserId: client.flags.emitUserId !== false,
      },
      requestOrigin(req),
    ),
  );

  const openId = async ({ token }: OpenCall) => ({ openId: token.openId, openid: token.openId });
  route('/user/openidV2', { anyScope: [3] }, openId);
  route('/user/openIdV2', { anyScope: [3] }, openId);

  const granted = (call: OpenCall, scope: number) => call.token.scopes.includes(scope) && call.app.scopes.includes(scope);
  route('/user/phoneAndEmail', { anyScope: [4, 6] }, async (call) => ({
    phone: granted(call, 4) ? call.user.phone : '',
    email: granted(call, 6) ? call.user.email : '',
  }));
  route('/user/phone', { anyScope: [4] }, async (call) => ({ phone: call.user.phone }));

  route('/user/relation', { anyScope: [2] }, async ({ user }) => ({
    friends: friendsString(await ctx.services.friends.list(user.userId)),
  }));
}
