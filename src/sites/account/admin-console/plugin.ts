// The admin console (/admin, docs/admin-console.md): server-rendered pages for administrators on
// the account origin. Every page needs a signed-in user with the role admin: a signed-out browser
// is sent to the sign-in page (a GET) or refused (anything else), any other role gets a 403 page.
// Every form carries the session's CSRF token and answers 303; GETs change nothing. The actions
// call the same services as the admin API (services/admin.ts), so each operation lives in one place.
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../../context.ts';
import { hasRole } from '../../../core/account/roles.ts';
import { typed } from '../../../http/typed.ts';
import { PageError, pageScope } from '../../../web/web-kit.ts';
import { setAdmin } from './kit.ts';
import { addAdminConsoleMessages } from './messages.ts';
import { adminOverviewRoutes } from './overview.ts';
import { adminUserPages } from './users.ts';

export async function adminConsoleRoutes(app: FastifyInstance, ctx: Context): Promise<void> {
  addAdminConsoleMessages();
  const web = ctx.services.web;
  await pageScope(app, web);
  app.addHook('onRequest', async (req, reply) => {
    const user = await web.sessions.current(req);
    if (!user) {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new PageError(0, { messageKey: 'admin.signedOut', status: 403 });
      return reply.redirect(`/login?return_to=${encodeURIComponent(req.url)}`, 303);
    }
    if (!hasRole(user.role, 'admin')) throw new PageError(0, { messageKey: 'admin.forbidden', status: 403 });
    setAdmin(req, user);
  });
  await adminOverviewRoutes(typed(app), ctx);
  await adminUserPages(typed(app), ctx);
}
