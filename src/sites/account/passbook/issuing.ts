// The passbook issuing API on the account origin (Opal's own, docs/passbook.md): apps authenticate
// with clientId + clientSecret (query, form or JSON body, or HTTP Basic) and manage their plans and
// passes. Answers use the open-API envelope; errors carry the statuses of appApiErrors().
import { type Static, type TProperties, type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../../context.ts';
import { isNumericId } from '../../../core/account/numeric-id.ts';
import { mergeParams, type Params } from '../../../core/account/params.ts';
import { assertNoNulls, OPEN_API_CONTENT_TYPE, okEnvelope } from '../../../core/open/envelope.ts';
import { useErrorFamily } from '../../../http/errors.ts';
import { anyOriginOnGet, noStore } from '../../../http/hooks.ts';
import { firstValueOfRepeats } from '../../../http/params.ts';
import { optionalString } from '../../../http/schemas.ts';
import { getAndPost, type TypedHandler, typed } from '../../../http/typed.ts';
import { InvalidInputError } from '../../../lib/errors.ts';
import { readAnyBodyAsForm } from '../client-quirks.ts';
import { authenticateClient } from '../oauth/client-auth.ts';
import { ClientFailures } from '../oauth/client-failures.ts';
import { appApiErrors } from '../open/errors.ts';
import { okEnvelopeSchema } from '../open/schemas.ts';

const S = Type.String();

const CREDENTIALS = {
  clientId: optionalString('The app (also as client_id), unless sent with HTTP Basic'),
  clientSecret: optionalString('The app secret (also as client_secret), unless sent with HTTP Basic'),
  client_id: optionalString(),
  client_secret: optionalString(),
};

const Plan = Type.Object({
  planId: S,
  clientId: S,
  title: S,
  description: S,
  logoUrl: S,
  validStartDate: Type.Number(),
  validEndDate: Type.Number(),
  createdAt: Type.Number(),
});

const Pass = Type.Object({
  passId: S,
  planId: S,
  clientId: S,
  userId: S,
  imeiMd5: S,
  passCode: S,
  createdAt: Type.Number(),
  revokedAt: Type.Number(),
});

/**
 * Authenticates the calling app (clientId + clientSecret, or HTTP Basic) → its clientId. Same rules
 * as the token endpoint (§4.4 secret tolerance, URL-decoded Basic credentials), but a secret is
 * always required, public apps included.
 */
async function authApp(ctx: Context, p: Params, authorization: string | undefined): Promise<string> {
  const app = await authenticateClient(
    ctx.services.apps,
    { client_id: p.clientId ?? p.client_id, client_secret: p.clientSecret ?? p.client_secret },
    authorization,
    { requireSecret: true, names: { id: 'clientId', secret: 'clientSecret' } },
  );
  return app.clientId;
}

function time(p: Params, name: string): number | undefined {
  const v = p[name];
  if (v === undefined || v === '') return undefined;
  if (/^\d{1,16}$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidInputError(`${name} must be epoch milliseconds or an ISO 8601 date`);
  return t;
}

interface AppApi<P extends TProperties, D extends TSchema> {
  /** POST only, or GET and POST. */
  get: boolean;
  path: string;
  /** Parameters besides the credentials, from the query or the body (body wins). */
  params: P;
  data: D;
  run(clientId: string, p: Params): Promise<Static<D>>;
}

export async function passbookApiRoutes(scope: FastifyInstance, ctx: Context): Promise<void> {
  await readAnyBodyAsForm(scope);
  scope.addHook('preValidation', firstValueOfRepeats);
  scope.addHook('onRequest', noStore);
  scope.addHook('onRequest', anyOriginOnGet);
  useErrorFamily(scope, appApiErrors());
  const app = typed(scope);
  const pb = ctx.services.passbook;
  const failures = new ClientFailures(() => ctx.cache);

  function route<P extends TProperties, D extends TSchema>(api: AppApi<P, D>): void {
    const params = Type.Object({ ...CREDENTIALS, ...api.params });
    // `run` is checked against the data schema (see open/route.ts).
    const response: TSchema = okEnvelopeSchema(api.data);
    const schema = { querystring: params, body: params, response: { 200: response } };
    const handler: TypedHandler<typeof schema> = async (req, reply) => {
      const p = mergeParams(req.query, req.body);
      const clientId = await failures.guard(req, reply, () => authApp(ctx, p, req.headers.authorization));
      const data = await api.run(clientId, p);
      assertNoNulls(data);
      reply.type(OPEN_API_CONTENT_TYPE);
      return okEnvelope(data);
    };
    if (api.get) getAndPost(app, api.path, {}, schema, handler);
    else app.post(api.path, { schema }, handler);
  }

  route({
    get: false,
    path: '/app/pass_plan/create',
    params: {
      title: optionalString(),
      description: optionalString(),
      logoUrl: optionalString(),
      validStartDate: optionalString(),
      validEndDate: optionalString(),
    },
    data: Plan,
    run: (clientId, p) =>
      pb.createPlan({
        clientId,
        title: p.title ?? '',
        description: p.description,
        logoUrl: p.logoUrl,
        validStartDate: time(p, 'validStartDate'),
        validEndDate: time(p, 'validEndDate'),
      }),
  });
  route({
    get: true,
    path: '/app/pass_plan/list',
    params: {},
    data: Type.Array(Plan),
    run: (clientId) => pb.plans(clientId),
  });
  route({
    get: false,
    path: '/app/pass/issue',
    params: {
      planId: optionalString(),
      userId: optionalString(),
      imei: optionalString(),
      imeiMd5: optionalString(),
      passCode: optionalString(),
    },
    data: Pass,
    run: async (clientId, p) => {
      if (!p.planId) throw new InvalidInputError('missing planId');
      if (p.userId && !isNumericId(p.userId)) throw new InvalidInputError('userId must be a decimal user id');
      return pb.issue({ clientId, planId: p.planId, user: p.userId, imei: p.imei, imeiMd5: p.imeiMd5, passCode: p.passCode });
    },
  });
  route({
    get: true,
    path: '/app/pass/list',
    params: { userId: optionalString(), planId: optionalString(), includeRevoked: optionalString() },
    data: Type.Array(Pass),
    run: (clientId, p) =>
      pb.passes({ clientId, userId: p.userId || undefined, planId: p.planId || undefined, includeRevoked: p.includeRevoked === 'true' }),
  });
  route({
    get: false,
    path: '/app/pass/revoke',
    params: { passId: optionalString() },
    data: Pass,
    run: async (clientId, p) => {
      if (!p.passId) throw new InvalidInputError('missing passId');
      return pb.revoke(p.passId, clientId);
    },
  });
}
