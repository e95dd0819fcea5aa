// What the token endpoint tells a developer about its refusals (issue 13 item 8): each refusal of a
// request naming a known app is written to the audit log (`oauth.token_refused`, with the wire
// code and its description as the reason) and counted in the app's usage; the developer console
// shows both on the app's page. The client's answer is unchanged. Requests refused by the per-IP
// failure limit are not recorded (they never reach the checks), so the log grows no faster than
// that limit allows.
import type { FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import { XmOAuthError } from '../../../core/account/errors.ts';
import { isNumericId } from '../../../core/account/numeric-id.ts';
import type { Params } from '../../../core/account/params.ts';

export const TOKEN_REFUSED = 'oauth.token_refused';

export async function recordTokenRefusal(ctx: Context, p: Params, req: FastifyRequest, err: unknown): Promise<void> {
  if (!(err instanceof XmOAuthError)) return;
  const clientId = p.client_id;
  if (!clientId || !isNumericId(clientId) || !(await ctx.services.apps.find(clientId))) return;
  ctx.services.usage.count(clientId, 'token_refused');
  await ctx.services.audit.record({
    type: TOKEN_REFUSED,
    clientId,
    ip: req.ip,
    detail: { code: err.code, reason: err.description, grantType: (p.grant_type ?? '').slice(0, 40), method: req.method },
  });
}
