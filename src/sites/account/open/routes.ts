// The open user-data APIs (account-protocol §6.4–§6.7, §1.4): /user/profile, /user/openidV2 (and
// /user/openIdV2), /user/phoneAndEmail, /user/phone, /user/relation — GET and POST.
import { Type } from '@sinclair/typebox';
import type { Context } from '../../../context.ts';
import { friendsString, profileData } from '../../../core/open/profile.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import type { OpenCall } from './authenticate.ts';
import { openApiRoute, requestOrigin } from './route.ts';

const S = Type.String();

const Profile = Type.Object({
  unionId: S,
  miliaoNick: S,
  miliaoIcon: S,
  miliaoIcon_75: S,
  miliaoIcon_90: S,
  miliaoIcon_120: S,
  miliaoIcon_320: S,
  miliaoIcon_orig: S,
  userId: Type.Optional(S),
});
const OpenId = Type.Object({ openId: S, openid: S });
const PhoneAndEmail = Type.Object({ phone: S, email: S });
const Phone = Type.Object({ phone: S });
const Relation = Type.Object({ friends: S });

export async function userRoutes(app: TypedInstance, ctx: Context): Promise<void> {
  openApiRoute(app, ctx, {
    path: '/user/profile',
    rule: { anyScope: [1] },
    data: Profile,
    run: async ({ token, user, app: client }, _r, req) =>
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
  });

  const openId = async ({ token }: OpenCall) => ({ openId: token.openId, openid: token.openId });
  openApiRoute(app, ctx, { path: '/user/openidV2', rule: { anyScope: [3] }, data: OpenId, run: openId });
  openApiRoute(app, ctx, { path: '/user/openIdV2', rule: { anyScope: [3] }, data: OpenId, run: openId });

  const granted = (call: OpenCall, scope: number) => call.token.scopes.includes(scope) && call.app.scopes.includes(scope);
  openApiRoute(app, ctx, {
    path: '/user/phoneAndEmail',
    rule: { anyScope: [4, 6] },
    data: PhoneAndEmail,
    run: async (call) => ({ phone: granted(call, 4) ? call.user.phone : '', email: granted(call, 6) ? call.user.email : '' }),
  });
  openApiRoute(app, ctx, { path: '/user/phone', rule: { anyScope: [4] }, data: Phone, run: async (call) => ({ phone: call.user.phone }) });

  openApiRoute(app, ctx, {
    path: '/user/relation',
    rule: { anyScope: [2] },
    data: Relation,
    run: async ({ user }) => ({ friends: friendsString(await ctx.services.friends.list(user.userId)) }),
  });
}
