// The page toolkit of one context: CSRF, sessions, locale choice and page rendering.
//
//   const web = webKit(ctx);                 // once per plugin
//   await registerWeb(app);                  // cookies + form bodies in the plugin's scope
//   const user = await web.sessions.current(req);
//   await web.sessions.login(reply, userId);
//   const csrf = web.csrf.issue(req, reply); web.csrf.verify(req, body.csrf)
//   renderPage(reply, 'login', { csrf, … }, web.locale(req))
import type { FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import { WebSessionsRepo } from '../store/db/oauth-sessions-repo.ts';
import { Csrf } from './csrf.ts';
import { type Locale, pickLocale } from './locale.ts';
import { Sessions } from './sessions.ts';

export { renderHtml, renderPage } from './render.ts';
export { registerWeb } from './setup.ts';

export interface WebKit {
  csrf: Csrf;
  sessions: Sessions;
  /** `_locale` from the query or form body, then Accept-Language. */
  locale(req: FastifyRequest): Locale;
}

const kits = new WeakMap<Context, WebKit>();

function param(o: unknown, name: string): string | undefined {
  const v = o && typeof o === 'object' ? (o as Record<string, unknown>)[name] : undefined;
  return typeof v === 'string' ? v : undefined;
}

export function webKit(ctx: Context): WebKit {
  let k = kits.get(ctx);
  if (!k) {
    k = {
      csrf: new Csrf(ctx.serverSecret),
      sessions: new Sessions(new WebSessionsRepo(ctx.db.kysely), ctx.services.users),
      locale: (req) => pickLocale(param(req.body, '_locale') ?? param(req.query, '_locale'), req.headers['accept-language']),
    };
    kits.set(ctx, k);
  }
  return k;
}
