// The developer console's app pages (/console…): the list with the create form, one app's page
// (settings, secret rotation shown once, FDS access key, usage, token-endpoint refusals), delete.
// Every POST checks the form's CSRF token and answers 303; the services are the ones the admin API
// and the CLI use (services/apps.ts, fds/keys.ts, audit.ts, usage.ts).
import { Type } from '@sinclair/typebox';
import type { Context } from '../../../context.ts';
import { FLAG_NAMES } from '../../../core/account/app-flags.ts';
import { HTML_PAGE, optionalString } from '../../../http/schemas.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import type { App } from '../../../services/apps.ts';
import { translator } from '../../../web/i18n.ts';
import { renderPage } from '../../../web/render.ts';
import { type AppForm, flagIsOn, KNOWN_SCOPES, readAppForm } from './app-form.ts';
import { appUsage, tokenRefusals } from './app-reports.ts';
import { developerOf, ownApp } from './developer-guard.ts';
import { actorOf, appPost, attempt, back, ClientIdParams, Form, type Guard, problemOf, requireCsrf } from './forms.ts';
import { keepToShow, readShown } from './shown-once.ts';

const ListQuery = Type.Object({
  error: optionalString('a console.problem key (set by the form post)'),
  value: optionalString(),
  name: optionalString(),
  redirectUris: optionalString(),
  deleted: optionalString(),
  _locale: optionalString(),
});
const AppQuery = Type.Object({
  shown: optionalString('id of the secrets shown once after a POST'),
  saved: optionalString(),
  error: optionalString(),
  value: optionalString(),
  _locale: optionalString(),
});

export async function consoleAppRoutes(app: TypedInstance, ctx: Context, guard: Guard) {
  const { apps, audit, fdsKeys, web } = ctx.services;
  const formView = (form: Partial<AppForm>) => ({
    name: form.name ?? '',
    redirectUris: (form.redirectUris ?? '').split(';').join('\n'),
    scopes: KNOWN_SCOPES.map((id) => ({ id, on: (form.scopes ?? [1]).includes(id) })),
    flags: FLAG_NAMES.map((f) => ({ name: f, on: flagIsOn(form.flags ?? {}, f) })),
  });
  app.get('/console', { preHandler: guard, schema: { querystring: ListQuery, response: { 200: HTML_PAGE } } }, async (req, reply) => {
    const { user, developer } = developerOf(req);
    const locale = web.locale(req);
    const q = req.query;
    const problem = problemOf(q);
    return renderPage(
      reply,
      'console-apps',
      {
        account: user.account,
        apps: await apps.list(developer.id),
        problem,
        deleted: q.deleted === '1',
        form: formView(problem ? { name: q.name, redirectUris: q.redirectUris } : {}),
        csrf: await web.csrf.issue(req, reply),
      },
      locale,
      { title: translator(locale)('console.title'), wide: true },
    );
  });

  app.post('/console/apps', { preHandler: guard, schema: { body: Form } }, async (req, reply) => {
    await requireCsrf(ctx, req, req.body);
    const { user, developer } = developerOf(req);
    const { form, problem } = readAppForm(req.body);
    let created: { app: App; clientSecret: string } | undefined;
    const failed =
      problem ??
      (await attempt(async () => {
        created = await apps.create({ ...form, developer: developer.name });
      }));
    if (failed || !created)
      return back(reply, '/console', {
        error: failed?.key ?? 'other',
        value: failed?.value,
        name: form.name,
        redirectUris: form.redirectUris,
      });
    await audit.record({ type: 'app.created', ...actorOf(req), clientId: created.app.clientId });
    const shown = await keepToShow(ctx.cache, user.userId, created.app.clientId, { clientSecret: created.clientSecret });
    return back(reply, `/console/apps/${created.app.clientId}`, { shown });
  });

  app.get(
    '/console/apps/:clientId',
    { preHandler: guard, schema: { params: ClientIdParams, querystring: AppQuery, response: { 200: HTML_PAGE } } },
    async (req, reply) => {
      const a = await ownApp(ctx, req, req.params.clientId);
      const locale = web.locale(req);
      const t = translator(locale);
      const key = await fdsKeys.forApp(a.clientId);
      return renderPage(
        reply,
        'console-app',
        {
          app: a,
          form: formView(a),
          shown: await readShown(ctx.cache, req.query.shown, developerOf(req).user.userId, a.clientId),
          saved: req.query.saved === '1',
          problem: problemOf(req.query),
          fdsKeyId: key?.accessKeyId,
          usage: await appUsage(ctx, a.clientId, t),
          refusals: await tokenRefusals(ctx, a.clientId),
          playgroundCallback: `${req.protocol}://${req.host}/playground/callback`,
          csrf: await web.csrf.issue(req, reply),
        },
        locale,
        { title: a.name, wide: true },
      );
    },
  );

  appPost(app, ctx, guard, '/console/apps/:clientId', async ({ req, reply, app: a, body }) => {
    const path = `/console/apps/${a.clientId}`;
    const { form, problem } = readAppForm(body);
    const failed =
      problem ??
      (await attempt(async () => {
        await apps.update(a.clientId, { name: form.name, redirectUris: form.redirectUris, flags: form.flags });
        await apps.setScopes(a.clientId, form.scopes);
      }));
    if (failed) return back(reply, path, { error: failed.key, value: failed.value });
    await audit.record({ type: 'app.updated', ...actorOf(req), clientId: a.clientId });
    return back(reply, path, { saved: '1' });
  });

  appPost(app, ctx, guard, '/console/apps/:clientId/rotate-secret', async ({ req, reply, app: a }) => {
    const clientSecret = await apps.rotateSecret(a.clientId);
    await audit.record({ type: 'app.secret_rotated', ...actorOf(req), clientId: a.clientId });
    const shown = await keepToShow(ctx.cache, developerOf(req).user.userId, a.clientId, { clientSecret });
    return back(reply, `/console/apps/${a.clientId}`, { shown });
  });

  appPost(app, ctx, guard, '/console/apps/:clientId/fds-key', async ({ req, reply, app: a }) => {
    const had = await fdsKeys.forApp(a.clientId);
    const k = had ? await fdsKeys.rotate(a.clientId) : await fdsKeys.ensure(a.clientId);
    await audit.record({ type: had ? 'app.fds_key_rotated' : 'app.fds_key_created', ...actorOf(req), clientId: a.clientId });
    const shown = await keepToShow(ctx.cache, developerOf(req).user.userId, a.clientId, {
      accessKeyId: k.accessKeyId,
      accessSecret: k.accessSecret,
    });
    return back(reply, `/console/apps/${a.clientId}`, { shown });
  });

  appPost(app, ctx, guard, '/console/apps/:clientId/fds-key/revoke', async ({ req, reply, app: a }) => {
    if (await fdsKeys.revoke(a.clientId)) await audit.record({ type: 'app.fds_key_revoked', ...actorOf(req), clientId: a.clientId });
    return back(reply, `/console/apps/${a.clientId}`);
  });

  appPost(app, ctx, guard, '/console/apps/:clientId/delete', async ({ req, reply, app: a, body }) => {
    if ((body.confirm ?? '').trim() !== a.name) return back(reply, `/console/apps/${a.clientId}`, { error: 'confirm' });
    await apps.delete(a.clientId);
    await audit.record({ type: 'app.deleted', ...actorOf(req), clientId: a.clientId });
    return back(reply, '/console', { deleted: '1' });
  });
}
