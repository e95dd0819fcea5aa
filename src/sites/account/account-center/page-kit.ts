// What every account-center page shares: the signed-in gate (a browser without a session goes to
// sign-in and comes back), the frame (section navigation, the notice or error of the last form,
// the CSRF token), form posts that check CSRF and answer 303 to their section, dates, devices.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import { HTML_PAGE, optionalString } from '../../../http/schemas.ts';
import { lazyRequire } from '../../../lib/lazy.ts';
import type { User } from '../../../services/users.ts';
import { translator } from '../../../web/i18n.ts';
import type { Locale } from '../../../web/locale.ts';
import { renderPage } from '../../../web/web-kit.ts';
import { when } from '../../../web/when.ts';

export type Section = 'overview' | 'profile' | 'password' | 'sessions' | 'apps' | 'friends' | 'passes' | 'storage' | 'log';

export const sectionPath = (s: Section) => (s === 'overview' ? '/account' : `/account/${s}`);

const uaParser = lazyRequire<typeof import('ua-parser-js')>('ua-parser-js');

/** "Chrome 131 on Linux" from a User-Agent header ('' when nothing is recognised). */
export function deviceOf(userAgent: string): string {
  if (!userAgent) return '';
  const r = new (uaParser())(userAgent).getResult();
  const browser = [r.browser.name, r.browser.major].filter(Boolean).join(' ');
  const os = [r.os.name, r.os.version].filter(Boolean).join(' ');
  return [browser, os].filter(Boolean).join(' · ') || userAgent.slice(0, 60);
}

/** The fields every account-center form posts besides its own. */
export const CSRF_FIELDS = { csrf: optionalString(), _locale: optionalString() };
/** The route options of a section page: the outcome of the last form in its query. */
export const SECTION_PAGE = {
  schema: {
    querystring: Type.Object({
      done: optionalString(),
      error: optionalString(),
      wait: optionalString(),
      count: optionalString(),
      _locale: optionalString(),
    }),
    response: { 200: HTML_PAGE },
  },
};

/** Query parameters carrying the outcome of a form (after its 303). */
export interface Outcome {
  done?: string | undefined;
  error?: string | undefined;
  wait?: string | undefined;
  count?: string | undefined;
}

function text(locale: Locale, key: string, params: Record<string, unknown>): string | undefined {
  const t = translator(locale);
  const out = t(key, params);
  return out === key ? undefined : out;
}

export class AccountPages {
  constructor(private readonly ctx: Context) {}

  /** The signed-in user, or undefined after sending the browser to sign-in (and back here). */
  async user(req: FastifyRequest, reply: FastifyReply): Promise<User | undefined> {
    const user = await this.ctx.services.web.sessions.current(req);
    if (user) return user;
    const back = req.method === 'GET' ? req.url : '/account';
    await reply.redirect(`/login?return_to=${encodeURIComponent(back)}`, 303);
    return undefined;
  }

  /** Renders a section with the navigation, the last form's outcome and a CSRF token. */
  async render(
    req: FastifyRequest,
    reply: FastifyReply,
    section: Section,
    user: User,
    data: Record<string, unknown>,
  ): Promise<FastifyReply> {
    const web = this.ctx.services.web;
    const locale = web.locale(req);
    const q = (req.query ?? {}) as Outcome;
    const count = Number(q.count) || 0;
    const t = translator(locale);
    return renderPage(
      reply,
      `account-${section}`,
      {
        ...data,
        section,
        user,
        when,
        csrf: await web.csrf.issue(req, reply),
        notice: q.done && /^[A-Za-z]+$/.test(q.done) ? text(locale, `account.done.${q.done}`, { count }) : undefined,
        error:
          q.error && /^[A-Za-z-]+$/.test(q.error)
            ? (text(locale, `account.errors.${q.error}`, { seconds: Math.max(1, Number(q.wait) || 1) }) ??
              text(locale, `signup.problems.${q.error}`, {}))
            : undefined,
      },
      locale,
      { title: `${t(`account.nav.${section}`)} · ${t('account.title')}`, wide: true },
    );
  }

  /**
   * A form post: signed in, its CSRF token right (else back to the section with `error=csrf`,
   * nothing changed); `act` returns the outcome shown after the 303 to `section`.
   */
  async post(
    req: FastifyRequest,
    reply: FastifyReply,
    section: Section,
    csrf: string | undefined,
    act: (user: User) => Promise<Outcome>,
  ): Promise<FastifyReply | undefined> {
    const user = await this.user(req, reply);
    if (!user) return reply;
    if (!(await this.ctx.services.web.csrf.verify(req, csrf))) return this.back(reply, section, { error: 'csrf' });
    return this.back(reply, section, await act(user));
  }

  back(reply: FastifyReply, section: Section, o: Outcome): FastifyReply {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== '') q.set(k, String(v));
    const s = q.toString();
    return reply.redirect(s ? `${sectionPath(section)}?${s}` : sectionPath(section), 303);
  }
}
