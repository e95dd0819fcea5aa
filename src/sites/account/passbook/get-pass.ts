// `GET /app/get_pass`, the passbook holder's open API (scope 16000), on the account origin and on
// config.passbookHost, where real clients call api.passbook.xiaomi.com: MAC signatures made with
// either host name verify. Documented in docs/passbook.md.
import { Type } from '@sinclair/typebox';
import type { Context } from '../../../context.ts';
import { XM, XmOAuthError } from '../../../core/account/errors.ts';
import { parseImeiMd5 } from '../../../core/passbook/pass.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import { openApiRoute } from '../open/route.ts';
import { OPEN_PARAMS } from '../open/schemas.ts';

export const PASSBOOK_PUBLIC_HOST = 'api.passbook.xiaomi.com';

const S = Type.String();
/** core/passbook/pass.ts WirePass, keys in wire order. */
const HolderPass = Type.Object({
  passId: S,
  passCode: S,
  appName: S,
  appId: S,
  logoUrl: S,
  planId: S,
  title: S,
  description: S,
  validStartDate: Type.Number(),
  validEndDate: Type.Number(),
});

export async function getPassRoutes(app: TypedInstance, ctx: Context): Promise<void> {
  const extraHosts = [...(ctx.config.passbookHost ? [ctx.config.passbookHost] : []), PASSBOOK_PUBLIC_HOST];
  openApiRoute(app, ctx, {
    path: '/app/get_pass',
    rule: { anyScope: [16000], extraHosts },
    query: Type.Object({ ...OPEN_PARAMS, imei: Type.Optional(Type.String({ description: 'MD5 hex of the device IMEI' })) }),
    data: Type.Array(HolderPass),
    run: async (call, r) => {
      const imei = r.get('imei');
      let device: string | undefined;
      if (imei) {
        device = parseImeiMd5(imei);
        if (!device) throw new XmOAuthError(XM.INVALID_REQUEST, 'invalid request: imei must be the MD5 hex of the IMEI');
      }
      return ctx.services.passbook.holderView(call.app.clientId, call.user.userId, device);
    },
  });
}
