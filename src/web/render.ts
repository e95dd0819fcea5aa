// Server-rendered pages: Eta templates (auto-escaped), wrapped in the shared layout, in the
// request's locale. Other features keep templates in their own folder and pass `{ views, name }`.
// Page routes live in a pageScope (setup.ts), whose answers are never cached; the layout shows the
// operator's branding and a language switcher that keeps the current address.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { FastifyReply } from 'fastify';
import { translator } from './i18n.ts';
import { LOCALES, type Locale } from './locale.ts';

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

/** Operator branding shown on every page (OPAL_BRAND_NAME, OPAL_BRAND_LOGO_URL, OPAL_BRAND_COLOR). */
export interface Brand {
  name: string | undefined;
  logoUrl: string | undefined;
  color: string;
}

export const DEFAULT_BRAND: Brand = { name: undefined, logoUrl: undefined, color: '#c2410c' };

export type TemplateRef = string | { views: string; name: string };

export interface PageOptions {
  status?: number;
  /** Page title (already translated); defaults to the app title. */
  title?: string;
  /** A wider page (tables: the account center). */
  wide?: boolean;
}

/** What the layout shows around every page. */
export interface Chrome {
  brand: Brand;
  /** The current address (path and query) of a GET page, for the language links. */
  url?: string | undefined;
  wide?: boolean | undefined;
}

/** The current address with `_locale` set to `locale` (a path on this origin). */
function withLocale(url: string, locale: Locale): string {
  const u = new URL(url, 'http://x');
  u.searchParams.set('_locale', locale);
  return `${u.pathname}${u.search}`;
}

/** Renders `template` with `data` (plus `t` and `locale`) inside the layout; returns the HTML. */
export function renderHtml(template: TemplateRef, data: Record<string, unknown>, locale: Locale, title?: string, chrome?: Chrome): string {
  const t = translator(locale);
  const ref = typeof template === 'string' ? { views: OWN_VIEWS, name: template } : template;
  const body = engine(ref.views).render(ref.name, { ...data, t, locale });
  const brand = chrome?.brand ?? DEFAULT_BRAND;
  const brandName = brand.name ?? t('common.appTitle');
  const languages = LOCALES.map((l) => ({
    locale: l,
    label: l === 'en' ? 'English' : '简体中文',
    href: withLocale(chrome?.url ?? '/', l),
    current: l === locale,
  }));
  return engine(OWN_VIEWS).render('layout', {
    body,
    title: `${title ?? brandName} · ${brandName}`,
    t,
    locale,
    brand,
    brandName,
    languages,
    wide: chrome?.wide === true,
  });
}

/** Sends a page: text/html, status (default 200), with the branding of the request's page scope. */
export function renderPage(
  reply: FastifyReply,
  template: TemplateRef,
  data: Record<string, unknown>,
  locale: Locale,
  opts: PageOptions = {},
): FastifyReply {
  const req = reply.request;
  const chrome: Chrome = { brand: req.pageBrand ?? DEFAULT_BRAND, url: req.method === 'GET' ? req.url : '/', wide: opts.wide };
  return reply
    .code(opts.status ?? 200)
    .type('text/html; charset=utf-8')
    .send(renderHtml(template, data, locale, opts.title, chrome));
}
