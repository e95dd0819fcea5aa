// The page toolkit, built once by the context (ctx.services.web): CSRF, sessions, locale choice;
// page rendering and the per-scope set-up are re-exported here.
//
//   const web = ctx.services.web;            // once per plugin
//   await pageScope(app, web);               // pages: cookies, form bodies, no-store, error page
//   await registerWeb(app);                  // JSON APIs: cookies + form bodies in the plugin's scope
//   throw new PageError(XM.INVALID_REQUEST); // → the HTML error page (error-page.ts)
//   const user = await web.sessions.current(req);
//   await web.sessions.login(reply, userId);
//   const csrf = web.csrf.issue(req, reply); web.csrf.verify(req, body.csrf)
//   renderPage(reply, 'login', { csrf, … }, web.locale(req))
import type { FastifyRequest } from 'fastify';
import type { UserService } from '../services/users.ts';
import type { WebSessionsRepo } from '../store/db/oauth-sessions-repo.ts';
import { readCookie } from './cookies.ts';
import { Csrf } from './csrf.ts';
import { LOCALE_COOKIE, type Locale, normalizeLocale, pickLocale } from './locale.ts';
import type { Brand } from './render.ts';
import { Sessions } from './sessions.ts';

export { PageError } from './error-page.ts';
export { type Brand, renderHtml, renderPage } from './render.ts';
export { pageScope, registerWeb } from './setup.ts';

export interface WebKit {
  csrf: Csrf;
  sessions: Sessions;
  brand: Brand;
  /** `_locale` from the query or form body, then the language cookie, then Accept-Language. */
  locale(req: FastifyRequest): Locale;
}

function param(o: unknown, name: string): string | undefined {
  const v = o && typeof o === 'object' ? Object.getOwnPropertyDescriptor(o, name)?.value : undefined;
  return typeof v === 'string' ? v : undefined;
}

export function createWebKit(
  serverSecret: string,
  sessions: WebSessionsRepo,
  users: UserService,
  brand: Brand = { name: undefined, logoUrl: undefined, color: '#c2410c' },
): WebKit {
  return {
    csrf: new Csrf(serverSecret),
    sessions: new Sessions(sessions, users),
    brand,
    locale: (req) =>
      pickLocale(
        param(req.body, '_locale') ?? param(req.query, '_locale') ?? normalizeLocale(readCookie(req, LOCALE_COOKIE)),
        req.headers['accept-language'],
      ),
  };
}
