// The OAuth playground (/playground…, developers): pick one of your apps, scopes, response type,
// PKCE and skip_confirm, and start a real authorize request whose redirect_uri is Opal's own
// /playground/callback. The callback shows the code (or the error); "exchange" asks /oauth2/token
// over HTTP (self-client.ts; its failures spend the developer's token-failure budget), shows the
// raw `&&&START&&&` answer and the token fields, then calls each open API with a MAC-signed
// request, showing the canonical string, the signature and the answer. Runs live in the shared cache (runs.ts). Every POST checks CSRF and answers 303.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import { s256 } from '../../../core/account/pkce.ts';
import { matchRedirectUri } from '../../../core/account/redirect-uri.ts';
import { HTML_PAGE, optionalString } from '../../../http/schemas.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import { newCredential } from '../../../lib/random.ts';
import type { App } from '../../../services/apps.ts';
import { PageError } from '../../../web/error-page.ts';
import { translator } from '../../../web/i18n.ts';
import { renderPage } from '../../../web/render.ts';
import { KNOWN_SCOPES } from '../console/app-form.ts';
import { developerOf, ownApp } from '../console/developer-guard.ts';
import { Form, type Guard, requireCsrf } from '../console/forms.ts';
import { playgroundPass } from '../oauth/playground-budget.ts';
import { loadRun, type Run, saveRun } from './runs.ts';
import { callOpenApis, exchangeCode, selfBase } from './self-client.ts';

const StartQuery = Type.Object({ app: optionalString('client id to preselect'), _locale: optionalString() });
const CallbackQuery = Type.Object({
  code: optionalString(),
  state: optionalString(),
  error: optionalString(),
  error_description: optionalString(),
  client_id: optionalString('set in the redirect URI by links that start without the playground form (the first-start banner)'),
  _locale: optionalString(),
});
const RunParams = Type.Object({ run: Type.String({ pattern: '^[A-Za-z0-9_-]{32,64}$' }) });

export const CALLBACK_PATH = '/playground/callback';

export async function playgroundRoutes(app: TypedInstance, ctx: Context, guard: Guard) {
  const { apps, web } = ctx.services;
  const callbackOf = (req: FastifyRequest) => `${req.protocol}://${req.host}${CALLBACK_PATH}`;
  const unknownRun = () => new PageError(0, { messageKey: 'playground.unknownRun', status: 404 });
  const page = (req: FastifyRequest, reply: FastifyReply, name: string, data: Record<string, unknown>) => {
    const locale = web.locale(req);
    return renderPage(reply, name, data, locale, { title: translator(locale)('playground.title'), wide: true });
  };

  app.get('/playground', { preHandler: guard, schema: { querystring: StartQuery, response: { 200: HTML_PAGE } } }, async (req, reply) => {
    const callback = callbackOf(req);
    const mine = (await apps.list(developerOf(req).developer.id)).filter((a) => !a.disabled);
    return page(req, reply, 'playground', {
      apps: mine.map((a) => ({
        clientId: a.clientId,
        name: a.name,
        selected: a.clientId === req.query.app,
        registered: matchRedirectUri(callback, a.redirectUris, { exact: a.flags.exactRedirect === true }),
      })),
      scopes: KNOWN_SCOPES,
      callback,
      csrf: await web.csrf.issue(req, reply),
    });
  });

  app.post('/playground/start', { preHandler: guard, schema: { body: Form } }, async (req, reply) => {
    await requireCsrf(ctx, req, req.body);
    const b = req.body;
    const a = await ownApp(ctx, req, b.app ?? '');
    const id = newCredential(32);
    const responseType = b.response_type === 'token' ? 'token' : 'code';
    const redirectUri = callbackOf(req);
    const run: Run = { userId: developerOf(req).user.userId, clientId: a.clientId, redirectUri, responseType };
    const q = new URLSearchParams({ client_id: a.clientId, response_type: responseType, redirect_uri: redirectUri });
    const scopes = KNOWN_SCOPES.filter((s) => b[`scope_${s}`] === 'on');
    q.set('scope', (scopes.length ? scopes : a.scopes).join(' '));
    q.set('state', id);
    if (b.skip_confirm === 'on') q.set('skip_confirm', 'true');
    if (b.pkce === 'S256' || b.pkce === 'plain') {
      run.verifier = newCredential(32);
      q.set('code_challenge', b.pkce === 'S256' ? s256(run.verifier) : run.verifier);
      q.set('code_challenge_method', b.pkce);
    }
    await saveRun(ctx.cache, id, run);
    return reply.redirect(`/oauth2/authorize?${q.toString().replace(/\+/g, '%20')}`, 303);
  });

  /** The run of a callback: started from the form (state), or from a link naming client_id. */
  async function runOf(
    req: FastifyRequest,
    state: string | undefined,
    clientId: string | undefined,
  ): Promise<{ id: string; run: Run; app: App }> {
    const userId = developerOf(req).user.userId;
    const saved = await loadRun(ctx.cache, state, userId);
    if (saved && state) return { id: state, run: saved, app: await ownApp(ctx, req, saved.clientId) };
    if (!clientId) throw unknownRun();
    const a = await ownApp(ctx, req, clientId);
    const run: Run = { userId, clientId: a.clientId, redirectUri: `${callbackOf(req)}?client_id=${a.clientId}`, responseType: 'code' };
    const id = newCredential(32);
    await saveRun(ctx.cache, id, run);
    return { id, run, app: a };
  }

  app.get(
    CALLBACK_PATH,
    { preHandler: guard, schema: { querystring: CallbackQuery, response: { 200: HTML_PAGE } } },
    async (req, reply) => {
      const q = req.query;
      const saved = await loadRun(ctx.cache, q.state, developerOf(req).user.userId);
      const a = saved ? await ownApp(ctx, req, saved.clientId) : q.client_id ? await ownApp(ctx, req, q.client_id) : undefined;
      return page(req, reply, 'playground-callback', {
        app: a,
        code: q.code,
        state: saved ? q.state : undefined,
        clientId: saved ? undefined : a?.clientId,
        error: q.error,
        errorDescription: q.error_description,
        isPublic: a?.flags.public === true,
        csrf: await web.csrf.issue(req, reply),
      });
    },
  );

  app.post('/playground/exchange', { preHandler: guard, schema: { body: Form } }, async (req, reply) => {
    await requireCsrf(ctx, req, req.body);
    const b = req.body;
    if (!b.code || b.code.length > 512) throw new PageError(0, { messageKey: 'playground.unknownRun', status: 400 });
    // A link-started run (no state) is made here, so no GET stores anything.
    const { id, run, app: a } = await runOf(req, b.state || undefined, b.client_id || undefined);
    const secret = a.flags.public === true ? undefined : (await apps.withSigningSecret(a.clientId))?.secret;
    const base = selfBase(req);
    const exchange = await exchangeCode({
      base,
      method: b.method === 'POST' ? 'POST' : 'GET',
      clientId: a.clientId,
      clientSecret: secret,
      code: b.code,
      redirectUri: run.redirectUri,
      verifier: run.verifier,
      pass: playgroundPass(ctx.serverSecret, run.userId),
    });
    if (exchange.accessToken) exchange.calls = await callOpenApis(base, a.clientId, exchange.accessToken, exchange.macKey);
    await saveRun(ctx.cache, id, { ...run, exchange });
    return reply.redirect(`/playground/runs/${id}`, 303);
  });

  app.get(
    '/playground/runs/:run',
    { preHandler: guard, schema: { params: RunParams, response: { 200: HTML_PAGE } } },
    async (req, reply) => {
      const run = await loadRun(ctx.cache, req.params.run, developerOf(req).user.userId);
      if (!run?.exchange) throw unknownRun();
      const a = await ownApp(ctx, req, run.clientId);
      return page(req, reply, 'playground-run', { app: a, id: req.params.run, x: run.exchange, csrf: await web.csrf.issue(req, reply) });
    },
  );

  app.post('/playground/runs/:run/call', { preHandler: guard, schema: { params: RunParams, body: Form } }, async (req, reply) => {
    await requireCsrf(ctx, req, req.body);
    const run = await loadRun(ctx.cache, req.params.run, developerOf(req).user.userId);
    if (!run?.exchange?.accessToken) throw unknownRun();
    await ownApp(ctx, req, run.clientId);
    const calls = await callOpenApis(selfBase(req), run.clientId, run.exchange.accessToken, run.exchange.macKey);
    await saveRun(ctx.cache, req.params.run, { ...run, exchange: { ...run.exchange, calls } });
    return reply.redirect(`/playground/runs/${req.params.run}`, 303);
  });
}
