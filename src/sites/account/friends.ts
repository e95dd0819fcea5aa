// The signed-in user's friend list as JSON on the account origin (docs/open-api.md):
//   GET    /api/account/friends            → {"friends":[{"userId","nickname"}]}
//   POST   /api/account/friends {"user"}   → add (userId or account name)
//   DELETE /api/account/friends/:userId    → remove
// Authenticated by the web session cookie. Changes need a JSON body or no body, and must come from
// the account origin itself (web/same-origin.ts), so that no other page, same-site or not, changes anything.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { isNumericId } from '../../core/account/numeric-id.ts';
import { useErrorFamily } from '../../http/errors.ts';
import { noStore } from '../../http/hooks.ts';
import { typed } from '../../http/typed.ts';
import { InvalidInputError, NotFoundError } from '../../lib/errors.ts';
import type { User } from '../../services/users.ts';
import { registerWeb } from '../../web/setup.ts';
import { requireLogin, sessionUser } from '../../web/signed-in.ts';
import type { WebKit } from '../../web/web-kit.ts';
import { ApiError, jsonErrors } from './json-errors.ts';

const BAD_BODY = 'body must be JSON: {"user": "<userId or account>"}';

const FriendList = Type.Object({ friends: Type.Array(Type.Object({ userId: Type.String(), nickname: Type.String() })) });
const AddFriend = Type.Object({
  user: Type.String({ minLength: 1, maxLength: 64, pattern: '\\S', description: 'userId or account name' }),
});
const FriendParams = Type.Object({ userId: Type.String() });

/** preValidation of changes: refuse cross-site requests (and, for `json`, bodies that are not JSON). */
function sameOriginGuard(web: WebKit, json: boolean) {
  return async (req: FastifyRequest) => {
    if (!web.sameOrigin.allows(req))
      throw new ApiError(403, 'forbidden', json ? 'send a same-origin JSON request' : 'send a same-origin request');
    if (json && !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      throw new ApiError(403, 'forbidden', 'send a same-origin JSON request');
    }
  };
}

/** Service refusals of a friend change (unknown user, befriending oneself) as 400. */
function changeRefused(err: unknown): ApiError | undefined {
  if (err instanceof InvalidInputError || err instanceof NotFoundError) return new ApiError(400, 'invalid_request', err.message);
  return undefined;
}

export async function friendsRoutes(scope: FastifyInstance, ctx: Context): Promise<void> {
  await registerWeb(scope);
  // Bodies of other types are read as text, so the same-origin JSON guard (not the parser) refuses them.
  scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));
  scope.addHook('onRequest', noStore);
  useErrorFamily(
    scope,
    jsonErrors({
      name: 'friends API',
      descriptionKey: 'message',
      translate: changeRefused,
      fromFault: () => new ApiError(400, 'invalid_request', BAD_BODY),
    }),
  );
  const signedIn = requireLogin(scope, ctx.services.web, () => new ApiError(401, 'login_required', 'sign in first'));
  const app = typed(scope);

  async function list(user: User) {
    const friends = [];
    for (const id of await ctx.services.friends.list(user.userId)) {
      const f = await ctx.services.users.get(id);
      if (f) friends.push({ userId: f.userId, nickname: f.nickname });
    }
    return { friends };
  }

  app.get('/api/account/friends', { preValidation: signedIn, schema: { response: { 200: FriendList } } }, async (req) =>
    list(sessionUser(req)),
  );

  app.post(
    '/api/account/friends',
    { preValidation: [signedIn, sameOriginGuard(ctx.services.web, true)], schema: { body: AddFriend, response: { 200: FriendList } } },
    async (req) => {
      const user = sessionUser(req);
      const ref = req.body.user;
      const friend = isNumericId(ref) ? await ctx.services.users.get(ref) : await ctx.services.users.find(ref.trim());
      if (!friend) throw new ApiError(404, 'not_found', 'no such user');
      await ctx.services.friends.add(user.userId, friend.userId);
      await ctx.services.audit.record({
        type: 'friend.add',
        actor: user.userId,
        subject: user.userId,
        ip: req.ip,
        detail: { friend: friend.userId },
      });
      return list(user);
    },
  );

  app.delete(
    '/api/account/friends/:userId',
    {
      preValidation: [signedIn, sameOriginGuard(ctx.services.web, false)],
      schema: { params: FriendParams, response: { 200: FriendList } },
    },
    async (req) => {
      const user = sessionUser(req);
      const { userId } = req.params;
      if (!(await ctx.services.friends.remove(user.userId, userId))) throw new ApiError(404, 'not_found', 'not a friend');
      await ctx.services.audit.record({
        type: 'friend.remove',
        actor: user.userId,
        subject: user.userId,
        ip: req.ip,
        detail: { friend: userId },
      });
      return list(user);
    },
  );
}
