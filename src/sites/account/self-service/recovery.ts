// /recover: "forgot password". The form takes an e-mail address (a link is sent) or a phone number
// (a code is sent); the answer is the same page whether an account has it or not
// (services/self-service/recovery.ts). /recover/reset?token=… (the link) and /recover/code?flow=…
// (the code) ask for the new password. POSTs check CSRF and answer 303; GETs change nothing.
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { Context } from '../../../context.ts';
import { HTML_PAGE, optionalString } from '../../../http/schemas.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import type { ResetResult } from '../../../services/self-service/recovery.ts';
import { translator } from '../../../web/i18n.ts';
import type { Locale } from '../../../web/locale.ts';
import { renderPage } from '../../../web/web-kit.ts';

const RecoverQuery = Type.Object({ error: optionalString(), wait: optionalString(), address: optionalString(), _locale: optionalString() });
const RecoverForm = Type.Object({ csrf: optionalString(), address: optionalString(), _locale: optionalString() });
const ResetQuery = Type.Object({
  token: optionalString('The link token (e-mail)'),
  flow: optionalString('The code flow (SMS)'),
  error: optionalString(),
  wait: optionalString(),
  _locale: optionalString(),
});
const ResetForm = Type.Object({
  csrf: optionalString(),
  token: optionalString(),
  flow: optionalString(),
  code: optionalString(),
  password: optionalString(),
  _locale: optionalString(),
});
const Lang = Type.Object({ _locale: optionalString() });

export async function recoveryRoutes(app: TypedInstance, ctx: Context): Promise<void> {
  const web = ctx.services.web;
  const recovery = ctx.services.recovery;
  const to = (reply: FastifyReply, path: string, params: Record<string, string | undefined>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
    const s = q.toString();
    return reply.redirect(s ? `${path}?${s}` : path, 303);
  };
  const page = (reply: FastifyReply, name: string, data: Record<string, unknown>, locale: Locale, title: string) =>
    renderPage(reply, name, data, locale, { title: translator(locale)(title) });
  const errorText = (locale: Locale, e: string | undefined, wait: string | undefined): string | undefined => {
    const t = translator(locale);
    if (!e) return undefined;
    if (e === 'throttled') return t('recover.throttled', { seconds: Math.max(1, Number(wait) || 1) });
    if (e === 'csrf') return t('recover.badForm');
    if (/^password-[a-z]+$/.test(e)) return t(`signup.problems.${e}`);
    if (['invalid', 'unavailable', 'wrong', 'expired'].includes(e)) return t(e === 'wrong' ? 'recover.wrongCode' : `recover.${e}`);
    return undefined;
  };

  app.get('/recover', { schema: { querystring: RecoverQuery, response: { 200: HTML_PAGE } } }, async (req, reply) => {
    const locale = web.locale(req);
    const q = req.query;
    return page(
      reply,
      'recover',
      { csrf: await web.csrf.issue(req, reply), address: (q.address ?? '').slice(0, 256), error: errorText(locale, q.error, q.wait) },
      locale,
      'recover.title',
    );
  });

  app.post('/recover', { schema: { body: RecoverForm } }, async (req, reply) => {
    const locale = web.locale(req);
    const address = (req.body.address ?? '').trim().slice(0, 256);
    if (!(await web.csrf.verify(req, req.body.csrf))) return to(reply, '/recover', { error: 'csrf', address, _locale: locale });
    const r = await recovery.start(address, locale, req.ip);
    if (r.kind === 'throttled') return to(reply, '/recover', { error: 'throttled', wait: String(r.wait), address, _locale: locale });
    if (r.kind !== 'sent') return to(reply, '/recover', { error: r.kind, address, _locale: locale });
    if (r.flow) return to(reply, '/recover/code', { flow: r.flow, _locale: locale });
    return to(reply, '/recover/sent', { _locale: locale });
  });

  app.get('/recover/sent', { schema: { querystring: Lang, response: { 200: HTML_PAGE } } }, async (req, reply) => {
    const locale = web.locale(req);
    return page(reply, 'recover-sent', { outbox: Boolean(ctx.services.messenger.outbox) }, locale, 'recover.sentTitle');
  });

  app.get('/recover/done', { schema: { querystring: Lang, response: { 200: HTML_PAGE } } }, async (req, reply) => {
    const locale = web.locale(req);
    return page(reply, 'recover-done', {}, locale, 'recover.resetTitle');
  });

  // The new-password form, for a link (token) or a code flow (flow + code). A flow is shown even
  // when no account has its number, so that the page does not tell; only the answer to the code does.
  app.get(
    '/recover/:step',
    {
      schema: {
        params: Type.Object({ step: Type.Union([Type.Literal('reset'), Type.Literal('code')]) }),
        querystring: ResetQuery,
        response: { 200: HTML_PAGE },
      },
    },
    async (req, reply) => {
      const locale = web.locale(req);
      const q = req.query;
      const byCode = req.params.step === 'code';
      const secret = (byCode ? q.flow : q.token) ?? '';
      const live = (await recovery.find(secret.slice(0, 64))) !== undefined;
      return page(
        reply,
        'recover-reset',
        {
          csrf: await web.csrf.issue(req, reply),
          byCode,
          token: byCode ? '' : secret,
          flow: byCode ? secret : '',
          live,
          error: errorText(locale, live ? q.error : 'expired', q.wait),
          outbox: Boolean(ctx.services.messenger.outbox),
        },
        locale,
        byCode ? 'recover.codeTitle' : 'recover.resetTitle',
      );
    },
  );

  app.post('/recover/reset', { schema: { body: ResetForm } }, async (req, reply) => {
    const locale = web.locale(req);
    const b = req.body;
    const byCode = b.flow !== undefined && b.flow !== '';
    const secret = ((byCode ? b.flow : b.token) ?? '').slice(0, 64);
    const back = (error: string, wait?: number) =>
      to(reply, byCode ? '/recover/code' : '/recover/reset', {
        [byCode ? 'flow' : 'token']: secret,
        error,
        wait: wait ? String(wait) : undefined,
        _locale: locale,
      });
    if (!(await web.csrf.verify(req, b.csrf))) return back('csrf');
    const r: ResetResult = await recovery.reset(secret, byCode ? (b.code ?? '') : undefined, b.password ?? '', req.ip);
    if (r.kind === 'done') {
      await web.sessions.logout(reply);
      return to(reply, '/recover/done', { _locale: locale });
    }
    if (r.kind === 'weak') return back(`password-${r.problem}`);
    if (r.kind === 'throttled') return back('throttled', r.wait);
    return back(r.kind);
  });
}
