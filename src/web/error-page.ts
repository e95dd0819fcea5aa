// The account pages' error family: a PageError carries what the HTML error page shows (the protocol
// code, or a message key for texts of their own) and its HTTP status; pageErrors() renders it, and
// Fastify's own request errors (unreadable forms, validation failures) as the 96002 page.
import type { FastifyReply } from 'fastify';
import { XM } from '../core/account/errors.ts';
import type { ErrorFamily } from '../http/errors.ts';
import { translator } from './i18n.ts';
import type { Locale } from './locale.ts';
import { renderPage } from './render.ts';
import type { WebKit } from './web-kit.ts';

export interface PageErrorOptions {
  /** A message key of its own (e.g. 'checkPassword.expired'); default: `errors.<code>`. */
  messageKey?: string;
  /** HTTP status; default 400. */
  status?: number;
  /** Extra data for the error template (e.g. the redirect explanation shown to an app's developer). */
  details?: Record<string, unknown>;
}

export class PageError extends Error {
  readonly status: number;
  readonly messageKey: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  /** `code`: the protocol code shown on the page (0: none). */
  constructor(
    readonly code: number,
    opts: PageErrorOptions = {},
  ) {
    super(`${code}${opts.messageKey ? ` ${opts.messageKey}` : ''}`);
    this.name = 'PageError';
    this.status = opts.status ?? 400;
    this.messageKey = opts.messageKey;
    this.details = opts.details;
  }
}

/** Sends the error page of `e` in `locale`. */
export function renderErrorPage(reply: FastifyReply, locale: Locale, e: PageError): FastifyReply {
  const t = translator(locale);
  const key = e.messageKey ?? `errors.${e.code}`;
  const text = t(key) === key ? t(`errors.${XM.INVALID_REQUEST}`) : t(key);
  return renderPage(reply, 'error', { message: text, code: e.code, details: e.details }, locale, {
    status: e.status,
    title: t('errors.title'),
  });
}

export function pageErrors(web: WebKit): ErrorFamily<PageError> {
  return {
    name: 'pages',
    recognise: (err) => (err instanceof PageError ? err : undefined),
    fromFault: (fault) => new PageError(XM.INVALID_REQUEST, { status: fault.statusCode }),
    internal: () => new PageError(0, { messageKey: 'errors.internal', status: 500 }),
    // "Please try again later" fits a store that is down too.
    unavailable: () => new PageError(0, { messageKey: 'errors.internal', status: 503 }),
    send: (e, req, reply) => renderErrorPage(reply, web.locale(req), e),
    describe: (e) => ({ code: e.code, status: e.status }),
  };
}
