// The account center as JSON under /api/account (docs/account-center.md, docs/openapi.json),
// authenticated by the page session cookie. Every change needs the CSRF token of GET /api/account
// in `x-csrf-token` and must come from the account origin itself. The grants API (/api/account/grants)
// and the friends API (/api/account/friends) already exist beside it; apps here add the words of
// each scope and the last use; second factors are in factors-api.ts.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import { useErrorFamily } from '../../../http/errors.ts';
import { noStore } from '../../../http/hooks.ts';
import { typed } from '../../../http/typed.ts';
import { BusyError, InvalidInputError } from '../../../lib/errors.ts';
import { qrSvg } from '../../../lib/qr-code.ts';
import { AVATAR_MAX_BYTES } from '../../../services/account-center/avatars.ts';
import type { User } from '../../../services/users.ts';
import { translator } from '../../../web/i18n.ts';
import { registerWeb } from '../../../web/setup.ts';
import { requireLogin, sessionUser } from '../../../web/signed-in.ts';
import { ApiError, jsonErrors } from '../json-errors.ts';
import { scopeWords } from './access-pages.ts';
import { factorsApi } from './factors-api.ts';
import { deviceOf } from './page-kit.ts';
import { avatarList } from './profile-pages.ts';

const S = Type.String();
const N = Type.Number();
const Account = Type.Object({
  userId: S,
  account: S,
  nickname: S,
  email: S,
  phone: S,
  avatars: Type.Record(S, S, { description: 'miliaoIcon, miliaoIcon_75 … miliaoIcon_orig, as /user/profile gives them' }),
  csrfToken: Type.String({ description: 'Send it in x-csrf-token with every change' }),
});
const Sessions = Type.Object({
  sessions: Type.Array(Type.Object({ ref: S, device: S, userAgent: S, ip: S, createdAt: N, lastUsedAt: N, current: Type.Boolean() })),
});
const Apps = Type.Object({
  apps: Type.Array(
    Type.Object({
      clientId: S,
      appName: S,
      scopes: Type.Array(N),
      scopeText: Type.Array(S),
      grantedAt: N,
      updatedAt: N,
      lastUsedAt: Type.Number({ description: 'When the app last got a token (0: never)' }),
    }),
  ),
});
const Passes = Type.Object({
  passes: Type.Array(
    Type.Object({ passId: S, planId: S, planName: S, clientId: S, appName: S, passCode: S, qrSvg: S, createdAt: N, revokedAt: N }),
  ),
});
const StorageTokens = Type.Object({
  tokens: Type.Array(Type.Object({ id: S, kind: S, appId: Type.Union([S, Type.Null()]), createdAt: N, expireTime: N })),
});
const Log = Type.Object({
  events: Type.Array(Type.Object({ type: S, text: S, at: N, ip: S, clientId: S })),
});
const NoContent = { 204: Type.Null() };

export async function accountApi(scope: FastifyInstance, ctx: Context): Promise<void> {
  const web = ctx.services.web;
  const account = ctx.services.account;
  await registerWeb(scope);
  scope.addContentTypeParser(/^image\//, { parseAs: 'buffer', bodyLimit: AVATAR_MAX_BYTES }, (_req, body, done) => done(null, body));
  scope.addHook('onRequest', noStore);
  useErrorFamily(
    scope,
    jsonErrors({
      name: 'account API',
      descriptionKey: 'error_description',
      translate: (e) =>
        e instanceof InvalidInputError
          ? new ApiError(400, 'invalid_request', e.message)
          : e instanceof BusyError
            ? new ApiError(503, 'busy', e.message, { 'retry-after': '1' })
            : undefined,
    }),
  );
  const signedIn = requireLogin(scope, web, () => new ApiError(401, 'login_required', 'sign in first'));
  const change = async (req: FastifyRequest) => {
    if (!web.sameOrigin.allows(req)) throw new ApiError(403, 'cross_origin', 'send the request from the account origin itself');
    if (!(await web.csrf.verify(req, req.headers['x-csrf-token']))) throw new ApiError(403, 'csrf', 'missing or wrong x-csrf-token');
  };
  const reads = { preValidation: signedIn };
  const changes = { preValidation: [signedIn, change] };
  const app = typed(scope);
  const view = async (req: FastifyRequest, reply: FastifyReply, user: User) => ({
    userId: user.userId,
    account: user.account,
    nickname: user.nickname,
    email: user.email,
    phone: user.phone,
    avatars: Object.fromEntries(avatarList(req, user).map((a) => [a.key, a.url])),
    csrfToken: await web.csrf.issue(req, reply),
  });
  const currentId = async (req: FastifyRequest) => (await web.sessions.session(req))?.id ?? '';

  app.get('/api/account', { ...reads, schema: { response: { 200: Account } } }, async (req, reply) => view(req, reply, sessionUser(req)));

  app.post(
    '/api/account/profile',
    { ...changes, schema: { body: Type.Object({ nickname: Type.String({ maxLength: 64 }) }), response: { 200: Account } } },
    async (req, reply) => {
      const user = sessionUser(req);
      const updated = await ctx.services.users.update(user.userId, { nickname: req.body.nickname.trim() });
      await ctx.services.audit.record({ type: 'account.nickname_set', actor: user.userId, subject: user.userId, ip: req.ip });
      return view(req, reply, updated);
    },
  );

  app.put('/api/account/avatar', { ...changes, schema: { response: { 200: Account } } }, async (req, reply) => {
    if (!Buffer.isBuffer(req.body)) throw new ApiError(415, 'unsupported_media_type', 'send the image itself with an image/* content type');
    return view(req, reply, await account.avatars.upload(sessionUser(req), req.body, req.ip));
  });

  app.delete('/api/account/avatar', { ...changes, schema: { response: { 200: Account } } }, async (req, reply) =>
    view(req, reply, await account.avatars.remove(sessionUser(req), req.ip)),
  );

  app.post(
    '/api/account/contact',
    {
      ...changes,
      schema: {
        body: Type.Object({
          kind: Type.Union([Type.Literal('email'), Type.Literal('phone')]),
          address: Type.String({ maxLength: 256 }),
          current: Type.String({ maxLength: 256, description: 'the current password' }),
        }),
        response: { 202: Type.Object({ sentTo: S }) },
      },
    },
    async (req, reply) => {
      const r = await account.contact.start(sessionUser(req), req.body.kind, req.body.address, req.body.current, web.locale(req), req.ip);
      if (r.kind === 'wrongPassword') throw new ApiError(403, 'wrong_password', 'the current password is not right');
      if (r.kind === 'invalid')
        throw new ApiError(400, 'invalid_request', `not a valid ${req.body.kind === 'email' ? 'e-mail address' : 'phone number'}`);
      if (r.kind === 'unavailable') throw new ApiError(503, 'unavailable', 'no sender for this channel');
      if (r.kind === 'throttled') throw new ApiError(429, 'throttled', 'too many codes', { 'retry-after': String(r.wait) });
      return reply.code(202).send({ sentTo: r.to });
    },
  );

  app.post(
    '/api/account/contact/confirm',
    { ...changes, schema: { body: Type.Object({ code: Type.String({ maxLength: 16 }) }), response: { 200: Account } } },
    async (req, reply) => {
      const r = await account.contact.confirm(sessionUser(req), req.body.code, req.ip);
      if (r.kind === 'wrong') throw new ApiError(400, 'wrong_code', 'the code is not right');
      if (r.kind === 'expired') throw new ApiError(400, 'expired', 'no change waits for a code (expired or used up)');
      if (r.kind === 'taken') throw new ApiError(409, 'taken', 'this address cannot be used');
      return view(req, reply, r.user);
    },
  );

  app.post(
    '/api/account/password',
    {
      ...changes,
      schema: {
        body: Type.Object({ current: Type.String({ maxLength: 256 }), password: Type.String({ maxLength: 1024 }) }),
        response: NoContent,
      },
    },
    async (req, reply) => {
      const user = sessionUser(req);
      const amr = (await web.sessions.session(req))?.amr;
      const r = await account.password.change(user, req.body.current, req.body.password, req.ip);
      if (r.kind === 'throttled') throw new ApiError(429, 'throttled', 'too many attempts', { 'retry-after': String(r.wait) });
      if (r.kind === 'wrong') throw new ApiError(403, 'wrong_password', 'the current password is not right');
      if (r.kind === 'weak') throw new ApiError(400, 'weak_password', `password-${r.problem}`);
      await web.sessions.login(reply, user.userId, amr);
      return reply.code(204).send(null);
    },
  );

  app.get('/api/account/sessions', { ...reads, schema: { response: { 200: Sessions } } }, async (req) => ({
    sessions: (await account.center.sessions(sessionUser(req).userId, await currentId(req))).map((s) => ({
      ...s,
      device: deviceOf(s.userAgent),
    })),
  }));

  app.delete(
    '/api/account/sessions/:ref',
    { ...changes, schema: { params: Type.Object({ ref: Type.String({ maxLength: 64 }) }), response: NoContent } },
    async (req, reply) => {
      if (!(await account.center.endSession(sessionUser(req).userId, await currentId(req), req.params.ref, req.ip))) {
        throw new ApiError(404, 'not_found', 'no such other session');
      }
      return reply.code(204).send(null);
    },
  );

  app.delete('/api/account/sessions', { ...changes, schema: { response: { 200: Type.Object({ ended: N }) } } }, async (req) => ({
    ended: await account.center.endOtherSessions(sessionUser(req).userId, await currentId(req), req.ip),
  }));

  app.get('/api/account/apps', { ...reads, schema: { response: { 200: Apps } } }, async (req) => {
    const t = translator(web.locale(req));
    const apps = await account.center.apps(sessionUser(req).userId);
    return { apps: apps.map((a) => ({ ...a, scopeText: a.scopes.map((s) => scopeWords(t, s)) })) };
  });

  app.delete(
    '/api/account/apps/:clientId',
    { ...changes, schema: { params: Type.Object({ clientId: Type.String({ maxLength: 32 }) }), response: NoContent } },
    async (req, reply) => {
      if (!(await account.center.revokeApp(sessionUser(req).userId, req.params.clientId, req.ip)))
        throw new ApiError(404, 'not_found', 'no grant for this app');
      return reply.code(204).send(null);
    },
  );

  app.get('/api/account/passes', { ...reads, schema: { response: { 200: Passes } } }, async (req) => ({
    passes: await Promise.all(
      (await account.center.passes(sessionUser(req).userId)).map(async (p) => ({ ...p, qrSvg: await qrSvg(p.passCode) })),
    ),
  }));

  app.get('/api/account/storage-tokens', { ...reads, schema: { response: { 200: StorageTokens } } }, async (req) => ({
    tokens: await account.center.storageTokens(sessionUser(req).userId),
  }));

  app.delete(
    '/api/account/storage-tokens/:id',
    { ...changes, schema: { params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: NoContent } },
    async (req, reply) => {
      if (!(await account.center.revokeStorageToken(sessionUser(req).userId, req.params.id)))
        throw new ApiError(404, 'not_found', 'no such live storage token');
      return reply.code(204).send(null);
    },
  );

  await factorsApi(app, ctx, reads, changes);

  app.get('/api/account/security-log', { ...reads, schema: { response: { 200: Log } } }, async (req) => {
    const t = translator(web.locale(req));
    return {
      events: (await account.center.securityLog(sessionUser(req).userId)).map((e) => ({
        type: e.type,
        text: t(`account.log.types.${e.type}`),
        at: e.at,
        ip: e.ip ?? '',
        clientId: e.client_id ?? '',
      })),
    };
  });
}
