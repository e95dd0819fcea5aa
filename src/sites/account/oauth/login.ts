// Login and logout pages. Every POST answers 303; the login form carries the page to return to
// (only a path on this origin), so an authorize request survives the login detour, wrong
// passwords and account switching. Errors never tell whether an account exists.
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../../context.ts';
import { paramsFromQuery } from '../../../core/account/authorize-request.ts';
import { safeReturnTo } from '../../../core/account/return-to.ts';
import { PasswordThrottle } from '../../../services/throttle.ts';
import { translator } from '../../../web/i18n.ts';
import { renderPage } from '../../../web/web-kit.ts';

type Dict = Record<string, unknown>;
const str = (o: unknown, k: string): string | undefined => {
  const v = o && typeof o === 'object' ? (o as Dict)[k] : undefined;
  return typeof v === 'string' ? v : undefined;
};

export async function loginRoutes(app: FastifyInstance, ctx: Context): Promise<void> {
  const web = ctx.services.web;
  const throttle = new PasswordThrottle(() => ctx.cache);

  /** The app a return_to authorize URL is for, to show "Sign in to continue to …". */
  async function appNameOf(returnTo: string): Promise<string | undefined> {
    if (!returnTo.startsWith('/oauth2/authorize?')) return undefined;
    const id = paramsFromQuery(returnTo.slice(returnTo.indexOf('?') + 1)).client_id;
    if (!id || !/^\d{1,20}$/.test(id)) return undefined;
    return (await ctx.services.apps.get(id))?.name;
  }

  function backToLogin(returnTo: string, locale: string, extra: string): string {
    return `/login?return_to=${encodeURIComponent(returnTo)}&_locale=${encodeURIComponent(locale)}${extra}`;
  }

  app.get('/login', async (req, reply) => {
    const q = req.query as Dict;
    const locale = web.locale(req);
    const t = translator(locale);
    const returnTo = safeReturnTo(str(q, 'return_to'));
    const user = await web.sessions.current(req);
    const switching = str(q, 'switch') === '1';
    const csrf = web.csrf.issue(req, reply);
    if (user && !switching) {
      if (returnTo !== '/login') return reply.header('cache-control', 'no-store').redirect(returnTo, 302);
      return renderPage(reply, 'signed-in', { account: user.account, csrf }, locale, { title: t('login.title') });
    }
    const err = str(q, 'error');
    const wait = Number(str(q, 'wait') ?? 0);
    const error =
      err === 'invalid'
        ? t('login.invalid')
        : err === 'throttled'
          ? t('login.throttled', { seconds: Number.isFinite(wait) ? Math.max(1, Math.ceil(wait)) : 1 })
          : err === 'csrf'
            ? t('login.badForm')
            : undefined;
    return renderPage(
      reply,
      'login',
      { csrf, returnTo, account: '', error, appName: await appNameOf(returnTo), switchFrom: user && switching ? user.account : undefined },
      locale,
      { title: t('login.title') },
    );
  });

  app.post('/login', async (req, reply) => {
    const b = req.body as Dict;
    const locale = web.locale(req);
    const returnTo = safeReturnTo(str(b, 'return_to'));
    reply.header('cache-control', 'no-store');
    if (!web.csrf.verify(req, str(b, 'csrf'))) return reply.redirect(backToLogin(returnTo, locale, '&error=csrf'), 303);
    const account = (str(b, 'account') ?? '').trim().slice(0, 256);
    const password = str(b, 'password') ?? '';
    // The attempt is reserved before the password is checked (concurrent guesses cannot outrun
    // the limit), on the user's id when the login names one (account, email and phone share one
    // budget), else on the typed login: the same steps and answers either way.
    const who = account ? await ctx.services.users.findLogin(account) : undefined;
    const admission = await throttle.admit(PasswordThrottle.accountKey(who?.userId, account), req.ip);
    if (!admission.ok) {
      await ctx.services.audit.record({ type: 'login.throttled', ip: req.ip });
      return reply.redirect(backToLogin(returnTo, locale, `&error=throttled&wait=${admission.wait}`), 303);
    }
    const user = who && password ? await who.check(password) : undefined;
    if (!user) {
      await ctx.services.audit.record({ type: 'login.failure', ip: req.ip });
      return reply.redirect(backToLogin(returnTo, locale, '&error=invalid'), 303);
    }
    await throttle.succeeded(admission.ticket);
    await web.sessions.login(reply, user.userId);
    await ctx.services.audit.record({ type: 'login', actor: user.userId, subject: user.userId, ip: req.ip });
    return reply.redirect(returnTo, 303);
  });

  app.get('/logout', async (req, reply) => {
    const locale = web.locale(req);
    const user = await web.sessions.current(req);
    const returnTo = safeReturnTo(str(req.query, 'return_to'), '/logout');
    return renderPage(reply, 'logout', { account: user?.account, csrf: web.csrf.issue(req, reply), returnTo }, locale, {
      title: translator(locale)('logout.title'),
    });
  });

  app.post('/logout', async (req, reply) => {
    const b = req.body as Dict;
    reply.header('cache-control', 'no-store');
    if (!web.csrf.verify(req, str(b, 'csrf'))) return reply.redirect('/logout', 303);
    const user = await web.sessions.current(req);
    await web.sessions.logout(reply);
    if (user) await ctx.services.audit.record({ type: 'logout', actor: user.userId, subject: user.userId, ip: req.ip });
    return reply.redirect(safeReturnTo(str(b, 'return_to'), '/logout'), 303);
  });
}
