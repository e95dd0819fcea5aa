// The OpenID Connect branch of GET /oauth2/authorize and of the consent decision: requests whose
// scope holds `openid` (OIDC Core §3.1.2). Errors use the RFC names (`login_required`,
// `invalid_scope`…), never the Xiaomi integers; prompt, max_age and login_hint are honoured;
// codes carry the sign-in time and the nonce for the id_token. Xiaomi requests never come here.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import type { Params } from '../../../core/account/authorize-request.ts';
import { buildRedirect } from '../../../core/account/redirect-uri.ts';
import { covers } from '../../../core/account/scope.ts';
import type { OidcSession } from '../../../core/oidc/claims.ts';
import { checkOidcAuthorize, type OidcParams, tooOld } from '../../../core/oidc/request.ts';
import type { App } from '../../../services/apps.ts';
import type { User } from '../../../services/users.ts';
import { PageError } from '../../../web/error-page.ts';
import type { Locale } from '../../../web/locale.ts';
import { loginUrl, renderConsent } from '../oauth/authorize.ts';

/** A sign-in required by prompt=login or max_age: the session must have started after this (ms). */
const AUTH_AFTER = '_auth_after';

type Status = 302 | 303;
type Checked = { app: App; request: Extract<ReturnType<typeof checkOidcAuthorize>, { kind: 'ok' }> };

export class OidcAuthorize {
  constructor(private readonly ctx: Context) {}

  private async check(p: Params, reply: FastifyReply, status: Status): Promise<Checked | undefined> {
    const id = p.client_id;
    const client = id && /^\d{1,20}$/.test(id) ? await this.ctx.services.apps.get(id) : undefined;
    const c = checkOidcAuthorize(p, client, { skipConfirmDefault: this.ctx.config.skipConfirmDefault });
    if (c.kind === 'page') throw new PageError(c.code);
    if (c.kind === 'redirect') {
      const params: Array<[string, string | undefined]> = [
        ['error', c.error],
        ['error_description', c.description],
        ['state', c.state],
      ];
      reply.redirect(buildRedirect(c.redirectUri, params, c.fragment ? 'fragment' : 'query'), status);
      return undefined;
    }
    return client ? { app: client, request: c } : undefined;
  }

  private fail(reply: FastifyReply, c: Checked, error: string, description: string, status: Status) {
    const mode = c.request.oidc.responseType === 'code' ? 'query' : 'fragment';
    const params: Array<[string, string | undefined]> = [
      ['error', error],
      ['error_description', description],
      ['state', c.request.base.state],
    ];
    return reply.redirect(buildRedirect(c.request.base.redirectUri, params, mode), status);
  }

  /** GET /oauth2/authorize for an OIDC request. */
  async start(req: FastifyRequest, reply: FastifyReply, qs: string, p: Params, locale: Locale) {
    const c = await this.check(p, reply, 302);
    if (!c) return reply;
    const o = c.request.oidc;
    const session = await this.ctx.services.web.sessions.session(req);
    const now = Date.now();
    const authAfter = Number(p[AUTH_AFTER] ?? 0);
    const stale =
      !session ||
      o.prompt.has('login') ||
      o.prompt.has('select_account') ||
      tooOld(Math.floor(session.signedInAt / 1000), o.maxAge, Math.floor(now / 1000)) ||
      (Number.isFinite(authAfter) && session.signedInAt < authAfter);
    if (stale) {
      if (o.prompt.has('none')) return this.fail(reply, c, 'login_required', 'the user is not signed in (or not recently enough)', 302);
      return reply.redirect(loginUrl(freshLoginQuery(qs, now), locale, loginExtra(o, session !== undefined)), 302);
    }
    const grant = await this.ctx.services.oauth.getGrant(session.user.userId, c.app.clientId);
    const covered = grant !== undefined && covers(grant.scopes, c.request.base.scopes);
    if (covered && !o.prompt.has('consent')) return this.finish(req, reply, c, session, 302);
    if (o.prompt.has('none')) return this.fail(reply, c, 'consent_required', 'the user has not approved this app', 302);
    return renderConsent(this.ctx, req, reply, {
      app: c.app,
      scopes: c.request.base.scopes,
      user: session.user,
      request: qs,
      locale,
      identity: true,
    });
  }

  /** The consent decision of an OIDC request (CSRF already checked). */
  async decide(
    req: FastifyRequest,
    reply: FastifyReply,
    qs: string,
    p: Params,
    uid: string | undefined,
    decision: string | undefined,
    locale: Locale,
  ) {
    const c = await this.check(p, reply, 303);
    if (!c) return reply;
    const session = await this.ctx.services.web.sessions.session(req);
    if (!session) return reply.redirect(loginUrl(qs, locale), 303);
    if (uid !== session.user.userId) return reply.redirect(`/oauth2/authorize?${qs}`, 303);
    if (decision === 'allow') return this.finish(req, reply, c, session, 303);
    if (decision === 'deny') {
      await this.ctx.services.audit.record({
        type: 'oauth.deny',
        actor: session.user.userId,
        subject: session.user.userId,
        clientId: c.app.clientId,
        ip: req.ip,
      });
      return this.fail(reply, c, 'access_denied', 'the user denied the request', 303);
    }
    throw new PageError(96002);
  }

  private async finish(
    req: FastifyRequest,
    reply: FastifyReply,
    c: Checked,
    session: { user: User; signedInAt: number; amr: string[] },
    status: Status,
  ) {
    const r = c.request.base;
    const oidc: OidcSession = {
      authTime: Math.floor(session.signedInAt / 1000),
      amr: session.amr,
      ...(c.request.oidc.nonce !== undefined ? { nonce: c.request.oidc.nonce } : {}),
    };
    const code = await this.ctx.services.oauth.issueCode({
      clientId: c.app.clientId,
      userId: session.user.userId,
      scopes: r.scopes,
      redirectUri: r.redirectUri,
      bindRedirectHost: true,
      codeChallenge: r.codeChallenge,
      ip: req.ip,
      oidc,
    });
    if (c.request.oidc.responseType === 'code') {
      return reply.redirect(
        buildRedirect(r.redirectUri, [
          ['code', code],
          ['state', r.state],
        ]),
        status,
      );
    }
    // Hybrid `code id_token` (OIDC Core §3.3): the id_token binds the code with c_hash.
    const unionId = this.ctx.services.oauth.unionIdOf(c.app.developerId, session.user.userId);
    const idToken = await this.ctx.services.oidc.idToken({ unionId, oidc }, c.app.clientId, { code, state: r.state, withNonce: true });
    return reply.redirect(
      buildRedirect(
        r.redirectUri,
        [
          ['code', code],
          ['id_token', idToken],
          ['state', r.state],
        ],
        'fragment',
      ),
      status,
    );
  }
}

/** The authorize query to come back to after a required sign-in: prompt=login and max_age become a bound on the sign-in time. */
function freshLoginQuery(qs: string, now: number): string {
  const q = new URLSearchParams(qs);
  const prompt = (q.get('prompt') ?? '')
    .split(' ')
    .filter((v) => v && v !== 'login' && v !== 'select_account')
    .join(' ');
  if (prompt) q.set('prompt', prompt);
  else q.delete('prompt');
  q.delete('max_age');
  q.set(AUTH_AFTER, String(now));
  return q.toString();
}

function loginExtra(o: OidcParams, signedIn: boolean): string {
  return (signedIn ? '&switch=1' : '') + (o.loginHint ? `&login_hint=${encodeURIComponent(o.loginHint)}` : '');
}
