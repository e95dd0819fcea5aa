// Developer routes of the admin API (/api/admin/v1/developer/…, role developer or admin): the
// caller's own apps (create, show, rotate the secret, delete), their FDS access keys and buckets.
// Another developer's app or bucket answers 404, exactly as one that does not exist.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import { typed } from '../../../http/typed.ts';
import { NotFoundError } from '../../../lib/errors.ts';
import type { App, Developer } from '../../../services/apps.ts';
import { ApiError } from '../json-errors.ts';
import { actorOf, callerOf } from './auth.ts';
import { AppFlagsIn, AppOut, BucketOut, ClientIdParams, DeveloperOut, Done, FdsKeyOut, UserOut } from './schemas.ts';

const NewApp = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    redirectUris: Type.String({ minLength: 1, maxLength: 4000, description: 'registered redirect URIs, ";"-separated' }),
    scopes: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 999_999_999 }), { maxItems: 100 })),
    flags: Type.Optional(AppFlagsIn),
  },
  { additionalProperties: false },
);

const CreatedApp = Type.Composite([
  AppOut,
  Type.Object({ clientSecret: Type.String(), accessKeyId: Type.String(), accessSecret: Type.String() }),
]);
const BucketParams = Type.Object({ bucket: Type.String({ minLength: 1, maxLength: 256 }) });

export async function developerRoutes(scope: FastifyInstance, ctx: Context): Promise<void> {
  const app = typed(scope);
  const { apps, admin, audit, fdsKeys, fds } = ctx.services;

  async function developerOf(req: FastifyRequest): Promise<Developer> {
    const dev = await admin.developerOf(callerOf(req).user);
    if (!dev) throw new ApiError(403, 'forbidden', 'this needs the role developer');
    return dev;
  }

  /** The caller's app; 404 for an app of another developer as for none. */
  async function ownApp(req: FastifyRequest, clientId: string): Promise<App> {
    const dev = await developerOf(req);
    const a = await apps.find(clientId);
    if (!a || a.developerId !== dev.id) throw new NotFoundError(`no app ${clientId}`);
    return a;
  }

  app.get(
    '/me',
    {
      schema: {
        response: {
          200: Type.Object({
            user: UserOut,
            developer: Type.Union([DeveloperOut, Type.Null()]),
            csrfToken: Type.Optional(
              Type.String({ description: 'Only for a console-session caller: send it in x-csrf-token with every change' }),
            ),
          }),
        },
      },
    },
    async (req, reply) => {
      const c = callerOf(req);
      const developer = (await admin.developerOf(c.user)) ?? null;
      if (c.via !== 'session') return { user: c.user, developer };
      return { user: c.user, developer, csrfToken: await ctx.services.web.csrf.issue(req, reply) };
    },
  );

  app.get('/developer/apps', { schema: { response: { 200: Type.Object({ apps: Type.Array(AppOut) }) } } }, async (req) => ({
    apps: await apps.list((await developerOf(req)).id),
  }));

  app.post('/developer/apps', { schema: { body: NewApp, response: { 201: CreatedApp } } }, async (req, reply) => {
    const dev = await developerOf(req);
    const { app: a, clientSecret } = await apps.create({ ...req.body, developer: dev.name });
    await audit.record({ type: 'app.created', ...actorOf(req), clientId: a.clientId });
    const key = await fdsKeys.ensure(a.clientId);
    return reply.code(201).send({ ...a, clientSecret, accessKeyId: key.accessKeyId, accessSecret: key.accessSecret });
  });

  app.get('/developer/apps/:clientId', { schema: { params: ClientIdParams, response: { 200: AppOut } } }, async (req) =>
    ownApp(req, req.params.clientId),
  );

  app.post(
    '/developer/apps/:clientId/rotate-secret',
    { schema: { params: ClientIdParams, response: { 200: Type.Object({ clientId: Type.String(), clientSecret: Type.String() }) } } },
    async (req) => {
      const a = await ownApp(req, req.params.clientId);
      const clientSecret = await apps.rotateSecret(a.clientId);
      await audit.record({ type: 'app.secret_rotated', ...actorOf(req), clientId: a.clientId });
      return { clientId: a.clientId, clientSecret };
    },
  );

  app.delete('/developer/apps/:clientId', { schema: { params: ClientIdParams, response: { 200: Done('clientId') } } }, async (req) => {
    const a = await ownApp(req, req.params.clientId);
    await apps.delete(a.clientId);
    await audit.record({ type: 'app.deleted', ...actorOf(req), clientId: a.clientId });
    return { clientId: a.clientId, done: true as const };
  });

  app.get('/developer/apps/:clientId/fds-key', { schema: { params: ClientIdParams, response: { 200: FdsKeyOut } } }, async (req) => {
    const a = await ownApp(req, req.params.clientId);
    // A token caller gets the key made on first use (as the CLI has always had it); a page session
    // only reads it, since a GET reachable with a cookie must change nothing (a cross-site
    // navigation would create keys): it creates one with POST …/fds-key/rotate.
    const k = callerOf(req).via === 'session' ? await fdsKeys.forApp(a.clientId) : await fdsKeys.ensure(a.clientId);
    if (!k) throw new NotFoundError(`app ${a.clientId} has no FDS access key yet`);
    return { clientId: a.clientId, accessKeyId: k.accessKeyId, accessSecret: k.accessSecret };
  });

  app.post(
    '/developer/apps/:clientId/fds-key/rotate',
    { schema: { params: ClientIdParams, response: { 200: FdsKeyOut } } },
    async (req) => {
      const a = await ownApp(req, req.params.clientId);
      const k = await fdsKeys.rotate(a.clientId);
      await audit.record({ type: 'app.fds_key_rotated', ...actorOf(req), clientId: a.clientId });
      return { clientId: a.clientId, accessKeyId: k.accessKeyId, accessSecret: k.accessSecret };
    },
  );

  const bucketOut = async (b: { name: string; owner_id: string; created_at: number; versioning: number | null }) => ({
    name: b.name,
    ownerId: b.owner_id,
    createdAt: b.created_at,
    versioning: b.versioning,
    ...(await fds.repos.buckets.stats(b.name)),
  });

  app.get('/developer/buckets', { schema: { response: { 200: Type.Object({ buckets: Type.Array(BucketOut) }) } } }, async (req) => {
    const dev = await developerOf(req);
    const out = [];
    for (const b of await fds.repos.buckets.list(dev.id)) out.push(await bucketOut(b));
    return { buckets: out };
  });

  app.get('/developer/buckets/:bucket', { schema: { params: BucketParams, response: { 200: BucketOut } } }, async (req) => {
    const dev = await developerOf(req);
    const b = await fds.repos.buckets.get(req.params.bucket);
    if (!b || b.owner_id !== dev.id) throw new NotFoundError(`no bucket ${req.params.bucket}`);
    return bucketOut(b);
  });
}
