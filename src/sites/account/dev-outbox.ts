// `GET /dev/outbox`: the developer outbox (services/messaging/outbox.ts), every message Opal would
// have sent, newest first, so that a sign-up or recovery can be finished locally without a mail
// server. Answers 404 unless the outbox is on (no sender configured, embedded store).
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { HTML_PAGE, optionalString } from '../../http/schemas.ts';
import { typed } from '../../http/typed.ts';
import { translator } from '../../web/i18n.ts';
import { PageError, pageScope, renderPage } from '../../web/web-kit.ts';

export async function devOutboxRoutes(app: FastifyInstance, ctx: Context): Promise<void> {
  const web = ctx.services.web;
  await pageScope(app, web);
  typed(app).get(
    '/dev/outbox',
    { schema: { querystring: Type.Object({ _locale: optionalString() }), response: { 200: HTML_PAGE } } },
    async (req, reply) => {
      const outbox = ctx.services.messenger.outbox;
      if (!outbox) throw new PageError(0, { messageKey: 'notFound.text', status: 404 });
      const locale = web.locale(req);
      const messages = outbox.list().map((m) => ({ ...m, when: new Date(m.at).toISOString() }));
      return renderPage(reply, 'outbox', { messages, capacity: outbox.capacity }, locale, { title: translator(locale)('outbox.title') });
    },
  );
}
