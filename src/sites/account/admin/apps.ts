// Admin-only routes: apps of every developer (list, disable, enable), the audit log with filters
// and CSV export, system status.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../../context.ts';
import { typed } from '../../../http/typed.ts';
import { AUDIT_CSV_HEADERS, AuditQuery, type AuditQueryT, auditCsv, auditEventOf, auditFilterOf } from './audit-query.ts';
import { actorOf } from './auth.ts';
import { AppOut, AuditEventOut, ClientIdParams } from './schemas.ts';
import { Status, systemStatus } from './status.ts';

const AppsQuery = Type.Object({ developer: Type.Optional(Type.String({ pattern: '^[0-9]{1,20}$', description: 'developer id' })) });

export async function adminAppRoutes(scope: FastifyInstance, ctx: Context): Promise<void> {
  const app = typed(scope);
  const { apps, admin, audit } = ctx.services;

  app.get('/apps', { schema: { querystring: AppsQuery, response: { 200: Type.Object({ apps: Type.Array(AppOut) }) } } }, async (req) => ({
    apps: await apps.list(req.query.developer),
  }));

  app.post('/apps/:clientId/disable', { schema: { params: ClientIdParams, response: { 200: AppOut } } }, async (req) =>
    admin.setAppDisabled(req.params.clientId, true, actorOf(req)),
  );

  app.post('/apps/:clientId/enable', { schema: { params: ClientIdParams, response: { 200: AppOut } } }, async (req) =>
    admin.setAppDisabled(req.params.clientId, false, actorOf(req)),
  );

  const events = (q: AuditQueryT) => audit.list(auditFilterOf(q));

  app.get(
    '/audit',
    { schema: { querystring: AuditQuery, response: { 200: Type.Object({ events: Type.Array(AuditEventOut) }) } } },
    async (req) => ({ events: (await events(req.query)).map(auditEventOf) }),
  );

  app.get('/audit.csv', { schema: { querystring: AuditQuery } }, async (req, reply) =>
    reply.headers(AUDIT_CSV_HEADERS).send(auditCsv(await events(req.query))),
  );

  app.get('/status', { schema: { response: { 200: Status } } }, async () => systemStatus(ctx));
}
