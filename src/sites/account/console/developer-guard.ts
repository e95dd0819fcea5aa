// Who may use the developer pages (console, playground): a signed-in user with the developer role
// (admins included), acting for their developer record. A browser that is not signed in is sent to
// the sign-in page, which brings it back; a signed-in user without the role gets a 403 page. A
// developer sees and touches only the apps of their own developer record: another developer's app
// answers the same 404 page as one that does not exist.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import { hasRole } from '../../../core/account/roles.ts';
import { requestSlot } from '../../../http/request-slot.ts';
import type { App, Developer } from '../../../services/apps.ts';
import type { User } from '../../../services/users.ts';
import { PageError } from '../../../web/error-page.ts';

export interface DeveloperCaller {
  user: User;
  developer: Developer;
}

const callers = requestSlot<DeveloperCaller>('opal.developer-caller');

/** A preHandler for the developer pages of `ctx`. */
export function developerPages(ctx: Context) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const user = await ctx.services.web.sessions.current(req);
    if (!user) {
      if (req.method !== 'GET') throw new PageError(0, { messageKey: 'errors.csrf', status: 403 });
      const locale = ctx.services.web.locale(req);
      return reply.redirect(`/login?return_to=${encodeURIComponent(req.url)}&_locale=${encodeURIComponent(locale)}`, 302);
    }
    const developer = hasRole(user.role, 'developer') ? await ctx.services.admin.developerOf(user) : undefined;
    if (!developer) throw new PageError(0, { messageKey: 'console.needDeveloper', status: 403 });
    callers.set(req, { user, developer });
    return undefined;
  };
}

export function developerOf(req: FastifyRequest): DeveloperCaller {
  const c = callers.get(req);
  if (!c) throw new Error('developer page outside developerPages');
  return c;
}

export const notYours = () => new PageError(0, { messageKey: 'console.notFound', status: 404 });

/** The caller's app `clientId`, or the 404 page (for an app of another developer too). */
export async function ownApp(ctx: Context, req: FastifyRequest, clientId: string): Promise<App> {
  const app = /^\d{1,20}$/.test(clientId) ? await ctx.services.apps.find(clientId) : undefined;
  if (!app || app.developerId !== developerOf(req).developer.id) throw notYours();
  return app;
}
