// The signed-in user's friends and friend requests as JSON on the account origin (docs/open-api.md):
//   GET    /api/account/friends                              → the state below
//   POST   /api/account/friends/requests {"account"}         → ask the holder of an account name
//   POST   /api/account/friends/requests/:userId/accept      → accept a request received
//   POST   /api/account/friends/requests/:userId/decline     → decline it
//   DELETE /api/account/friends/requests/:account            → cancel a request sent
//   DELETE /api/account/friends/:userId                      → end a friendship
// Every answer is the state {"friends","incoming","outgoing"}; a request's answer is the same
// whether or not the account exists (services/friends.ts). Authenticated by the web session
// cookie. Changes need a JSON body or no body, and must come from the account origin itself
// (web/same-origin.ts), so that no other page, same-site or not, changes anything.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { useErrorFamily } from '../../http/errors.ts';
import { noStore } from '../../http/hooks.ts';
import { typed } from '../../http/typed.ts';
import { InvalidInputError } from '../../lib/errors.ts';
import { registerWeb } from '../../web/setup.ts';
import { requireLogin, sessionUser } from '../../web/signed-in.ts';
import type { WebKit } from '../../web/web-kit.ts';
import { friendActions } from './friend-actions.ts';
import { ApiError, jsonErrors } from './json-errors.ts';

const BAD_BODY = 'body must be JSON: {"account": "<account name>"}';

const Person = { userId: Type.String(), nickname: Type.String() };
const FriendState = Type.Object({
  friends: Type.Array(Type.Object(Person)),
  incoming: Type.Array(Type.Object({ ...Person, requestedAt: Type.String({ format: 'date-time' }) })),
  outgoing: Type.Array(Type.Object({ account: Type.String(), requestedAt: Type.String({ format: 'date-time' }) })),
});
const Ask = Type.Object({
  account: Type.String({ minLength: 1, maxLength: 64, pattern: '\\S', description: 'account name (not e-mail or phone)' }),
});
const UserParams = Type.Object({ userId: Type.String({ maxLength: 64 }) });
const AccountParams = Type.Object({ account: Type.String({ minLength: 1, maxLength: 64 }) });
const RESPONSES = { response: { 200: FriendState } };

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

/** Service refusals of a friend change (befriending oneself, too many pending requests) as 400. */
function changeRefused(err: unknown): ApiError | undefined {
  if (err instanceof InvalidInputError) return new ApiError(400, 'invalid_request', err.message);
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
  const jsonChange = [signedIn, sameOriginGuard(ctx.services.web, true)];
  const change = [signedIn, sameOriginGuard(ctx.services.web, false)];
  const actions = friendActions(ctx);
  const app = typed(scope);

  async function state(userId: string) {
    const v = await actions.view(userId);
    return {
      friends: v.friends.map((p) => ({ userId: p.userId, nickname: p.nickname })),
      incoming: v.incoming.map((r) => ({ userId: r.userId, nickname: r.nickname, requestedAt: new Date(r.at).toISOString() })),
      outgoing: v.outgoing.map((r) => ({ account: r.account, requestedAt: new Date(r.at).toISOString() })),
    };
  }

  app.get('/api/account/friends', { preValidation: signedIn, schema: RESPONSES }, async (req) => state(sessionUser(req).userId));

  app.post('/api/account/friends/requests', { preValidation: jsonChange, schema: { body: Ask, ...RESPONSES } }, async (req) => {
    const { userId } = sessionUser(req);
    await actions.request(userId, req.body.account, req.ip);
    return state(userId);
  });

  for (const action of ['accept', 'decline'] as const) {
    app.post(
      `/api/account/friends/requests/:userId/${action}`,
      { preValidation: change, schema: { params: UserParams, ...RESPONSES } },
      async (req) => {
        const me = sessionUser(req).userId;
        if (!(await actions[action](me, req.params.userId, req.ip))) throw new ApiError(404, 'not_found', 'no such request');
        return state(me);
      },
    );
  }

  app.delete(
    '/api/account/friends/requests/:account',
    { preValidation: change, schema: { params: AccountParams, ...RESPONSES } },
    async (req) => {
      const me = sessionUser(req).userId;
      if (!(await actions.cancel(me, req.params.account))) throw new ApiError(404, 'not_found', 'no such request');
      return state(me);
    },
  );

  app.delete('/api/account/friends/:userId', { preValidation: change, schema: { params: UserParams, ...RESPONSES } }, async (req) => {
    const me = sessionUser(req).userId;
    if (!(await actions.remove(me, req.params.userId, req.ip))) throw new ApiError(404, 'not_found', 'not a friend');
    return state(me);
  });
}
