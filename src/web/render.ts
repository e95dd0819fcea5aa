// Server-rendered pages: Eta templates (auto-escaped), wrapped in the shared layout, in the
// request's locale. Other features keep templates in their own folder and pass `{ views, name }`.
// Page routes live in a pageScope (setup.ts), whose answers are never cached.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { FastifyReply } from 'fastify';
import { translator } from './i18n.ts';
import type { Locale } from './locale.ts';

const OWN_VIEWS = join(dirname(fileURLToPath(import.meta.url)), 'templates');
const engines = new Map<string, Eta>();

function engine(views: string): Eta {
  let e = engines.get(views);
  if (!e) {
    e = new Eta({ views, cache: true, autoEscape: true, autoTrim: false });
    engines.set(views, e);
  }
  return e;
}

export type TemplateRef = string | { views: string; name: string };

export interface PageOptions {
  status?: number;
  /** Page title (already translated); defaults to the app title. */
  title?: string;
}

/** Renders `template` with `data` (plus `t` and `locale`) inside the layout; returns the HTML. */
export function renderHtml(template: TemplateRef, data: Record<string, unknown>, locale: Locale, title?: string): string {
  const t = translator(locale);
  const ref = typeof template === 'string' ? { views: OWN_VIEWS, name: template } : template;
  const body = engine(ref.views).render(ref.name, { ...data, t, locale });
  return engine(OWN_VIEWS).render('layout', { body, title: title ?? t('common.appTitle'), t, locale });
}

/** Sends a page: text/html, status (default 200). */
export function renderPage(
  reply: FastifyReply,
  template: TemplateRef,
  data: Record<string, unknown>,
  locale: Locale,
  opts: PageOptions = {},
): FastifyReply {
  return reply
    .code(opts.status ?? 200)
    .type('text/html; charset=utf-8')
    .send(renderHtml(template, data, locale, opts.title));
}
