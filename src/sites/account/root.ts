// `GET /` on the account origin, and the origin's answer for unknown paths.
// `/` always carries a current Last-Modified: the official C# SDK reads it as the server clock and
// shifts every nonce by its distance from local time (account-protocol §1.3), so it must never be
// stale. Browsers (Accept: text/html) get the landing page (sign in, create account, or who is
// signed in); every other client gets the short text it always got. Unknown paths answer an HTML
// 404 page to browsers and Fastify's JSON 404 to API clients.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { noStore } from '../../http/hooks.ts';
import { optionalString } from '../../http/schemas.ts';
import { typed } from '../../http/typed.ts';
import { translator } from '../../web/i18n.ts';
import { pageScope, renderPage } from '../../web/web-kit.ts';

/** Whether the client asked for HTML (a browser navigating), not JSON or anything. */
export function wantsHtml(req: FastifyRequest): boolean {
  return /\btext\/html\b/i.test(req.headers.accept ?? '');
}

export async function rootRoutes(scope: FastifyInstance, ctx: Context): Promise<void> {
  const web = ctx.services.web;
  await pageScope(scope, web);
  typed(scope).get(
    '/',
    { onRequest: noStore, schema: { querystring: Type.Object({ _locale: optionalString() }), response: { 200: Type.String() } } },
    async (req, reply) => {
      reply.header('last-modified', new Date().toUTCString());
      if (!wantsHtml(req)) return reply.type('text/plain; charset=utf-8').send('Opal account server\n');
      const locale = web.locale(req);
      const t = translator(locale);
      const user = await web.sessions.current(req);
      return renderPage(
        reply,
        'landing',
        {
          account: user?.account,
          csrf: user ? await web.csrf.issue(req, reply) : '',
          signup: ctx.services.signup.available,
          brandName: web.brand.name ?? t('common.appTitle'),
        },
        locale,
        { title: t('landing.title') },
      );
    },
  );

  scope.setNotFoundHandler(async (req, reply) => {
    if (!wantsHtml(req)) {
      return reply
        .code(404)
        .send({ message: `Route ${req.method}:${req.url.split('?')[0]} not found`, error: 'Not Found', statusCode: 404 });
    }
    const locale = web.locale(req);
    return renderPage(reply, 'not-found', {}, locale, { status: 404, title: translator(locale)('notFound.title') });
  });
}
