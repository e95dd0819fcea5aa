// The logged-in user's authorized apps (JSON, session cookie): list and revoke. Revoking needs
// the CSRF token of the list response in `x-csrf-token`, sent from the account origin itself. Documented in docs/oauth.md.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../../context.ts';
import { useErrorFamily } from '../../../http/errors.ts';
import { noStore } from '../../../http/hooks.ts';
import { typed } from '../../../http/typed.ts';
import { requireLogin, sessionUser } from '../../../web/signed-in.ts';
import { ApiError, jsonErrors } from '../json-errors.ts';

const GrantList = Type.Object({
  userId: Type.String(),
  grants: Type.Array(
    Type.Object({
      clientId: Type.String(),
      appName: Type.String(),
      scopes: Type.Array(Type.Number()),
      createdAt: Type.Number(),
      updatedAt: Type.Number(),
    }),
  ),
  csrfToken: Type.String({ description: 'Send it in x-csrf-token to revoke' }),
});

export async function grantsRoutes(scope: FastifyInstance, ctx: Context): Promise<void> {
  const web = ctx.services.web;
  const oauth = ctx.services.oauth;
  scope.addHook('onRequest', noStore);
  useErrorFamily(scope, jsonErrors({ name: 'grants API', descriptionKey: 'error_description' }));
  const signedIn = requireLogin(scope, web, () => new ApiError(401, 'login_required', 'sign in first'));
  const app = typed(scope);

  app.get('/api/account/grants', { preValidation: signedIn, schema: { response: { 200: GrantList } } }, async (req, reply) => {
    const user = sessionUser(req);
    const out = [];
    for (const g of await oauth.listGrants(user.userId)) {
      const a = await ctx.services.apps.find(g.clientId);
      out.push({ clientId: g.clientId, appName: a?.name ?? '', scopes: g.scopes, createdAt: g.createdAt, updatedAt: g.updatedAt });
    }
    return { userId: user.userId, grants: out, csrfToken: await web.csrf.issue(req, reply) };
  });

  app.delete(
    '/api/account/grants/:clientId',
    {
      onRequest: web.sameOrigin.guard(() => new ApiError(403, 'cross_origin', 'send the request from the account origin itself')),
      preValidation: signedIn,
      schema: { params: Type.Object({ clientId: Type.String() }), response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      const user = sessionUser(req);
      if (!(await web.csrf.verify(req, req.headers['x-csrf-token']))) throw new ApiError(403, 'csrf', 'missing or wrong x-csrf-token');
      if (!(await oauth.revokeGrant(user.userId, req.params.clientId, user.userId, req.ip))) {
        throw new ApiError(404, 'not_found', 'no grant for this app');
      }
      return reply.code(204).send(null);
    },
  );
}
