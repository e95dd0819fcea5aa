// The console's per-app pages beyond settings: storage-token bindings (which provider apps' tokens
// may be exchanged for this FDS app's storage tokens; services/storage-tokens) and the passbook
// (pass plans: create; passes: issue, revoke; services/passbook.ts). The same services and audit
// events as the CLI (`opal fds token bind|unbind`, `opal pass …`) and the pass-issuing API.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import { APP_ID_RE, providerByName } from '../../../core/fds/oauth-providers/index.ts';
import { PROVIDERS } from '../../../core/fds/oauth-providers/types.ts';
import { HTML_PAGE, optionalString } from '../../../http/schemas.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import type { App } from '../../../services/apps.ts';
import { translator } from '../../../web/i18n.ts';
import { renderPage } from '../../../web/render.ts';
import type { Problem } from './app-form.ts';
import { ownApp } from './developer-guard.ts';
import { actorOf, appPost, attempt, back, ClientIdParams, type Guard, problemOf } from './forms.ts';

const PageQuery = Type.Object({ error: optionalString(), value: optionalString(), done: optionalString(), _locale: optionalString() });

/** `YYYY-MM-DD` (a date input) as epoch ms at 00:00 UTC; undefined when empty or unreadable. */
function dayMs(v: string | undefined): number | undefined {
  if (!v || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return undefined;
  const ms = Date.parse(`${v}T00:00:00Z`);
  return Number.isFinite(ms) ? ms : undefined;
}
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export async function consoleExtraRoutes(app: TypedInstance, ctx: Context, guard: Guard) {
  const { storageTokens, passbook, audit, web } = ctx.services;
  const pageOf = async (req: FastifyRequest, reply: FastifyReply, name: string, title: string, data: Record<string, unknown>) => {
    const locale = web.locale(req);
    return renderPage(reply, name, { ...data, csrf: await web.csrf.issue(req, reply) }, locale, {
      title: translator(locale)(title),
      wide: true,
    });
  };

  app.get(
    '/console/apps/:clientId/bindings',
    { preHandler: guard, schema: { params: ClientIdParams, querystring: PageQuery, response: { 200: HTML_PAGE } } },
    async (req, reply) => {
      const a = await ownApp(ctx, req, req.params.clientId);
      const bindings = (await storageTokens.listBindings(a.clientId)).map((b) => ({
        provider: b.provider,
        oauthAppId: b.oauth_app_id,
        createdAt: day(b.created_at),
      }));
      return pageOf(req, reply, 'console-bindings', 'console.bindings.title', {
        app: a,
        bindings,
        providers: PROVIDERS,
        problem: problemOf(req.query),
      });
    },
  );

  appPost(app, ctx, guard, '/console/apps/:clientId/bindings', async ({ req, reply, app: a, body }) => {
    const path = `/console/apps/${a.clientId}/bindings`;
    const provider = providerByName(body.provider ?? '');
    const oauthAppId = (body.oauthAppId ?? '').trim();
    if (!provider || !APP_ID_RE.test(oauthAppId)) return back(reply, path, { error: 'other', value: 'provider / oauthAppId' });
    const remove = body.action === 'remove';
    const changed = remove
      ? await storageTokens.unbind(a.clientId, provider, oauthAppId)
      : await storageTokens.bind(a.clientId, provider, oauthAppId);
    if (changed) {
      const type = remove ? 'fds.oauth_binding.removed' : 'fds.oauth_binding.added';
      await audit.record({ type, ...actorOf(req), clientId: a.clientId, detail: { provider, oauthAppId } });
    }
    return back(reply, path);
  });

  app.get(
    '/console/apps/:clientId/passes',
    { preHandler: guard, schema: { params: ClientIdParams, querystring: PageQuery, response: { 200: HTML_PAGE } } },
    async (req, reply) => {
      const a = await ownApp(ctx, req, req.params.clientId);
      const plans = (await passbook.plans(a.clientId)).map((p) => ({ ...p, start: day(p.validStartDate), end: day(p.validEndDate) }));
      const passes = (await passbook.passes({ clientId: a.clientId, includeRevoked: true })).map((p) => ({
        ...p,
        issued: day(p.createdAt),
      }));
      return pageOf(req, reply, 'console-passes', 'console.passes.title', { app: a, plans, passes, problem: problemOf(req.query) });
    },
  );

  const passesPage = (reply: FastifyReply, a: App, failed: Problem | undefined) =>
    back(reply, `/console/apps/${a.clientId}/passes`, failed ? { error: failed.key, value: failed.value } : {});

  appPost(app, ctx, guard, '/console/apps/:clientId/passes/plans', async ({ reply, app: a, body: b }) => {
    const failed = await attempt(async () => {
      await passbook.createPlan({
        clientId: a.clientId,
        title: b.title ?? '',
        description: b.description || undefined,
        logoUrl: b.logoUrl || undefined,
        validStartDate: dayMs(b.validStart),
        validEndDate: dayMs(b.validEnd),
      });
    });
    return passesPage(reply, a, failed);
  });

  appPost(app, ctx, guard, '/console/apps/:clientId/passes', async ({ reply, app: a, body: b }) => {
    const failed = await attempt(async () => {
      if (b.action === 'revoke') await passbook.revoke(b.passId ?? '', a.clientId);
      else
        await passbook.issue({
          clientId: a.clientId,
          planId: b.planId ?? '',
          user: b.user || undefined,
          imei: b.imei || undefined,
          passCode: b.passCode || undefined,
        });
    });
    return passesPage(reply, a, failed);
  });
}
