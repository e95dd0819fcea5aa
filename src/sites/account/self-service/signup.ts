// /signup: the sign-up form, its verification step and the password-strength meter's JSON.
// Every POST checks the form's CSRF token and answers 303 (mistakes go back to the form with the
// fields typed so far, never the password); GET changes nothing. The service decides what is said
// (services/self-service/signup.ts); these routes only parse and show.
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { Context } from '../../../context.ts';
import { HTML_PAGE, optionalString } from '../../../http/schemas.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import { judgePassword } from '../../../services/self-service/password-policy.ts';
import { translator } from '../../../web/i18n.ts';
import type { Locale } from '../../../web/locale.ts';
import { PageError, renderPage } from '../../../web/web-kit.ts';

const SignupQuery = Type.Object({
  error: optionalString('Comma-separated problems (set by the form post)'),
  wait: optionalString(),
  account: optionalString(),
  email: optionalString(),
  phone: optionalString(),
  invite: optionalString(),
  _locale: optionalString(),
});
const SignupForm = Type.Object({
  csrf: optionalString(),
  account: optionalString(),
  password: optionalString(),
  email: optionalString(),
  phone: optionalString(),
  invite: optionalString(),
  _locale: optionalString(),
});
const VerifyQuery = Type.Object({ flow: optionalString(), error: optionalString(), wait: optionalString(), _locale: optionalString() });
const VerifyForm = Type.Object({
  csrf: optionalString(),
  flow: optionalString(),
  code: optionalString(),
  account: optionalString(),
  _locale: optionalString(),
});
const StrengthBody = Type.Object({ password: Type.String({ maxLength: 1024 }), account: optionalString() });
const Strength = Type.Object({ score: Type.Integer(), ok: Type.Boolean(), message: Type.String() });

const field = (v: string | undefined, max = 256) => (v ?? '').trim().slice(0, max);

export async function signupRoutes(app: TypedInstance, ctx: Context): Promise<void> {
  const web = ctx.services.web;
  const signup = ctx.services.signup;
  const notFound = () => new PageError(0, { messageKey: 'notFound.text', status: 404 });

  const to = (reply: FastifyReply, path: string, params: Record<string, string | undefined>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
    return reply.redirect(`${path}?${q.toString()}`, 303);
  };
  const page = (reply: FastifyReply, name: string, data: Record<string, unknown>, locale: Locale, title: string) =>
    renderPage(reply, name, data, locale, { title: translator(locale)(title) });

  app.get('/signup', { schema: { querystring: SignupQuery, response: { 200: HTML_PAGE } } }, async (req, reply) => {
    if (signup.mode === 'off') throw notFound();
    const q = req.query;
    const locale = web.locale(req);
    const t = translator(locale);
    const problems = (q.error ?? '').split(',').filter((p) => /^[a-z-]{1,20}$/.test(p));
    const errors = problems.map((p) =>
      p === 'throttled'
        ? t('signup.throttled', { seconds: Math.max(1, Number(q.wait) || 1) })
        : p === 'csrf'
          ? t('signup.badForm')
          : t(`signup.problems.${p}`),
    );
    return page(
      reply,
      'signup',
      {
        csrf: await web.csrf.issue(req, reply),
        available: signup.available,
        channel: signup.channel,
        invite: signup.mode === 'invite',
        errors,
        problems,
        values: { account: field(q.account, 64), email: field(q.email), phone: field(q.phone, 32), invite: field(q.invite, 64) },
      },
      locale,
      'signup.title',
    );
  });

  app.post('/signup', { schema: { body: SignupForm } }, async (req, reply) => {
    if (signup.mode === 'off' || !signup.available) throw notFound();
    const b = req.body;
    const locale = web.locale(req);
    const values = { account: field(b.account, 64), email: field(b.email), phone: field(b.phone, 32), invite: field(b.invite, 64) };
    const back = (error: string, wait?: number) =>
      to(reply, '/signup', { error, wait: wait ? String(wait) : undefined, ...values, _locale: locale });
    if (!(await web.csrf.verify(req, b.csrf))) return back('csrf');
    const r = await signup.start({ ...values, password: b.password ?? '', locale, ip: req.ip });
    if (r.kind === 'throttled') return back('throttled', r.wait);
    if (r.kind === 'invalid') return back(r.problems.join(','));
    if (r.kind === 'created') {
      await web.sessions.login(reply, r.user.userId);
      return reply.redirect('/', 303);
    }
    return to(reply, '/signup/verify', { flow: r.flow, _locale: locale });
  });

  app.get('/signup/verify', { schema: { querystring: VerifyQuery, response: { 200: HTML_PAGE } } }, async (req, reply) => {
    if (signup.mode === 'off') throw notFound();
    const q = req.query;
    const locale = web.locale(req);
    const t = translator(locale);
    const row = await signup.pending(q.flow ?? '');
    const e = q.error;
    const error =
      e === 'wrong'
        ? t('signup.wrongCode')
        : e === 'taken'
          ? t('signup.taken')
          : e === 'account'
            ? t('signup.problems.account')
            : e === 'csrf'
              ? t('signup.badForm')
              : e === 'throttled'
                ? t('signup.throttled', { seconds: Math.max(1, Number(q.wait) || 1) })
                : undefined;
    return page(
      reply,
      'signup-verify',
      {
        csrf: await web.csrf.issue(req, reply),
        flow: row ? q.flow : undefined,
        verified: row ? row.verified_at !== null : false,
        channel: signup.channel,
        error,
        outbox: Boolean(ctx.services.messenger.outbox),
      },
      locale,
      'signup.verifyTitle',
    );
  });

  app.post('/signup/verify', { schema: { body: VerifyForm } }, async (req, reply) => {
    if (signup.mode === 'off') throw notFound();
    const b = req.body;
    const locale = web.locale(req);
    const flow = field(b.flow, 64);
    if (!(await web.csrf.verify(req, b.csrf))) return to(reply, '/signup/verify', { flow, error: 'csrf', _locale: locale });
    const r = await signup.verify(flow, field(b.code, 16), b.account === undefined ? undefined : field(b.account, 64), req.ip);
    if (r.kind === 'created') {
      await web.sessions.login(reply, r.user.userId);
      return reply.redirect('/', 303);
    }
    if (r.kind === 'expired') return to(reply, '/signup/verify', { _locale: locale });
    if (r.kind === 'invalid')
      return to(reply, '/signup/verify', { flow, error: r.problems.includes('account') ? 'account' : 'expired', _locale: locale });
    return to(reply, '/signup/verify', { flow, error: r.kind, wait: r.kind === 'throttled' ? String(r.wait) : undefined, _locale: locale });
  });

  // The strength meter's enhancement (assets/password.js): the same judgement as the form's rule.
  app.post('/signup/strength', { schema: { body: StrengthBody, response: { 200: Strength } } }, async (req) => {
    const locale = web.locale(req);
    const t = translator(locale);
    const v = await judgePassword(req.body.password, [field(req.body.account, 64), ctx.config.brandName ?? 'opal']);
    return {
      score: v.score,
      ok: v.ok,
      message: v.problem ? t(`signup.problems.password-${v.problem}`) : t(`signup.strengthLevels.s${v.score}`),
    };
  });
}
