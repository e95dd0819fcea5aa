// Login and logout pages. Every POST answers 303; the login form carries the page to return to
// (only a path on this origin), so an authorize request survives the login detour, wrong
// passwords and account switching. Errors never tell whether an account exists.
import { Type } from '@sinclair/typebox';
import type { Context } from '../../../context.ts';
import { paramsFromQuery } from '../../../core/account/authorize-request.ts';
import { isNumericId } from '../../../core/account/numeric-id.ts';
import { safeReturnTo } from '../../../core/account/return-to.ts';
import { HTML_PAGE, optionalString } from '../../../http/schemas.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import { PasswordThrottle } from '../../../services/throttle.ts';
import { translator } from '../../../web/i18n.ts';
import { renderPage } from '../../../web/web-kit.ts';
import { addFactorMessages } from '../factors/messages.ts';
import { PendingSignIns } from '../factors/pending.ts';

const RETURN_TO = optionalString('Path on this origin to go to afterwards');

const LoginQuery = Type.Object({
  return_to: RETURN_TO,
  switch: optionalString('1: sign in with another account'),
  error: optionalString('invalid, throttled, csrf, expired or passkey (set by the form posts)'),
  wait: optionalString('Seconds to wait (with error=throttled)'),
  account: optionalString('The account name typed before a wrong password (kept in the form)'),
  login_hint: optionalString('The account to pre-fill (OpenID Connect login_hint)'),
  _locale: optionalString(),
});
const LoginForm = Type.Object({
  csrf: optionalString(),
  return_to: RETURN_TO,
  account: optionalString(),
  password: optionalString(),
  _locale: optionalString(),
});
const LogoutQuery = Type.Object({ return_to: RETURN_TO, _locale: optionalString() });
const LogoutForm = Type.Object({ csrf: optionalString(), return_to: RETURN_TO, _locale: optionalString() });

export async function loginRoutes(app: TypedInstance, ctx: Context): Promise<void> {
  const web = ctx.services.web;
  const throttle = new PasswordThrottle(() => ctx.cache);
  const pending = new PendingSignIns(web, () => ctx.cache);
  addFactorMessages();

  /** The app a return_to authorize URL is for, to show "Sign in to continue to …". */
  async function appNameOf(returnTo: string): Promise<string | undefined> {
    if (!returnTo.startsWith('/oauth2/authorize?')) return undefined;
    const id = paramsFromQuery(returnTo.slice(returnTo.indexOf('?') + 1)).client_id;
    if (!id || !isNumericId(id)) return undefined;
    return (await ctx.services.apps.get(id))?.name;
  }

  function backToLogin(returnTo: string, locale: string, extra: string, account = ''): string {
    const keep = account ? `&account=${encodeURIComponent(account)}` : '';
    return `/login?return_to=${encodeURIComponent(returnTo)}&_locale=${encodeURIComponent(locale)}${extra}${keep}`;
  }

  app.get('/login', { schema: { querystring: LoginQuery, response: { 200: HTML_PAGE } } }, async (req, reply) => {
    const q = req.query;
    const locale = web.locale(req);
    const t = translator(locale);
    const returnTo = safeReturnTo(q.return_to);
    const user = await web.sessions.current(req);
    const switching = q.switch === '1';
    const csrf = await web.csrf.issue(req, reply);
    if (user && !switching) {
      if (returnTo !== '/login') return reply.redirect(returnTo, 302);
      return renderPage(reply, 'signed-in', { account: user.account, csrf }, locale, { title: t('login.title') });
    }
    const err = q.error;
    const wait = Number(q.wait ?? 0);
    const error =
      err === 'invalid'
        ? t('login.invalid')
        : err === 'throttled'
          ? t('login.throttled', { seconds: Number.isFinite(wait) ? Math.max(1, Math.ceil(wait)) : 1 })
          : err === 'csrf'
            ? t('login.badForm')
            : err === 'expired'
              ? t('factors.step.expired')
              : err === 'passkey'
                ? t('factors.passkeyLogin.failed')
                : undefined;
    return renderPage(
      reply,
      'login',
      {
        csrf,
        returnTo,
        account: (q.account ?? q.login_hint ?? '').slice(0, 256),
        error,
        appName: await appNameOf(returnTo),
        switchFrom: user && switching ? user.account : undefined,
        signup: ctx.services.signup.available,
        // Sign-in with a passkey alone (JS-enhanced; the challenge is bound to this form's token).
        passkeyOptions: JSON.stringify(await ctx.services.factors.passkeys.authenticationOptions('login', csrf)),
      },
      locale,
      { title: t('login.title') },
    );
  });

  app.post('/login', { schema: { body: LoginForm } }, async (req, reply) => {
    const b = req.body;
    const locale = web.locale(req);
    const returnTo = safeReturnTo(b.return_to);
    if (!(await web.csrf.verify(req, b.csrf))) return reply.redirect(backToLogin(returnTo, locale, '&error=csrf'), 303);
    const account = (b.account ?? '').trim().slice(0, 256);
    const password = b.password ?? '';
    // The attempt is reserved before the password is checked (concurrent guesses cannot outrun
    // the limit), on the typed login whether or not it names a user: the same steps and answers.
    const admission = await throttle.admit(PasswordThrottle.accountKey(account), req.ip);
    if (!admission.ok) {
      await ctx.services.audit.record({ type: 'login.throttled', ip: req.ip });
      return reply.redirect(backToLogin(returnTo, locale, `&error=throttled&wait=${admission.wait}`, account), 303);
    }
    const who = account ? await ctx.services.users.findLogin(account) : undefined;
    const user = who && password ? await who.check(password) : undefined;
    if (!user) {
      await ctx.services.audit.record({ type: 'login.failure', subject: who?.userId, ip: req.ip });
      return reply.redirect(backToLogin(returnTo, locale, '&error=invalid', account), 303);
    }
    await throttle.succeeded(admission.ticket);
    if ((await ctx.services.factors.summary(user.userId)).any) {
      // A second factor is asked for before any session starts (factors/second-step.ts).
      await pending.start(req, reply, { userId: user.userId, returnTo });
      await ctx.services.audit.record({ type: 'login.second_step', actor: user.userId, subject: user.userId, ip: req.ip });
      return reply.redirect(`/login/factor?_locale=${encodeURIComponent(locale)}`, 303);
    }
    await web.sessions.login(reply, user.userId);
    await ctx.services.audit.record({ type: 'login', actor: user.userId, subject: user.userId, ip: req.ip });
    return reply.redirect(returnTo, 303);
  });

  app.get('/logout', { schema: { querystring: LogoutQuery, response: { 200: HTML_PAGE } } }, async (req, reply) => {
    const locale = web.locale(req);
    const user = await web.sessions.current(req);
    const returnTo = safeReturnTo(req.query.return_to, '/logout');
    return renderPage(reply, 'logout', { account: user?.account, csrf: await web.csrf.issue(req, reply), returnTo }, locale, {
      title: translator(locale)('logout.title'),
    });
  });

  app.post('/logout', { schema: { body: LogoutForm } }, async (req, reply) => {
    const b = req.body;
    if (!(await web.csrf.verify(req, b.csrf))) return reply.redirect('/logout', 303);
    const user = await web.sessions.current(req);
    await web.sessions.logout(reply);
    if (user) await ctx.services.audit.record({ type: 'logout', actor: user.userId, subject: user.userId, ip: req.ip });
    return reply.redirect(safeReturnTo(b.return_to, '/logout'), 303);
  });
}
