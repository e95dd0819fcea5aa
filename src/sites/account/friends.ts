// The signed-in user's friend list as JSON on the account origin (docs/open-api.md):
//   GET    /api/account/friends            → {"friends":[{"userId","nickname"}]}
//   POST   /api/account/friends {"user"}   → add (userId or account name)
//   DELETE /api/account/friends/:userId    → remove
// Authenticated by the web session cookie. Changes need a JSON body or no body, and a same-origin
// Origin header when one is sent, so that a cross-site form can never change anything.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { InvalidInputError, NotFoundError } from '../../lib/errors.ts';
import type { User } from '../../services/users.ts';
import { registerWeb } from '../../web/web-kit.ts';

function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send(JSON.stringify(body));
}

function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.host;
  } catch {
    return false;
  }
}

export async function friendsRoutes(app: FastifyInstance, ctx: Context): Promise<void> {
  await registerWeb(app);
  const web = ctx.services.web;

  async function signedIn(req: FastifyRequest, reply: FastifyReply): Promise<User | undefined> {
    const user = await web.sessions.current(req);
    if (!user) send(reply, 401, { error: 'login_required', message: 'sign in first' });
    return user;
  }

  async function list(user: User) {
    const ids = await ctx.services.friends.list(user.userId);
    const friends = [];
    for (const id of ids) {
      const f = await ctx.services.users.get(id);
      if (f) friends.push({ userId: f.userId, nickname: f.nickname });
    }
    return { friends };
  }

  app.get('/api/account/friends', async (req, reply) => {
    const user = await signedIn(req, reply);
    if (!user) return reply;
    return send(reply, 200, await list(user));
  });

  app.post('/api/account/friends', async (req, reply) => {
    const user = await signedIn(req, reply);
    if (!user) return reply;
    if (!sameOrigin(req) || !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return send(reply, 403, { error: 'forbidden', message: 'send a same-origin JSON request' });
    }
    let ref: unknown;
    try {
      ref = (JSON.parse(String(req.body ?? '')) as { user?: unknown }).user;
    } catch {
      return send(reply, 400, { error: 'invalid_request', message: 'body must be JSON: {"user": "<userId or account>"}' });
    }
    if (typeof ref !== 'string' || !ref.trim() || ref.length > 64) {
      return send(reply, 400, { error: 'invalid_request', message: 'body must be JSON: {"user": "<userId or account>"}' });
    }
    const friend = /^\d{1,20}$/.test(ref) ? await ctx.services.users.get(ref) : await ctx.services.users.find(ref.trim());
    if (!friend) return send(reply, 404, { error: 'not_found', message: 'no such user' });
    try {
      await ctx.services.friends.add(user.userId, friend.userId);
    } catch (e) {
      if (e instanceof InvalidInputError || e instanceof NotFoundError)
        return send(reply, 400, { error: 'invalid_request', message: e.message });
      throw e;
    }
    await ctx.services.audit.record({ type: 'friend.add', actor: user.userId, subject: friend.userId, ip: req.ip });
    return send(reply, 200, await list(user));
  });

  app.delete('/api/account/friends/:userId', async (req, reply) => {
    const user = await signedIn(req, reply);
    if (!user) return reply;
    if (!sameOrigin(req)) return send(reply, 403, { error: 'forbidden', message: 'send a same-origin request' });
    const { userId } = req.params as { userId: string };
    if (!(await ctx.services.friends.remove(user.userId, userId))) return send(reply, 404, { error: 'not_found', message: 'not a friend' });
    await ctx.services.audit.record({ type: 'friend.remove', actor: user.userId, subject: userId, ip: req.ip });
    return send(reply, 200, await list(user));
  });
}
