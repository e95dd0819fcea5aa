// The page toolkit, built once by the context (ctx.services.web): CSRF, sessions, locale choice;
// page rendering and the per-scope set-up are re-exported here.
//
//   const web = ctx.services.web;            // once per plugin
//   await pageScope(app, web);               // pages: cookies, form bodies, no-store, error page
//   await registerWeb(app);                  // JSON APIs: cookies + form bodies in the plugin's scope
//   throw new PageError(XM.INVALID_REQUEST); // → the HTML error page (error-page.ts)
//   const user = await web.sessions.current(req);
//   await web.sessions.login(reply, userId);
//   const csrf = await web.csrf.issue(req, reply); await web.csrf.verify(req, body.csrf)
//   web.sameOrigin.guard(() => new ApiError(403, …))  // pageScope adds it to every page POST
//   renderPage(reply, 'login', { csrf, … }, web.locale(req))
import type { FastifyRequest } from 'fastify';
import type { UserService } from '../services/users.ts';
import type { WebSessionsRepo } from '../store/db/oauth-sessions-repo.ts';
import { PageCookies } from './cookies.ts';
import { Csrf } from './csrf.ts';
import { LOCALE_COOKIE, type Locale, normalizeLocale, pickLocale } from './locale.ts';
import type { Brand } from './render.ts';
import { SameOrigin } from './same-origin.ts';
import { Sessions } from './sessions.ts';

export { PageError } from './error-page.ts';
export { type Brand, renderHtml, renderPage } from './render.ts';
export { pageScope, registerWeb } from './setup.ts';

export interface WebKit {
  csrf: Csrf;
  sessions: Sessions;
  /** Refuses state-changing requests sent by another origin (same-site ones included). */
  sameOrigin: SameOrigin;
  /** The pages' cookies (`__Host-` names where the origin is HTTPS). */
  cookies: PageCookies;
  /** Operator branding of every page. */
  brand: Brand;
  /** `_locale` from the query or form body, then the language cookie, then Accept-Language. */
  locale(req: FastifyRequest): Locale;
}

function param(o: unknown, name: string): string | undefined {
  const v = o && typeof o === 'object' ? Object.getOwnPropertyDescriptor(o, name)?.value : undefined;
  return typeof v === 'string' ? v : undefined;
}

/**
 * `publicUrl`: the account origin's public base URL (its origin is the one forms may come from);
 * `brand`: the operator's name, logo and accent color on every page.
 */
export function createWebKit(
  serverSecret: string,
  sessionsRepo: WebSessionsRepo,
  users: UserService,
  publicUrl: string,
  brand: Brand = { name: undefined, logoUrl: undefined, color: '#c2410c' },
): WebKit {
  const cookies = new PageCookies(publicUrl);
  const sessions = new Sessions(sessionsRepo, users, cookies);
  return {
    csrf: new Csrf(serverSecret, sessions, cookies),
    sessions,
    sameOrigin: new SameOrigin(publicUrl),
    cookies,
    brand,
    locale: (req) =>
      pickLocale(
        param(req.body, '_locale') ?? param(req.query, '_locale') ?? normalizeLocale(cookies.read(req, LOCALE_COOKIE, true)),
        req.headers['accept-language'],
      ),
  };
}
