// /account/factors (signed in): the user's second factors. Set up an authenticator app (a secret
// kept sealed in the shared cache for 10 minutes while the QR code is shown, confirmed by a first
// code), add passkeys (JavaScript), remove any factor or make new recovery codes with the password
// or a current code, and see new recovery codes once (kept sealed for 10 minutes, until "I have
// saved them"). Every POST checks the session's CSRF token and answers 303; GET changes nothing.
// Codes and passwords typed here go through the same throttle as sign-in; the rules are
// services/factors/setup.ts, shared with /api/account/factors.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import { HTML_PAGE, optionalString } from '../../../http/schemas.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import { ConflictError } from '../../../lib/errors.ts';
import { qrDataUrl } from '../../../lib/qr-code.ts';
import type { RegistrationResponseJSON } from '../../../services/factors/passkeys.ts';
import { totpUri } from '../../../services/factors/totp.ts';
import { translator } from '../../../web/i18n.ts';
import type { Locale } from '../../../web/locale.ts';
import type { CurrentSession } from '../../../web/sessions.ts';
import { renderPage } from '../../../web/web-kit.ts';
import { passkeyAnswer } from './form-input.ts';

const PAGE = '/account/factors';

const PageQuery = Type.Object({
  error: optionalString('proof, passkey, nojs, csrf, throttled, exists (set by the form posts)'),
  wait: optionalString('Seconds to wait (with error=throttled)'),
  done: optionalString('totp, passkey or removed'),
  _locale: optionalString(),
});
const Form = Type.Object({
  csrf: optionalString(),
  code: optionalString('A code of the authenticator app'),
  proof: optionalString('The password or a current code'),
  factor: optionalString('The factor to remove'),
  name: optionalString('The name of a new passkey'),
  response: optionalString('A WebAuthn registration (JSON), filled by the page script'),
  _locale: optionalString(),
});

function when(ms: number | null, locale: Locale): string {
  return ms === null ? '' : new Date(ms).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
}

export async function manageFactorsRoutes(app: TypedInstance, ctx: Context): Promise<void> {
  const web = ctx.services.web;
  const factors = ctx.services.factors;
  const setup = ctx.services.factorSetup;
  const back = (locale: string, extra: string, path = PAGE) => `${path}?_locale=${encodeURIComponent(locale)}${extra}`;

  /** The signed-in session, or a redirect to the sign-in page (GET) / undefined (POST: the caller refuses). */
  async function signedIn(req: FastifyRequest): Promise<CurrentSession | undefined> {
    return web.sessions.session(req);
  }
  const toLogin = (reply: FastifyReply, path: string, code: 302 | 303) =>
    reply.redirect(`/login?return_to=${encodeURIComponent(path)}`, code);

  /** A POST's session after its CSRF check, else the answer already sent. */
  async function posted(req: FastifyRequest, reply: FastifyReply, csrf: string | undefined, locale: string) {
    const s = await signedIn(req);
    if (!s) return { reply: toLogin(reply, PAGE, 303) };
    if (!(await web.csrf.verify(req, csrf))) return { reply: reply.redirect(back(locale, '&error=csrf'), 303) };
    return { s };
  }

  /** Checks the password or a current code (FactorSetup.prove); the refusal's redirect, or undefined. */
  async function proven(req: FastifyRequest, s: CurrentSession, proof: string | undefined, locale: string): Promise<string | undefined> {
    const r = await setup.prove(s.user.userId, proof ?? '', req.ip);
    if (r.kind === 'throttled') return back(locale, `&error=throttled&wait=${r.wait}`);
    if (r.kind === 'wrong') return back(locale, '&error=proof');
    return undefined;
  }

  app.get(PAGE, { schema: { querystring: PageQuery, response: { 200: HTML_PAGE } } }, async (req, reply) => {
    const s = await signedIn(req);
    if (!s) return toLogin(reply, PAGE, 302);
    const locale = web.locale(req);
    const t = translator(locale);
    const csrf = await web.csrf.issue(req, reply);
    const rows = await factors.summary(s.user.userId);
    const list = (await factors.list(s.user.userId)).map((f) => ({
      ...f,
      when: `${t('factors.added', { when: when(f.createdAt, locale) })} · ${f.lastUsedAt ? t('factors.lastUsed', { when: when(f.lastUsedAt, locale) }) : t('factors.never')}`,
    }));
    const q = req.query;
    const wait = Number(q.wait ?? 1);
    const errorKey = ['proof', 'passkey', 'nojs', 'csrf', 'throttled', 'exists'].includes(q.error ?? '')
      ? `factors.errors.${q.error}`
      : undefined;
    const doneKey = ['totp', 'passkey', 'removed'].includes(q.done ?? '') ? `factors.done.${q.done}` : undefined;
    return renderPage(
      reply,
      'factors',
      {
        csrf,
        totp: list.find((f) => f.kind === 'totp'),
        passkeys: list.filter((f) => f.kind === 'passkey'),
        any: rows.any,
        recoveryCodes: rows.recoveryCodes,
        registerOptions: JSON.stringify(await factors.passkeys.registrationOptions(csrf, s.user, rows.passkeys)),
        error: errorKey ? t(errorKey, { seconds: Number.isFinite(wait) ? Math.min(900, Math.max(1, Math.ceil(wait))) : 1 }) : undefined,
        notice: doneKey ? t(doneKey) : undefined,
      },
      locale,
      { title: t('factors.title') },
    );
  });

  app.post(`${PAGE}/totp`, { schema: { body: Form } }, async (req, reply) => {
    const locale = web.locale(req);
    const r = await posted(req, reply, req.body.csrf, locale);
    if (!r.s) return r.reply;
    if (!(await setup.beginTotp(r.s.id, r.s.user.userId))) return reply.redirect(back(locale, '&error=exists'), 303);
    return reply.redirect(back(locale, '', `${PAGE}/totp`), 303);
  });

  app.get(`${PAGE}/totp`, { schema: { querystring: PageQuery, response: { 200: HTML_PAGE } } }, async (req, reply) => {
    const s = await signedIn(req);
    if (!s) return toLogin(reply, `${PAGE}/totp`, 302);
    const locale = web.locale(req);
    const t = translator(locale);
    const secret = await setup.pendingTotp(s.id);
    if (!secret) return reply.redirect(back(locale, ''), 302);
    const uri = totpUri(web.brand.name ?? t('common.appTitle'), s.user.account, secret);
    return renderPage(
      reply,
      'factors-totp',
      {
        csrf: await web.csrf.issue(req, reply),
        qr: await qrDataUrl(uri),
        secretGroups: secret.replace(/(.{4})(?=.)/g, '$1 '),
        error:
          req.query.error === 'invalid' ? t('factors.totp.invalid') : req.query.error === 'csrf' ? t('factors.errors.csrf') : undefined,
      },
      locale,
      { title: t('factors.totp.title') },
    );
  });

  app.post(`${PAGE}/totp/confirm`, { schema: { body: Form } }, async (req, reply) => {
    const locale = web.locale(req);
    const s = await signedIn(req);
    if (!s) return toLogin(reply, PAGE, 303);
    if (!(await web.csrf.verify(req, req.body.csrf))) return reply.redirect(back(locale, '&error=csrf', `${PAGE}/totp`), 303);
    const r = await setup.confirmTotp(s.id, s.user.userId, req.body.code ?? '', translator(locale)('factors.kinds.totp'), req.ip);
    if (r.kind === 'expired') return reply.redirect(back(locale, ''), 303);
    if (r.kind === 'throttled') return reply.redirect(back(locale, `&error=throttled&wait=${r.wait}`), 303);
    if (r.kind === 'exists') return reply.redirect(back(locale, '&error=exists'), 303);
    if (r.kind === 'invalid') return reply.redirect(back(locale, '&error=invalid', `${PAGE}/totp`), 303);
    return reply.redirect(back(locale, '', `${PAGE}/recovery-codes`), 303);
  });

  app.get(`${PAGE}/recovery-codes`, { schema: { querystring: PageQuery, response: { 200: HTML_PAGE } } }, async (req, reply) => {
    const s = await signedIn(req);
    if (!s) return toLogin(reply, PAGE, 302);
    const locale = web.locale(req);
    const codes = await setup.shownCodes(s.id);
    if (!codes) return reply.redirect(back(locale, ''), 302);
    const csrf = await web.csrf.issue(req, reply);
    return renderPage(reply, 'factors-codes', { csrf, codes }, locale, {
      title: translator(locale)('factors.recovery.title'),
    });
  });

  app.post(`${PAGE}/recovery-codes/done`, { schema: { body: Form } }, async (req, reply) => {
    const locale = web.locale(req);
    const r = await posted(req, reply, req.body.csrf, locale);
    if (!r.s) return r.reply;
    await setup.forgetCodes(r.s.id);
    return reply.redirect(back(locale, ''), 303);
  });

  app.post(`${PAGE}/recovery-codes`, { schema: { body: Form } }, async (req, reply) => {
    const locale = web.locale(req);
    const r = await posted(req, reply, req.body.csrf, locale);
    if (!r.s) return r.reply;
    if (!(await factors.summary(r.s.user.userId)).any) return reply.redirect(back(locale, ''), 303);
    const refused = await proven(req, r.s, req.body.proof, locale);
    if (refused) return reply.redirect(refused, 303);
    await setup.renewRecoveryCodes(r.s.id, r.s.user.userId, req.ip);
    return reply.redirect(back(locale, '', `${PAGE}/recovery-codes`), 303);
  });

  app.post(`${PAGE}/passkey`, { schema: { body: Form } }, async (req, reply) => {
    const locale = web.locale(req);
    const r = await posted(req, reply, req.body.csrf, locale);
    if (!r.s) return r.reply;
    const answer = passkeyAnswer<RegistrationResponseJSON>(req.body.response);
    if (!answer) return reply.redirect(back(locale, '&error=nojs'), 303);
    const name = (req.body.name ?? '').trim().slice(0, 64) || translator(locale)('factors.passkey.defaultName');
    try {
      const added = await factors.addPasskey(r.s.user.userId, req.body.csrf ?? '', answer, name);
      return reply.redirect(back(locale, added ? '&done=passkey' : '&error=passkey'), 303);
    } catch (e) {
      if (e instanceof ConflictError) return reply.redirect(back(locale, '&error=passkey'), 303);
      throw e;
    }
  });

  app.post(`${PAGE}/remove`, { schema: { body: Form } }, async (req, reply) => {
    const locale = web.locale(req);
    const r = await posted(req, reply, req.body.csrf, locale);
    if (!r.s) return r.reply;
    const id = req.body.factor ?? '';
    if (!(await factors.list(r.s.user.userId)).some((f) => f.id === id)) return reply.redirect(back(locale, ''), 303);
    const refused = await proven(req, r.s, req.body.proof, locale);
    if (refused) return reply.redirect(refused, 303);
    await factors.remove(r.s.user.userId, id, req.ip);
    return reply.redirect(back(locale, '&done=removed'), 303);
  });
}
