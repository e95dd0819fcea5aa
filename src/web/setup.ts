// What a route plugin serving pages or forms needs in its scope: cookie parsing and
// application/x-www-form-urlencoded bodies (registerWeb, idempotent per scope); and for page routes
// (pageScope): repeated parameters read once, answers never cached, errors as the HTML error page,
// and every state-changing request sent by another origin refused before its body is read.
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { useErrorFamily } from '../http/errors.ts';
import { noStore } from '../http/hooks.ts';
import { firstValueOfRepeats } from '../http/params.ts';
import { PageError, pageErrors } from './error-page.ts';
import { LOCALE_COOKIE, normalizeLocale } from './locale.ts';
import type { Brand } from './render.ts';
import type { WebKit } from './web-kit.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The branding of the pages this request renders (set by pageScope). */
    pageBrand: Brand | null;
  }
}

/** Parses the Cookie header (idempotent per scope). */
export async function registerCookies(app: FastifyInstance): Promise<void> {
  if (!app.hasDecorator('parseCookie')) await app.register(cookie);
}

export async function registerWeb(app: FastifyInstance): Promise<void> {
  await registerCookies(app);
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody);
}

/** Sets up `scope` to serve pages (call once, before its routes). */
export async function pageScope(scope: FastifyInstance, web: WebKit): Promise<void> {
  await registerWeb(scope);
  scope.addHook('preValidation', firstValueOfRepeats);
  scope.addHook('onRequest', noStore);
  scope.addHook(
    'onRequest',
    web.sameOrigin.guard(() => new PageError(0, { messageKey: 'errors.crossOrigin', status: 403 })),
  );
  if (!scope.hasRequestDecorator('pageBrand')) scope.decorateRequest('pageBrand', null);
  scope.addHook('onRequest', async (req, reply) => {
    req.pageBrand = web.brand;
    // A language picked with the switcher (a `_locale` link) is kept for the next pages.
    const chosen = normalizeLocale((req.query as Record<string, unknown> | undefined)?._locale as string | undefined);
    if (req.method === 'GET' && chosen && web.cookies.read(req, LOCALE_COOKIE, true) !== chosen) {
      web.cookies.set(reply, LOCALE_COOKIE, chosen, 365 * 24 * 3600);
    }
  });
  useErrorFamily(scope, pageErrors(web));
}
