// Admin console: system status (/admin), developers and roles, the apps of every developer
// (disable, enable), and the audit log with filters, paging and a CSV download of the same filters.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import { ROLES } from '../../../core/account/roles.ts';
import { HTML_PAGE, optionalString } from '../../../http/schemas.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import type { AuditRow } from '../../../services/audit.ts';
import { translator } from '../../../web/i18n.ts';
import { AUDIT_CSV_HEADERS, AuditFilters, auditCsv, auditFilterOf } from '../admin/audit-query.ts';
import { systemStatus } from '../admin/status.ts';
import { actorOf, after, refusalOf, type Shown, show } from './kit.ts';

const AUDIT_PAGE = 50;
/** Events in one CSV download. */
export const AUDIT_CSV_MAX = 10_000;

const Lang = Type.Object({ _locale: optionalString() });
const AppsQuery = Type.Object({
  developer: Type.Optional(Type.String({ pattern: '^[0-9]{0,20}$', description: 'Only the apps of this developer id' })),
  done: optionalString('disabled or enabled after an action'),
  _locale: optionalString(),
});
const AppAction = Type.Object({
  clientId: Type.String({ pattern: '^[0-9]{1,20}$' }),
  action: Type.Union([Type.Literal('disable'), Type.Literal('enable')]),
});
const AppForm = Type.Object({
  csrf: optionalString('CSRF token'),
  developer: optionalString('The list filter to return to'),
  _locale: optionalString(),
});
const AuditPageQuery = Type.Object({ ...AuditFilters, _locale: optionalString() });

export async function adminOverviewRoutes(app: TypedInstance, ctx: Context): Promise<void> {
  const web = ctx.services.web;
  const { apps, admin, audit, stats } = ctx.services;

  app.get('/admin', { schema: { querystring: Lang, response: { 200: HTML_PAGE } } }, async (req, reply) =>
    show(web, req, reply, 'status', 'status', 'admin.status.title', { status: await systemStatus(ctx) }),
  );

  app.get('/admin/developers', { schema: { querystring: Lang, response: { 200: HTML_PAGE } } }, async (req, reply) => {
    const counts = await stats.roles();
    const appCount = new Map<string, number>();
    for (const a of await apps.list()) appCount.set(a.developerId, (appCount.get(a.developerId) ?? 0) + 1);
    const developers = (await apps.listDevelopers()).map((d) => ({ ...d, apps: appCount.get(d.id) ?? 0 }));
    return show(web, req, reply, 'developers', 'developers', 'admin.developers.title', {
      roles: ROLES.map((name) => ({ name, users: counts[name] ?? 0 })),
      developers,
    });
  });

  async function appsPage(req: FastifyRequest, reply: FastifyReply, developer: string, shown: Shown) {
    return show(
      web,
      req,
      reply,
      'apps',
      'apps',
      'admin.apps.title',
      {
        developer,
        developers: await apps.listDevelopers(),
        apps: await apps.list(developer || undefined),
      },
      shown,
    );
  }

  app.get('/admin/apps', { schema: { querystring: AppsQuery, response: { 200: HTML_PAGE } } }, async (req, reply) => {
    const t = translator(web.locale(req));
    const done = req.query.done === 'disabled' || req.query.done === 'enabled' ? t(`admin.flash.${req.query.done}`) : undefined;
    return appsPage(req, reply, req.query.developer ?? '', { notice: done });
  });

  app.post('/admin/apps/:clientId/:action', { schema: { params: AppAction, body: AppForm } }, async (req, reply) => {
    const locale = web.locale(req);
    const developer = /^[0-9]{1,20}$/.test(req.body.developer ?? '') ? (req.body.developer ?? '') : '';
    if (!(await web.csrf.verify(req, req.body.csrf)))
      return appsPage(req, reply, developer, { error: translator(locale)('admin.flash.csrf'), status: 403 });
    try {
      await admin.setAppDisabled(req.params.clientId, req.params.action === 'disable', actorOf(req));
    } catch (e) {
      const reason = refusalOf(e, locale);
      if (reason === undefined) throw e;
      return appsPage(req, reply, developer, { error: reason, status: 400 });
    }
    const back = developer ? `/admin/apps?developer=${developer}` : '/admin/apps';
    return reply.redirect(after(back, req.params.action === 'disable' ? 'disabled' : 'enabled', locale), 303);
  });

  app.get('/admin/audit', { schema: { querystring: AuditPageQuery, response: { 200: HTML_PAGE } } }, async (req, reply) => {
    const q = req.query;
    const form = {
      actor: q.actor ?? '',
      app: q.app ?? '',
      subject: q.subject ?? '',
      kind: q.kind ?? '',
      from: q.from ?? '',
      to: q.to ?? '',
    };
    const filterQuery = new URLSearchParams(Object.entries(form).filter(([, v]) => v.trim() !== '')).toString();
    let events: AuditRow[] = [];
    let error: string | undefined;
    try {
      events = await audit.list(auditFilterOf({ ...q, limit: AUDIT_PAGE + 1 }));
    } catch (e) {
      error = refusalOf(e, web.locale(req));
      if (error === undefined) throw e;
    }
    const last = events[AUDIT_PAGE - 1];
    return show(
      web,
      req,
      reply,
      'audit',
      'audit',
      'admin.audit.title',
      {
        form,
        events: events.slice(0, AUDIT_PAGE),
        csvHref: `/admin/audit.csv${filterQuery ? `?${filterQuery}` : ''}`,
        csvMax: AUDIT_CSV_MAX,
        older: events.length > AUDIT_PAGE && last ? `/admin/audit?${filterQuery}${filterQuery ? '&' : ''}before=${last.id}` : undefined,
        newest: q.before !== undefined ? `/admin/audit${filterQuery ? `?${filterQuery}` : ''}` : undefined,
      },
      error ? { error, status: 400 } : {},
    );
  });

  app.get('/admin/audit.csv', { schema: { querystring: AuditPageQuery } }, async (req, reply) => {
    let rows: AuditRow[];
    try {
      rows = await audit.list(auditFilterOf({ ...req.query, limit: AUDIT_CSV_MAX }));
    } catch (e) {
      const reason = refusalOf(e, web.locale(req));
      if (reason === undefined) throw e;
      return reply.code(400).type('text/plain; charset=utf-8').send(reason);
    }
    return reply.headers(AUDIT_CSV_HEADERS).send(auditCsv(rows));
  });
}
