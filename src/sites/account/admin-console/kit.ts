// What every admin console page shares: the admin of the request (set by the plugin's guard), the
// page renderer (wide layout, the console's navigation, a notice or an error), the audit actor,
// and the one rule for failed actions (refused input re-renders the page with the reason, 400).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestSlot } from '../../../http/request-slot.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../../../lib/errors.ts';
import type { Actor } from '../../../services/admin.ts';
import type { User } from '../../../services/users.ts';
import { translator } from '../../../web/i18n.ts';
import type { Locale } from '../../../web/locale.ts';
import { renderPage, type WebKit } from '../../../web/web-kit.ts';

export type Section = 'status' | 'users' | 'developers' | 'apps' | 'audit';

const admins = requestSlot<User>('opal.admin-console-user');

export function setAdmin(req: FastifyRequest, user: User): void {
  admins.set(req, user);
}

/** The signed-in admin of a request the console's guard let in. */
export function adminOf(req: FastifyRequest): User {
  const u = admins.get(req);
  if (!u) throw new Error('admin console route outside its guard');
  return u;
}

/** The audit actor of a console request: the admin's user id and the client address. */
export function actorOf(req: FastifyRequest): Actor {
  return { actor: adminOf(req).userId, ip: req.ip };
}

export interface Shown {
  /** A notice (already translated) shown above the page. */
  notice?: string | undefined;
  /** An error (already translated) shown above the page. */
  error?: string | undefined;
  status?: number;
}

/** Renders `admin/<name>` in the console's frame. */
export async function show(
  web: WebKit,
  req: FastifyRequest,
  reply: FastifyReply,
  section: Section,
  name: string,
  titleKey: string,
  data: Record<string, unknown>,
  shown: Shown = {},
): Promise<FastifyReply> {
  const locale = web.locale(req);
  const t = translator(locale);
  const title = t(titleKey, data.titleParams as Record<string, string> | undefined);
  return renderPage(
    reply,
    `admin/${name}`,
    {
      ...data,
      heading: title,
      section,
      admin: adminOf(req),
      csrf: await web.csrf.issue(req, reply),
      notice: shown.notice,
      error: shown.error,
      time: utc,
    },
    locale,
    { title: `${title} · ${t('admin.title')}`, wide: true, status: shown.status ?? 200 },
  );
}

/** Epoch ms as `YYYY-MM-DD HH:MM:SS` (UTC). */
export function utc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** The refusal of a service as the text shown on the page, or undefined for an unexpected error. */
export function refusalOf(e: unknown, locale: Locale): string | undefined {
  if (e instanceof InvalidInputError || e instanceof ConflictError || e instanceof NotFoundError)
    return translator(locale)('admin.flash.invalid', { message: e.message });
  return undefined;
}

/** A path with `done` and the language, for the 303 after an action. */
export function after(path: string, done: string, locale: Locale): string {
  const q = new URLSearchParams({ done, _locale: locale });
  return `${path}${path.includes('?') ? '&' : '?'}${q.toString()}`;
}
