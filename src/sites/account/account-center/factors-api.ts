// Second factors as JSON under /api/account/factors (docs/account-center.md, docs/openapi.json), with
// the rules of the /account/factors pages (services/factors/setup.ts): an authenticator app is set
// up with a secret kept for this session until a first code confirms it; passkeys are added with
// options whose challenge is bound to the CSRF token sent in `x-csrf-token`; removing a factor or
// making new recovery codes needs the password or a current code (`proof`), throttled like
// sign-in. Every change needs the session cookie and the CSRF header (accountApi's `changes`).
import { Type } from '@sinclair/typebox';
import type { FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { Context } from '../../../context.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import { ConflictError } from '../../../lib/errors.ts';
import type { RegistrationResponseJSON } from '../../../services/factors/passkeys.ts';
import { SETUP_TTL_MS } from '../../../services/factors/setup.ts';
import { totpUri } from '../../../services/factors/totp.ts';
import { translator } from '../../../web/i18n.ts';
import { sessionUser } from '../../../web/signed-in.ts';
import { addFactorMessages } from '../factors/messages.ts';
import { ApiError } from '../json-errors.ts';

const S = Type.String();
const N = Type.Number();
const Factor = Type.Object({
  id: S,
  kind: Type.Union([Type.Literal('totp'), Type.Literal('passkey')]),
  name: S,
  createdAt: N,
  lastUsedAt: Type.Union([N, Type.Null()]),
});
const Factors = Type.Object({
  factors: Type.Array(Factor),
  recoveryCodes: Type.Number({ description: 'Unused recovery codes' }),
});
const RecoveryCodes = Type.Object({ recoveryCodes: Type.Array(S, { description: 'Shown only now' }) });
const Proof = Type.Object({ proof: Type.String({ maxLength: 256, description: 'The password or a current code' }) });
const AnyObject = Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true });

type Guards = Pick<RouteShorthandOptions, 'preValidation'>;

export async function factorsApi(app: TypedInstance, ctx: Context, reads: Guards, changes: Guards): Promise<void> {
  addFactorMessages();
  const web = ctx.services.web;
  const factors = ctx.services.factors;
  const setup = ctx.services.factorSetup;
  const session = async (req: FastifyRequest) => {
    const s = await web.sessions.session(req);
    if (!s) throw new ApiError(401, 'login_required', 'sign in first');
    return s;
  };
  const refuse = (r: { kind: 'wrong' } | { kind: 'throttled'; wait: number }): never => {
    if (r.kind === 'throttled') throw new ApiError(429, 'throttled', 'too many attempts', { 'retry-after': String(r.wait) });
    throw new ApiError(403, 'wrong_proof', 'the password or code is not right');
  };
  const r = reads;
  const c = changes;

  app.get('/api/account/factors', { ...r, schema: { response: { 200: Factors } } }, async (req) => {
    const userId = sessionUser(req).userId;
    return { factors: await factors.list(userId), recoveryCodes: (await factors.summary(userId)).recoveryCodes };
  });

  app.post(
    '/api/account/factors/totp',
    { ...c, schema: { response: { 200: Type.Object({ secret: S, otpauthUri: S, expiresIn: N }) } } },
    async (req) => {
      const s = await session(req);
      const secret = await setup.beginTotp(s.id, s.user.userId);
      if (!secret) throw new ApiError(409, 'exists', 'an authenticator app is set up already: remove it first');
      const issuer = web.brand.name ?? translator(web.locale(req))('common.appTitle');
      return { secret, otpauthUri: totpUri(issuer, s.user.account, secret), expiresIn: SETUP_TTL_MS / 1000 };
    },
  );

  app.post(
    '/api/account/factors/totp/confirm',
    { ...c, schema: { body: Type.Object({ code: Type.String({ maxLength: 32 }) }), response: { 200: RecoveryCodes } } },
    async (req) => {
      const s = await session(req);
      const name = translator(web.locale(req))('factors.kinds.totp');
      const done = await setup.confirmTotp(s.id, s.user.userId, req.body.code, name, req.ip);
      if (done.kind === 'expired') throw new ApiError(400, 'expired', 'no authenticator set-up waits in this session');
      if (done.kind === 'throttled') throw new ApiError(429, 'throttled', 'too many attempts', { 'retry-after': String(done.wait) });
      if (done.kind === 'exists') throw new ApiError(409, 'exists', 'an authenticator app is set up already');
      if (done.kind === 'invalid') throw new ApiError(400, 'wrong_code', 'the code is not right');
      await setup.forgetCodes(s.id);
      return { recoveryCodes: done.codes };
    },
  );

  app.post('/api/account/factors/recovery-codes', { ...c, schema: { body: Proof, response: { 200: RecoveryCodes } } }, async (req) => {
    const s = await session(req);
    if (!(await factors.summary(s.user.userId)).any) throw new ApiError(409, 'no_factor', 'recovery codes come with a second factor');
    const proof = await setup.prove(s.user.userId, req.body.proof, req.ip);
    if (proof.kind !== 'ok') refuse(proof);
    const codes = await setup.renewRecoveryCodes(s.id, s.user.userId, req.ip);
    await setup.forgetCodes(s.id);
    return { recoveryCodes: codes };
  });

  app.post('/api/account/factors/passkey/options', { ...c, schema: { response: { 200: AnyObject } } }, async (req) => {
    const s = await session(req);
    const binding = String(req.headers['x-csrf-token']);
    return factors.passkeys.registrationOptions(binding, s.user, (await factors.summary(s.user.userId)).passkeys);
  });

  app.post(
    '/api/account/factors/passkey',
    {
      ...c,
      schema: {
        body: Type.Object({
          name: Type.Optional(Type.String({ maxLength: 64 })),
          response: Type.Object({ id: Type.String({ maxLength: 1024 }) }, { additionalProperties: true }),
        }),
        response: { 201: Factor },
      },
    },
    async (req, reply) => {
      const s = await session(req);
      const name = (req.body.name ?? '').trim() || translator(web.locale(req))('factors.passkey.defaultName');
      const binding = String(req.headers['x-csrf-token']);
      try {
        const added = await factors.addPasskey(s.user.userId, binding, req.body.response as unknown as RegistrationResponseJSON, name);
        if (!added) throw new ApiError(400, 'passkey_refused', 'the registration did not verify (challenge, origin or signature)');
        return reply.code(201).send(added);
      } catch (e) {
        if (e instanceof ConflictError) throw new ApiError(409, 'exists', 'this passkey is registered already');
        throw e;
      }
    },
  );

  app.delete(
    '/api/account/factors/:id',
    { ...c, schema: { params: Type.Object({ id: Type.String({ maxLength: 64 }) }), body: Proof, response: { 204: Type.Null() } } },
    async (req, reply) => {
      const s = await session(req);
      if (!(await factors.list(s.user.userId)).some((f) => f.id === req.params.id)) throw new ApiError(404, 'not_found', 'no such factor');
      const proof = await setup.prove(s.user.userId, req.body.proof, req.ip);
      if (proof.kind !== 'ok') refuse(proof);
      await factors.remove(s.user.userId, req.params.id, req.ip);
      return reply.code(204).send(null);
    },
  );
}
