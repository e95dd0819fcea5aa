// GET /oauth2/authorize and the consent decision (account-protocol §3). Client and redirect
// problems → HTML error page (HTTP 400); later problems → redirect with a bare integer `error`.
// Not logged in → the login page, which brings the browser back to the same authorize URL.
// The authorize parameters are read from the raw query string, which is carried byte for byte
// through the consent form (`request`) and the login detour; the schemas declare what they hold.
// Requests whose scope holds `openid` are OpenID Connect requests, handled by oidc/authorize.ts.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import {
  type AuthorizeCheck,
  type AuthorizeRequest,
  checkAuthorize,
  checkClientId,
  type Params,
  paramsFromQuery,
} from '../../../core/account/authorize-request.ts';
import { XM } from '../../../core/account/errors.ts';
import { buildRedirect } from '../../../core/account/redirect-uri.ts';
import { covers } from '../../../core/account/scope.ts';
import { implicitParams } from '../../../core/account/token-response.ts';
import { isOidcScope } from '../../../core/oidc/scopes.ts';
import { HTML_PAGE, optionalString } from '../../../http/schemas.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import type { App } from '../../../services/apps.ts';
import type { User } from '../../../services/users.ts';
import { PageError } from '../../../web/error-page.ts';
import { translator } from '../../../web/i18n.ts';
import type { Locale } from '../../../web/locale.ts';
import { renderPage } from '../../../web/web-kit.ts';
import { OidcAuthorize } from '../oidc/authorize.ts';
import { redirectMismatch } from './redirect-mismatch.ts';

const AuthorizeQuery = Type.Object({
  client_id: optionalString(),
  redirect_uri: optionalString(),
  response_type: optionalString('code or token'),
  scope: optionalString(),
  state: optionalString(),
  skip_confirm: optionalString(),
  code_challenge: optionalString(),
  code_challenge_method: optionalString(),
  nonce: optionalString('OpenID Connect: echoed in the id_token'),
  prompt: optionalString('OpenID Connect: none, login, consent or select_account'),
  max_age: optionalString('OpenID Connect: seconds since the sign-in'),
  login_hint: optionalString('OpenID Connect: the account to pre-fill on the sign-in page'),
  _locale: optionalString(),
});

const DecisionBody = Type.Object({
  csrf: optionalString(),
  /** The authorize query string the consent page was shown for. */
  request: optionalString(),
  uid: optionalString('The user the consent page was shown to'),
  decision: optionalString('allow or deny'),
  _locale: optionalString(),
});

function rawQuery(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q + 1);
}

export function scopeTexts(scopes: number[], locale: Locale): Array<{ id: number; text: string }> {
  const t = translator(locale);
  return scopes.map((id) => {
    const key = `scope.${id}`;
    const text = t(key);
    return { id, text: text === key ? t('scope.other', { id }) : text };
  });
}

/** The login page that brings the browser back to this authorize request. */
export function loginUrl(authorizeQuery: string, locale: Locale, extra = ''): string {
  return `/login?return_to=${encodeURIComponent(`/oauth2/authorize?${authorizeQuery}`)}&_locale=${encodeURIComponent(locale)}${extra}`;
}

export interface ConsentInput {
  app: App;
  scopes: number[];
  user: User;
  /** The authorize query string, carried through the form. */
  request: string;
  locale: Locale;
  /** Also list "confirm who you are" (OpenID Connect requests). */
  identity?: boolean;
}

/** The consent page for an authorize request. */
export async function renderConsent(ctx: Context, req: FastifyRequest, reply: FastifyReply, c: ConsentInput) {
  const t = translator(c.locale);
  const scopes = scopeTexts(c.scopes, c.locale);
  return renderPage(
    reply,
    'consent',
    {
      appName: c.app.name,
      scopes: c.identity ? [{ id: 'openid', text: t('scope.openid') }, ...scopes] : scopes,
      account: c.user.account,
      userId: c.user.userId,
      switchUrl: loginUrl(c.request, c.locale, '&switch=1'),
      csrf: await ctx.services.web.csrf.issue(req, reply),
      request: c.request,
    },
    c.locale,
    { title: t('consent.title', { app: c.app.name }) },
  );
}

export async function authorizeRoutes(app: TypedInstance, ctx: Context): Promise<void> {
  const web = ctx.services.web;
  const oauth = ctx.services.oauth;
  const oidc = new OidcAuthorize(ctx);

  /** Validates a request: throws the error page, or answers the error redirect and returns undefined. */
  async function validate(
    req: FastifyRequest,
    p: Params,
    reply: FastifyReply,
    status: 302 | 303,
  ): Promise<{ request: AuthorizeRequest; app: App } | undefined> {
    const id = checkClientId(p);
    const client = id.ok ? await ctx.services.apps.get(id.clientId) : undefined;
    const check: AuthorizeCheck = checkAuthorize(p, client, { skipConfirmDefault: ctx.config.skipConfirmDefault });
    if (check.kind === 'page' && check.code === XM.INVALID_REDIRECT_URI && client && p.redirect_uri) {
      throw await redirectMismatch(ctx, req, client, p.redirect_uri);
    }
    if (check.kind === 'page') throw new PageError(check.code);
    if (check.kind === 'redirect') {
      reply.redirect(
        buildRedirect(check.redirectUri, [
          ['error', check.code],
          ['error_description', check.description],
          ['state', check.state],
        ]),
        status,
      );
      return undefined;
    }
    if (!client) return undefined;
    return { request: check.request, app: client };
  }

  async function finish(req: FastifyRequest, reply: FastifyReply, a: App, r: AuthorizeRequest, user: User, status: 302 | 303) {
    ctx.services.usage.count(a.clientId, 'authorize');
    if (r.responseType === 'code') {
      const code = await oauth.issueCode({
        clientId: a.clientId,
        userId: user.userId,
        scopes: r.scopes,
        redirectUri: r.redirectUri,
        bindRedirectHost: true,
        codeChallenge: r.codeChallenge,
        ip: req.ip,
      });
      return reply.redirect(
        buildRedirect(r.redirectUri, [
          ['code', code],
          ['state', r.state],
        ]),
        status,
      );
    }
    const t = await oauth.issueImplicit(a, user.userId, r.scopes, req.ip);
    return reply.redirect(buildRedirect(r.redirectUri, implicitParams(t, r.state), 'fragment'), status);
  }

  app.get('/oauth2/authorize', { schema: { querystring: AuthorizeQuery, response: { 200: HTML_PAGE } } }, async (req, reply) => {
    const qs = rawQuery(req.url);
    const p = paramsFromQuery(qs);
    const locale = web.locale(req);
    if (isOidcScope(p.scope)) return oidc.start(req, reply, qs, p, locale);
    const v = await validate(req, p, reply, 302);
    if (!v) return reply;
    const user = await web.sessions.current(req);
    if (!user) return reply.redirect(loginUrl(qs, locale), 302);
    if (v.request.skipConfirm) {
      const g = await oauth.getGrant(user.userId, v.app.clientId);
      if (g && covers(g.scopes, v.request.scopes)) return finish(req, reply, v.app, v.request, user, 302);
    }
    return renderConsent(ctx, req, reply, { app: v.app, scopes: v.request.scopes, user, request: qs, locale });
  });

  app.post('/oauth2/authorize/decision', { schema: { body: DecisionBody } }, async (req, reply) => {
    const body = req.body;
    const locale = web.locale(req);
    if (!(await web.csrf.verify(req, body.csrf))) throw new PageError(0, { messageKey: 'errors.csrf', status: 403 });
    const qs = body.request ?? '';
    const p = paramsFromQuery(qs);
    if (isOidcScope(p.scope)) return oidc.decide(req, reply, qs, p, body.uid, body.decision, locale);
    const v = await validate(req, p, reply, 303);
    if (!v) return reply;
    const user = await web.sessions.current(req);
    if (!user) return reply.redirect(loginUrl(qs, locale), 303);
    // The consent was shown to another account (switched in another tab): ask again.
    if (body.uid !== user.userId) return reply.redirect(`/oauth2/authorize?${qs}`, 303);
    const decision = body.decision;
    if (decision === 'allow') return finish(req, reply, v.app, v.request, user, 303);
    if (decision === 'deny') {
      await ctx.services.audit.record({
        type: 'oauth.deny',
        actor: user.userId,
        subject: user.userId,
        clientId: v.app.clientId,
        ip: req.ip,
      });
      return reply.redirect(
        buildRedirect(v.request.redirectUri, [
          ['error', XM.ACCESS_DENIED],
          ['error_description', 'access denied'],
          ['state', v.request.state],
        ]),
        303,
      );
    }
    throw new PageError(XM.INVALID_REQUEST);
  });
}
