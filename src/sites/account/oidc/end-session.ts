// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): GET (or a form POST without our
// CSRF token) validates the request and asks the signed-in user to confirm; the confirmation form
// (CSRF-bound) ends the session and sends the browser to the registered post_logout_redirect_uri
// with the state. A GET never signs anyone out. Unregistered URIs are refused on an error page.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import { isNumericId } from '../../../core/account/numeric-id.ts';
import { isRegisteredLogoutUri, logoutRedirect } from '../../../core/oidc/logout.ts';
import { HTML_PAGE, optionalString } from '../../../http/schemas.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import { PageError } from '../../../web/error-page.ts';
import { translator } from '../../../web/i18n.ts';
import { renderPage } from '../../../web/web-kit.ts';

const EndSessionParams = Type.Object({
  id_token_hint: optionalString('An id_token this server issued to the client (may be expired)'),
  client_id: optionalString(),
  post_logout_redirect_uri: optionalString('Registered with `opal oidc client --post-logout-uri`'),
  state: optionalString('Echoed to post_logout_redirect_uri'),
  ui_locales: optionalString(),
  csrf: optionalString('The confirmation form'),
  _locale: optionalString(),
});
type P = typeof EndSessionParams.static;

interface Target {
  clientId: string | undefined;
  appName: string | undefined;
  redirect: string | undefined;
  state: string | undefined;
}

export async function endSessionRoutes(app: TypedInstance, ctx: Context): Promise<void> {
  const web = ctx.services.web;
  const oidc = ctx.services.oidc;

  /** The validated target of a request; throws the error page for a bad hint, client or URI. */
  async function target(p: P): Promise<Target> {
    let clientId = p.client_id || undefined;
    if (p.id_token_hint) {
      const hint = await oidc.readIdTokenHint(p.id_token_hint);
      if (!hint) throw new PageError(96002, { messageKey: 'errors.logoutRequest' });
      if (clientId !== undefined && clientId !== hint.clientId) throw new PageError(96002, { messageKey: 'errors.logoutRequest' });
      clientId = hint.clientId;
    }
    const appRow = clientId !== undefined && isNumericId(clientId) ? await ctx.services.apps.get(clientId) : undefined;
    if (clientId !== undefined && !appRow) throw new PageError(96001);
    const redirect = p.post_logout_redirect_uri || undefined;
    if (redirect !== undefined) {
      if (!appRow) throw new PageError(96002, { messageKey: 'errors.logoutRequest' });
      const { postLogoutUris } = await oidc.client(appRow.clientId);
      if (!isRegisteredLogoutUri(redirect, postLogoutUris)) throw new PageError(96010, { messageKey: 'errors.logoutUri' });
    }
    return { clientId: appRow?.clientId, appName: appRow?.name, redirect, state: p.state };
  }

  const done = (reply: FastifyReply, t: Target, status: 302 | 303) =>
    reply.redirect(t.redirect !== undefined ? logoutRedirect(t.redirect, t.state) : '/logout', status);

  async function ask(req: FastifyRequest, reply: FastifyReply, p: P) {
    const t = await target(p);
    const user = await web.sessions.current(req);
    // Nobody is signed in here: nothing to end, go back to the relying party.
    if (!user) return done(reply, t, 302);
    const locale = web.locale(req);
    return renderPage(
      reply,
      'end-session',
      {
        appName: t.appName ?? ctx.config.publicUrl,
        account: user.account,
        csrf: await web.csrf.issue(req, reply),
        clientId: t.clientId ?? '',
        redirect: t.redirect ?? '',
        state: t.state ?? '',
      },
      locale,
      { title: translator(locale)('logout.title') },
    );
  }

  const schema = { querystring: EndSessionParams, response: { 200: HTML_PAGE } };
  app.get('/oauth2/end_session', { schema }, async (req, reply) => ask(req, reply, req.query));

  // RP-Initiated Logout §2: the relying party may POST the request from its own site, so the pages'
  // origin check is left to this handler (config.crossSite): without our CSRF token the post is
  // only a request to confirm; the confirmation itself must come from this origin.
  const post = { schema: { body: EndSessionParams, response: { 200: HTML_PAGE } }, config: { crossSite: true } };
  app.post('/oauth2/end_session', post, async (req, reply) => {
    const p = req.body;
    if (p.csrf === undefined) return ask(req, reply, p);
    if (!web.sameOrigin.allows(req)) throw new PageError(0, { messageKey: 'errors.crossOrigin', status: 403 });
    if (!(await web.csrf.verify(req, p.csrf))) throw new PageError(0, { messageKey: 'errors.csrf', status: 403 });
    const t = await target(p);
    const user = await web.sessions.current(req);
    await web.sessions.logout(reply);
    if (user)
      await ctx.services.audit.record({ type: 'logout', actor: user.userId, subject: user.userId, clientId: t.clientId, ip: req.ip });
    return done(reply, t, 303);
  });
}
