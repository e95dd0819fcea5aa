// `GET /sts?sid=galaxy-fds` on the account origin: a logged-in user (session cookie of the login
// page) obtains a serviceToken for FDS, which the FDS SDKs then send with `Authorization: SSO`
// (fds-protocol §2.5). Opal's own API (the real passport's service-login flow is not
// reproduced); documented in docs/storage-tokens.md.
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { FDS_SID } from '../../services/storage-tokens/service.ts';
import { registerWeb } from '../../web/setup.ts';

/** serviceTokens one user may obtain per minute. */
const PER_USER_PER_MINUTE = 30;

export async function ssoRoutes(app: FastifyInstance, ctx: Context): Promise<void> {
  await registerWeb(app);
  const web = ctx.services.web;

  app.get('/sts', async (req, reply) => {
    reply.header('cache-control', 'no-store');
    const sid = (req.query as Record<string, unknown>).sid;
    if (sid !== FDS_SID) {
      return reply.code(400).send({ error: 'invalid_sid', error_description: `sid must be ${FDS_SID}` });
    }
    const user = await web.sessions.current(req);
    if (!user) return reply.code(401).send({ error: 'login_required', error_description: 'sign in first (GET /login)' });
    const n = await ctx.cache.incr(`fds:sts:${user.userId}`, 60_000);
    if (n > PER_USER_PER_MINUTE) {
      return reply
        .code(429)
        .send({ error: 'too_many_requests', error_description: `at most ${PER_USER_PER_MINUTE} serviceTokens per minute` });
    }
    const t = await ctx.services.storageTokens.issueServiceToken(user.userId, req.ip);
    return reply.send({ sid: FDS_SID, userId: user.userId, serviceToken: t.serviceToken, expireTime: t.expireTime });
  });
}
