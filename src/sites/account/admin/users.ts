// Admin-only user routes: list and search, show, create, role, lock/unlock, revoke sessions,
// delete; the roles and the developer records.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../../context.ts';
import { ROLES } from '../../../core/account/roles.ts';
import { typed } from '../../../http/typed.ts';
import { NewUserInput } from '../../../services/seed-file.ts';
import type { User } from '../../../services/users.ts';
import { actorOf } from './auth.ts';
import { DeveloperOut, Done, RoleName, UserDetail, UserIdParams, UserOut } from './schemas.ts';

const ROLE_TEXT: Record<(typeof ROLES)[number], string> = {
  user: 'signs in to apps',
  developer: 'also owns apps and FDS buckets (a developer record) and manages them through /developer',
  admin: 'also manages every user, every app, the audit log and reads the system status',
};

const UserQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100, description: 'part of the account, nickname, email, phone or userId' })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
});

export async function adminUserRoutes(scope: FastifyInstance, ctx: Context): Promise<void> {
  const app = typed(scope);
  const { users, admin, apps } = ctx.services;
  const detail = async (u: User) => ({ ...u, developerId: (await apps.developerOfUser(u.userId))?.id ?? null });

  app.get(
    '/users',
    { schema: { querystring: UserQuery, response: { 200: Type.Object({ users: Type.Array(UserOut) }) } } },
    async (req) => ({ users: await users.search(req.query.q?.trim(), req.query.limit, req.query.offset) }),
  );

  app.post('/users', { schema: { body: NewUserInput, response: { 201: UserDetail } } }, async (req, reply) => {
    const u = await admin.createUser(req.body, actorOf(req));
    return reply.code(201).send(await detail(u));
  });

  app.get('/users/:userId', { schema: { params: UserIdParams, response: { 200: UserDetail } } }, async (req) =>
    detail(await users.require(req.params.userId)),
  );

  app.put(
    '/users/:userId/role',
    { schema: { params: UserIdParams, body: Type.Object({ role: RoleName }), response: { 200: UserDetail } } },
    async (req) => admin.setRole(req.params.userId, req.body.role, actorOf(req)),
  );

  app.post('/users/:userId/lock', { schema: { params: UserIdParams, response: { 200: UserDetail } } }, async (req) =>
    detail(await admin.lock(req.params.userId, actorOf(req))),
  );

  app.post('/users/:userId/unlock', { schema: { params: UserIdParams, response: { 200: UserDetail } } }, async (req) =>
    detail(await admin.unlock(req.params.userId, actorOf(req))),
  );

  app.post('/users/:userId/revoke-sessions', { schema: { params: UserIdParams, response: { 200: Done('userId') } } }, async (req) => {
    await admin.revokeSessions(req.params.userId, actorOf(req));
    return { userId: req.params.userId, done: true as const };
  });

  app.post(
    '/users/:userId/reset-password',
    {
      schema: {
        params: UserIdParams,
        response: { 200: Type.Object({ userId: Type.String(), email: Type.String(), sent: Type.Literal(true) }) },
      },
    },
    async (req) => ({ ...(await admin.sendPasswordReset(req.params.userId, actorOf(req))), sent: true as const }),
  );

  app.delete('/users/:userId', { schema: { params: UserIdParams, response: { 200: Done('userId') } } }, async (req) => {
    await admin.deleteUser(req.params.userId, actorOf(req));
    return { userId: req.params.userId, done: true as const };
  });

  app.get(
    '/roles',
    {
      schema: {
        response: {
          200: Type.Object({ roles: Type.Array(Type.Object({ name: RoleName, description: Type.String(), users: Type.Integer() })) }),
        },
      },
    },
    async () => {
      const counts = await ctx.services.stats.roles();
      return { roles: ROLES.map((name) => ({ name, description: ROLE_TEXT[name], users: counts[name] ?? 0 })) };
    },
  );

  app.get('/developers', { schema: { response: { 200: Type.Object({ developers: Type.Array(DeveloperOut) }) } } }, async () => ({
    developers: await apps.listDevelopers(),
  }));
}
