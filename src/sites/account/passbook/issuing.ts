// Passbook HTTP API on the account origin (and on config.passbookHost, where real clients call
// api.passbook.xiaomi.com): the holder's `GET /app/get_pass` (an open API, scope 16000) and the
// app-authenticated issuing API documented in docs/passbook.md.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { XM, XmOAuthError } from '../../core/account/errors.ts';
import { errorBody, OPEN_API_CONTENT_TYPE } from '../../core/open/envelope.ts';
import { parseImeiMd5 } from '../../core/passbook/pass.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../../lib/errors.ts';
import { authenticateClient } from './oauth/client-auth.ts';
import { sendOk } from './open/reply.ts';
import { openRequest } from './open/request.ts';
import { openApi } from './open/routes.ts';

export const PASSBOOK_PUBLIC_HOST = 'api.passbook.xiaomi.com';

/** Parameters of an issuing call: query, form or JSON body (body wins), strings only. */
function params(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of openRequest(req).params) out[k] = v;
  const type = req.headers['content-type'] ?? '';
  if (typeof req.body === 'string' && /json/i.test(type) && req.body.trim()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(req.body);
    } catch {
      throw new InvalidInputError('body is not valid JSON');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidInputError('JSON body must be an object');
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v === 'string') out[k] = v;
      else if (typeof v === 'number' && Number.isFinite(v)) out[k] = String(v);
    }
  }
  return out;
}

/**
 * Authenticates the calling app (clientId + clientSecret, or HTTP Basic) → its clientId. Same rules
 * as the token endpoint (§4.4 secret tolerance, URL-decoded Basic credentials), but a secret is
 * always required, public apps included.
 */
async function authApp(ctx: Context, req: FastifyRequest, p: Record<string, string>): Promise<string> {
  const creds: Record<string, string> = {};
  const id = p.clientId ?? p.client_id;
  const secret = p.clientSecret ?? p.client_secret;
  if (id !== undefined) creds.client_id = id;
  if (secret !== undefined) creds.client_secret = secret;
  const app = await authenticateClient(ctx.services.apps, creds, req.headers.authorization, {
    requireSecret: true,
    names: { id: 'clientId', secret: 'clientSecret' },
  });
  return app.clientId;
}

function fail(reply: FastifyReply, status: number, code: number, description: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type(OPEN_API_CONTENT_TYPE).send(errorBody(code, description));
}

type AppHandler = (clientId: string, p: Record<string, string>, req: FastifyRequest) => Promise<unknown>;

function appApi(ctx: Context, handler: AppHandler) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      const p = params(req);
      const clientId = await authApp(ctx, req, p);
      return sendOk(req, reply, await handler(clientId, p, req));
    } catch (e) {
      if (e instanceof XmOAuthError) return fail(reply, e.code === XM.INVALID_CLIENT ? 401 : 400, e.code, e.description);
      if (e instanceof InvalidInputError) return fail(reply, 400, XM.INVALID_REQUEST, `invalid request: ${e.message}`);
      if (e instanceof NotFoundError) return fail(reply, 404, XM.INVALID_REQUEST, e.message);
      if (e instanceof ConflictError) return fail(reply, 409, XM.INVALID_REQUEST, e.message);
      req.log.error({ err: e }, 'passbook API failure');
      return fail(reply, 500, 500, 'internal error');
    }
  };
}

function time(p: Record<string, string>, name: string): number | undefined {
  const v = p[name];
  if (v === undefined || v === '') return undefined;
  if (/^\d{1,16}$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidInputError(`${name} must be epoch milliseconds or an ISO 8601 date`);
  return t;
}

export async function passbookRoutes(app: FastifyInstance, ctx: Context): Promise<void> {
  const pb = ctx.services.passbook;
  const extraHosts = [...(ctx.config.passbookHost ? [ctx.config.passbookHost] : []), PASSBOOK_PUBLIC_HOST];

  const getPass = openApi(ctx, { anyScope: [16000], extraHosts }, async (call, req) => {
    const imei = openRequest(req).get('imei');
    let device: string | undefined;
    if (imei) {
      device = parseImeiMd5(imei);
      if (!device) throw new XmOAuthError(XM.INVALID_REQUEST, 'invalid request: imei must be the MD5 hex of the IMEI');
    }
    return pb.holderView(call.app.clientId, call.user.userId, device);
  });
  app.get('/app/get_pass', getPass);
  app.post('/app/get_pass', getPass);

  const both = (path: string, h: ReturnType<typeof appApi>) => {
    app.get(path, h);
    app.post(path, h);
  };
  app.post(
    '/app/pass_plan/create',
    appApi(ctx, (clientId, p) =>
      pb.createPlan({
        clientId,
        title: p.title ?? '',
        description: p.description,
        logoUrl: p.logoUrl,
        validStartDate: time(p, 'validStartDate'),
        validEndDate: time(p, 'validEndDate'),
      }),
    ),
  );
  both(
    '/app/pass_plan/list',
    appApi(ctx, (clientId) => pb.plans(clientId)),
  );
  app.post(
    '/app/pass/issue',
    appApi(ctx, async (clientId, p) => {
      if (!p.planId) throw new InvalidInputError('missing planId');
      if (p.userId && !/^\d{1,20}$/.test(p.userId)) throw new InvalidInputError('userId must be a decimal user id');
      return pb.issue({ clientId, planId: p.planId, user: p.userId, imei: p.imei, imeiMd5: p.imeiMd5, passCode: p.passCode });
    }),
  );
  both(
    '/app/pass/list',
    appApi(ctx, (clientId, p) =>
      pb.passes({ clientId, userId: p.userId || undefined, planId: p.planId || undefined, includeRevoked: p.includeRevoked === 'true' }),
    ),
  );
  app.post(
    '/app/pass/revoke',
    appApi(ctx, (clientId, p) => {
      if (!p.passId) throw new InvalidInputError('missing passId');
      return pb.revoke(p.passId, clientId);
    }),
  );
}
