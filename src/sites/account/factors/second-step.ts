// The second step of sign-in (GET/POST /login/factor): after a right password, a user with a
// second factor types an authenticator or recovery code, or uses one of their passkeys; only then
// does the session start (amr pwd+otp or pwd+hwk) and the browser go on to return_to (an authorize
// request continues there). And sign-in with a passkey alone (POST /login/passkey, amr hwk), offered
// on the sign-in page to browsers that can. Every attempt is throttled like a password (per user
// and per IP, services/throttle.ts); a code is good once.
import { Type } from '@sinclair/typebox';
import type { Context } from '../../../context.ts';
import { safeReturnTo } from '../../../core/account/return-to.ts';
import { HTML_PAGE, optionalString } from '../../../http/schemas.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import type { AuthenticationResponseJSON } from '../../../services/factors/passkeys.ts';
import { FailureLimiter, PasswordThrottle } from '../../../services/throttle.ts';
import { translator } from '../../../web/i18n.ts';
import { renderPage } from '../../../web/web-kit.ts';
import { passkeyAnswer } from './form-input.ts';
import { PendingSignIns } from './pending.ts';

const FactorQuery = Type.Object({
  error: optionalString('invalid, throttled or csrf (set by the form post)'),
  wait: optionalString('Seconds to wait (with error=throttled)'),
  _locale: optionalString(),
});
const FactorForm = Type.Object({
  csrf: optionalString(),
  code: optionalString('An authenticator or recovery code'),
  response: optionalString('A WebAuthn assertion (JSON), filled by the page script'),
  _locale: optionalString(),
});
const PasskeyForm = Type.Object({
  csrf: optionalString(),
  return_to: optionalString('Path on this origin to go to afterwards'),
  response: optionalString('A WebAuthn assertion (JSON), filled by the page script'),
  _locale: optionalString(),
});

/** Passwordless passkey attempts that failed, per client IP and 15 minutes. */
const PASSKEY_FAILURES_PER_IP = 20;

export async function secondStepRoutes(app: TypedInstance, ctx: Context): Promise<void> {
  const web = ctx.services.web;
  const factors = ctx.services.factors;
  const pending = new PendingSignIns(web, () => ctx.cache);
  const throttle = new PasswordThrottle(() => ctx.cache);
  const passkeyFailures = new FailureLimiter(() => ctx.cache, 'passkey:ip', PASSKEY_FAILURES_PER_IP, 15 * 60_000);
  const here = (locale: string, extra = '') => `/login/factor?_locale=${encodeURIComponent(locale)}${extra}`;
  const toLogin = (returnTo: string, locale: string, extra: string) =>
    `/login?return_to=${encodeURIComponent(returnTo)}&_locale=${encodeURIComponent(locale)}${extra}`;

  app.get('/login/factor', { schema: { querystring: FactorQuery, response: { 200: HTML_PAGE } } }, async (req, reply) => {
    const locale = web.locale(req);
    const t = translator(locale);
    const p = await pending.load(req);
    if (!p) return reply.redirect(toLogin('/login', locale, '&error=expired'), 302);
    const csrf = await web.csrf.issue(req, reply);
    const has = await factors.summary(p.userId);
    const q = req.query;
    const wait = Number(q.wait ?? 1);
    const error =
      q.error === 'invalid'
        ? t('factors.step.invalid')
        : q.error === 'throttled'
          ? t('login.throttled', { seconds: Number.isFinite(wait) ? Math.min(900, Math.max(1, Math.ceil(wait))) : 1 })
          : q.error === 'csrf'
            ? t('login.badForm')
            : undefined;
    const passkeyOptions =
      has.passkeys.length > 0 ? JSON.stringify(await factors.passkeys.authenticationOptions('second', csrf, has.passkeys)) : undefined;
    return renderPage(
      reply,
      'login-factor',
      { csrf, error, code: has.totp || has.recoveryCodes > 0, totp: has.totp, passkeyOptions },
      locale,
      { title: t('factors.step.title') },
    );
  });

  app.post('/login/factor', { schema: { body: FactorForm } }, async (req, reply) => {
    const b = req.body;
    const locale = web.locale(req);
    if (!(await web.csrf.verify(req, b.csrf))) return reply.redirect(here(locale, '&error=csrf'), 303);
    const p = await pending.load(req);
    if (!p) return reply.redirect(toLogin('/login', locale, '&error=expired'), 303);
    const admission = await throttle.admit(PasswordThrottle.factorKey(p.userId), req.ip);
    if (!admission.ok) {
      await ctx.services.audit.record({ type: 'factor.throttled', subject: p.userId, ip: req.ip });
      return reply.redirect(here(locale, `&error=throttled&wait=${admission.wait}`), 303);
    }
    const answer = passkeyAnswer<AuthenticationResponseJSON>(b.response);
    let amr: string[] | undefined;
    if (answer) {
      if ((await factors.checkPasskey('second', b.csrf ?? '', answer, p.userId, req.ip)) === p.userId) amr = ['pwd', 'hwk'];
    } else if (b.code && (await factors.checkCode(p.userId, b.code, req.ip))) {
      amr = ['pwd', 'otp'];
    }
    if (!amr) {
      if (await pending.failed(req)) return reply.redirect(toLogin(p.returnTo, locale, '&error=invalid'), 303);
      return reply.redirect(here(locale, '&error=invalid'), 303);
    }
    await throttle.succeeded(admission.ticket);
    await pending.end(req);
    await web.sessions.login(reply, p.userId, amr);
    await ctx.services.audit.record({ type: 'login', actor: p.userId, subject: p.userId, ip: req.ip, detail: { amr } });
    return reply.redirect(p.returnTo, 303);
  });

  app.post('/login/passkey', { schema: { body: PasskeyForm } }, async (req, reply) => {
    const b = req.body;
    const locale = web.locale(req);
    const returnTo = safeReturnTo(b.return_to);
    if (!(await web.csrf.verify(req, b.csrf))) return reply.redirect(toLogin(returnTo, locale, '&error=csrf'), 303);
    const slot = await passkeyFailures.reserve(req.ip);
    if ('wait' in slot) return reply.redirect(toLogin(returnTo, locale, `&error=throttled&wait=${slot.wait}`), 303);
    const answer = passkeyAnswer<AuthenticationResponseJSON>(b.response);
    const userId = answer ? await factors.checkPasskey('login', b.csrf ?? '', answer, undefined, req.ip) : undefined;
    const user = userId ? await ctx.services.users.get(userId) : undefined;
    if (!user || user.locked) {
      await ctx.services.audit.record({ type: 'login.failure', ip: req.ip, detail: { method: 'passkey' } });
      return reply.redirect(toLogin(returnTo, locale, '&error=passkey'), 303);
    }
    await passkeyFailures.succeeded(slot.slot);
    await pending.end(req);
    await web.sessions.login(reply, user.userId, ['hwk']);
    await ctx.services.audit.record({ type: 'login', actor: user.userId, subject: user.userId, ip: req.ip, detail: { amr: ['hwk'] } });
    return reply.redirect(returnTo, 303);
  });
}
