// GET/POST /checkPassword (account-protocol §7): a page asking the user of `xmUserId` to re-enter
// their password for an app; the browser then goes (303) to the app's callback with
// xmResult, xmUserId, code (on success), _xmNonce and _xmSign (core/account/xm-sign.ts).
// Each page view is a flow kept in the shared cache (15 minutes, single use); wrong passwords
// retry up to a limit per flow, after which the callback gets xmResult=false. Every guess also
// goes through the login page's password throttle (the same budgets, per user id and per IP), reserved
// before the password is checked so that concurrent guesses cannot outrun it. Page views that start
// a flow are limited per client IP (OPAL_CHECK_PASSWORD_FLOWS_PER_MINUTE), and the cache holding
// the flows is bounded (OPAL_MEMORY_CACHE_MB, or Redis's own limit). A user id that names no
// account is answered like any other (same page, same flow, same password check cost), so the page
// does not tell anonymous callers which user ids exist.
import { createHmac, randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import { XM } from '../../../core/account/errors.ts';
import { newNonce } from '../../../core/account/mac-nonce.ts';
import { NUMERIC_ID_PATTERN } from '../../../core/account/numeric-id.ts';
import { buildXmCallback } from '../../../core/account/xm-sign.ts';
import { callbackAllowed, decoyAccountMask, maskAccount } from '../../../core/account/xm-sign-callback.ts';
import { HTML_PAGE, optionalString } from '../../../http/schemas.ts';
import { typed } from '../../../http/typed.ts';
import { newCredential } from '../../../lib/random.ts';
import type { AuthenticationResponseJSON } from '../../../services/factors/passkeys.ts';
import { FailureLimiter, PasswordThrottle } from '../../../services/throttle.ts';
import { PageError } from '../../../web/error-page.ts';
import { translator } from '../../../web/i18n.ts';
import type { Locale } from '../../../web/locale.ts';
import { pageScope, renderPage } from '../../../web/web-kit.ts';
import { passkeyAnswer } from '../factors/form-input.ts';
import { addFactorMessages } from '../factors/messages.ts';
import { addCheckPasswordMessages } from './messages.ts';

const FLOW_TTL_MS = 15 * 60_000;
/** Wrong passwords allowed per flow before the callback gets xmResult=false. */
export const MAX_FAILURES_PER_FLOW = 5;
const FLOW_RE = /^[A-Za-z0-9_-]{20,64}$/;

interface Flow {
  clientId: string;
  userId: string;
  callback: string;
}

const Id = (description: string) => Type.Optional(Type.String({ pattern: NUMERIC_ID_PATTERN, description }));

const PageQuery = Type.Object({
  clientId: Id('The app (also as client_id)'),
  client_id: Id('The app'),
  xmUserId: Id('The user who must confirm'),
  callback: optionalString("Where the result goes: in the domain of one of the app's redirect URIs"),
  flow: optionalString('The flow of a previous page view'),
  error: optionalString('invalid, throttled or csrf (set by the form post)'),
  wait: optionalString('Seconds to wait (with error=throttled)'),
  _locale: optionalString(),
});
const ConfirmForm = Type.Object({
  csrf: optionalString(),
  flow: optionalString(),
  password: optionalString(),
  code: optionalString('An authenticator or recovery code (users with a second factor)'),
  response: optionalString('A WebAuthn assertion (JSON; users with a passkey), filled by the page script'),
  decision: optionalString('confirm or cancel'),
  _locale: optionalString(),
});

export async function checkPasswordRoutes(scope: FastifyInstance, ctx: Context): Promise<void> {
  const web = ctx.services.web;
  await pageScope(scope, web);
  addCheckPasswordMessages();
  addFactorMessages();
  const app = typed(scope);
  const flowKey = (id: string) => `checkpw:flow:${id}`;
  /** Set once the flow's password was right and a second factor is still asked for (its user id). */
  const passwordOkKey = (id: string) => `checkpw:pwok:${id}`;
  const passwordOk = async (flowId: string, userId: string) => (await ctx.cache.get(passwordOkKey(flowId))) === userId;
  const throttle = new PasswordThrottle(() => ctx.cache);
  const flowsPerMinute = ctx.config.checkPasswordFlowsPerMinute;
  const newFlows = new FailureLimiter(() => ctx.cache, 'checkpw:new', flowsPerMinute, 60_000);
  const expired = () => new PageError(XM.INVALID_REQUEST, { messageKey: 'checkPassword.expired' });

  async function loadFlow(id: string | undefined): Promise<Flow | undefined> {
    if (!id || !FLOW_RE.test(id)) return undefined;
    const raw = await ctx.cache.get(flowKey(id));
    return raw ? (JSON.parse(raw) as Flow) : undefined;
  }

  function pageUrl(f: Flow, flow: string, locale: Locale, error: string, wait?: number): string {
    const q = new URLSearchParams({ clientId: f.clientId, xmUserId: f.userId, callback: f.callback, flow, _locale: locale, error });
    if (wait !== undefined) q.set('wait', String(wait));
    return `/checkPassword?${q}`;
  }

  /** Ends the flow and sends the browser to the app's callback with a signed result. */
  async function finish(reply: FastifyReply, flowId: string, f: Flow, ok: boolean, req: FastifyRequest): Promise<FastifyReply> {
    // Single use even under concurrent posts: only the first to claim the flow finishes it.
    if (!(await ctx.cache.setIfAbsent(`checkpw:done:${flowId}`, '1', FLOW_TTL_MS))) throw expired();
    await ctx.cache.del(flowKey(flowId));
    await ctx.cache.del(`checkpw:fails:${flowId}`);
    const signing = await ctx.services.apps.withSigningSecret(f.clientId);
    const secret = signing?.secret;
    if (!signing || !secret) throw new PageError(XM.CLIENT_NOT_EXISTS, { messageKey: 'checkPassword.noSecret', status: 409 });
    let code: string | undefined;
    if (ok) {
      const grant = await ctx.services.oauth.getGrant(f.userId, f.clientId);
      const scopes = grant?.scopes ?? (signing.app.scopes.includes(1) ? [1] : []);
      code = await ctx.services.oauth.issueCode({ clientId: f.clientId, userId: f.userId, scopes, redirectUri: f.callback });
    }
    await ctx.services.audit.record({
      type: ok ? 'check_password.success' : 'check_password.failure',
      actor: f.userId,
      subject: f.userId,
      clientId: f.clientId,
      ip: req.ip,
    });
    const nonce = newNonce(Date.now(), randomBytes(8).readBigInt64BE());
    const target = buildXmCallback(f.callback, { xmResult: ok, xmUserId: f.userId, code }, nonce, secret, ctx.config.xmSignHostMode);
    return reply.redirect(target, 303);
  }

  app.get('/checkPassword', { schema: { querystring: PageQuery, response: { 200: HTML_PAGE } } }, async (req, reply) => {
    const q = req.query;
    const locale = web.locale(req);
    const t = translator(locale);
    const clientId = q.clientId ?? q.client_id;
    const { xmUserId, callback } = q;
    if (!clientId) throw new PageError(XM.INVALID_REQUEST);
    const client = await ctx.services.apps.get(clientId);
    if (!client) throw new PageError(XM.CLIENT_NOT_EXISTS);
    if (!callback || !callbackAllowed(callback, client.redirectUris)) throw new PageError(XM.INVALID_REDIRECT_URI);
    if (!xmUserId) throw new PageError(XM.INVALID_REQUEST);
    // An id that names no account gets the same page (with a decoy masked account) and the same
    // flow, which can only end with xmResult=false: anonymous callers learn nothing of which ids exist.
    const user = await ctx.services.users.get(xmUserId);
    const masked = user
      ? maskAccount(user.account)
      : decoyAccountMask(createHmac('sha256', ctx.serverSecret).update(`checkpw-decoy|${xmUserId}`).digest());

    const f: Flow = { clientId, userId: xmUserId, callback };
    let flowId = q.flow;
    const existing = await loadFlow(flowId);
    if (!flowId || !existing || existing.clientId !== f.clientId || existing.userId !== f.userId || existing.callback !== f.callback) {
      if (flowsPerMinute > 0 && 'wait' in (await newFlows.reserve(req.ip))) {
        throw new PageError(XM.INVALID_REQUEST, { messageKey: 'checkPassword.tooMany', status: 429 });
      }
      flowId = newCredential(24);
      await ctx.cache.set(flowKey(flowId), JSON.stringify(f), FLOW_TTL_MS);
    }
    const err = q.error;
    let error: string | undefined;
    // A user with a second factor confirms with it too (a code, or a passkey whose challenge is
    // bound to this form's token), asked for only once the password was right: the first page is the
    // same for every id, so it tells nobody which accounts exist or have a factor (and no passkey ids).
    const factorStep = existing !== undefined && (await passwordOk(flowId, xmUserId));
    const has = factorStep ? await ctx.services.factors.summary(xmUserId) : { any: false, totp: false, recoveryCodes: 0, passkeys: [] };
    if (err === 'invalid' && existing) {
      const fails = Number((await ctx.cache.get(`checkpw:fails:${flowId}`)) ?? 0);
      const key = factorStep ? 'factors.checkPassword.invalid' : 'checkPassword.invalid';
      error = t(key, { count: Math.max(1, MAX_FAILURES_PER_FLOW - fails) });
    } else if (err === 'throttled') {
      const wait = Number(q.wait ?? 1);
      error = t('checkPassword.throttled', { seconds: Number.isFinite(wait) ? Math.min(900, Math.max(1, Math.ceil(wait))) : 1 });
    } else if (err === 'csrf') {
      error = t('checkPassword.badForm');
    }
    const csrf = await web.csrf.issue(req, reply);
    const passkeyOptions =
      has.passkeys.length > 0
        ? JSON.stringify(await ctx.services.factors.passkeys.authenticationOptions('checkpw', csrf, has.passkeys))
        : undefined;
    return renderPage(
      reply,
      'check-password',
      {
        csrf,
        flow: flowId,
        appName: client.name,
        maskedAccount: masked,
        error,
        factorStep,
        code: has.totp || has.recoveryCodes > 0,
        passkeyOptions,
      },
      locale,
      { title: t('checkPassword.title') },
    );
  });

  /** Whether the form proves the user's second factor (true when the user has none). */
  async function secondFactor(userId: string, b: { csrf?: string; code?: string; response?: string }, ip: string): Promise<boolean> {
    if (!(await ctx.services.factors.summary(userId)).any) return true;
    const answer = passkeyAnswer<AuthenticationResponseJSON>(b.response);
    if (answer) return (await ctx.services.factors.checkPasskey('checkpw', b.csrf ?? '', answer, userId, ip)) === userId;
    return b.code ? (await ctx.services.factors.checkCode(userId, b.code, ip)) !== undefined : false;
  }

  app.post('/checkPassword', { schema: { body: ConfirmForm } }, async (req, reply) => {
    const b = req.body;
    const locale = web.locale(req);
    const flowId = b.flow;
    const f = await loadFlow(flowId);
    if (!flowId || !f) throw expired();
    if (!(await web.csrf.verify(req, b.csrf))) return reply.redirect(pageUrl(f, flowId, locale, 'csrf'), 303);
    if (b.decision !== 'confirm') return finish(reply, flowId, f, false, req);

    // Reserve the attempt (user id, and IP shared with the login page; then this flow) before
    // the password is checked, so concurrent guesses are counted before any of them is verified.
    const admission = await throttle.admit(PasswordThrottle.checkPasswordKey(f.userId), req.ip);
    if (!admission.ok) {
      await ctx.services.audit.record({ type: 'check_password.throttled', subject: f.userId, clientId: f.clientId, ip: req.ip });
      return reply.redirect(pageUrl(f, flowId, locale, 'throttled', admission.wait), 303);
    }
    const fails = await ctx.cache.incr(`checkpw:fails:${flowId}`, FLOW_TTL_MS);
    if (fails > MAX_FAILURES_PER_FLOW) return finish(reply, flowId, f, false, req);
    if (await passwordOk(flowId, f.userId)) {
      // The second step: the password was right, the factor decides.
      if (await secondFactor(f.userId, b, req.ip)) {
        await throttle.succeeded(admission.ticket);
        await ctx.cache.del(passwordOkKey(flowId));
        return finish(reply, flowId, f, true, req);
      }
    } else {
      const password = b.password ?? '';
      if (password && (await ctx.services.users.verifyPassword(f.userId, password))) {
        await throttle.succeeded(admission.ticket);
        if (!(await ctx.services.factors.summary(f.userId)).any) return finish(reply, flowId, f, true, req);
        await ctx.cache.set(passwordOkKey(flowId), f.userId, FLOW_TTL_MS);
        return reply.redirect(pageUrl(f, flowId, locale, ''), 303);
      }
    }

    await ctx.services.audit.record({ type: 'check_password.wrong', subject: f.userId, clientId: f.clientId, ip: req.ip });
    if (fails >= MAX_FAILURES_PER_FLOW) return finish(reply, flowId, f, false, req);
    return reply.redirect(pageUrl(f, flowId, locale, 'invalid'), 303);
  });
}
