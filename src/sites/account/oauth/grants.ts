// The logged-in user's authorized apps (JSON, session cookie): list and revoke. Revoking needs
// the CSRF token of the list response in `x-csrf-token`. Documented in docs/oauth.md.
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../../context.ts';

export async function grantsRoutes(app: FastifyInstance, ctx: Context): Promise<void> {
  const web = ctx.services.web;
  const oauth = ctx.services.oauth;

  app.get('/api/account/grants', async (req, reply) => {
    reply.header('cache-control', 'no-store');
    const user = await web.sessions.current(req);
    if (!user) return reply.code(401).send({ error: 'login_required', error_description: 'sign in first' });
    const grants = await oauth.listGrants(user.userId);
    const out = [];
    for (const g of grants) {
      const a = await ctx.services.apps.get(g.clientId);
      out.push({ clientId: g.clientId, appName: a?.name ?? '', scopes: g.scopes, createdAt: g.createdAt, updatedAt: g.updatedAt });
    }
    return reply.send({ userId: user.userId, grants: out, csrfToken: web.csrf.issue(req, reply) });
  });

  app.delete<{ Params: { clientId: string } }>('/api/account/grants/:clientId', async (req, reply) => {
    reply.header('cache-control', 'no-store');
    const user = await web.sessions.current(req);
    if (!user) return reply.code(401).send({ error: 'login_required', error_description: 'sign in first' });
    if (!web.csrf.verify(req, req.headers['x-csrf-token']))
      return reply.code(403).send({ error: 'csrf', error_description: 'missing or wrong x-csrf-token' });
    const ok = await oauth.revokeGrant(user.userId, req.params.clientId, user.userId, req.ip);
    if (!ok) return reply.code(404).send({ error: 'not_found', error_description: 'no grant for this app' });
    return reply.code(204).send();
  });
}
