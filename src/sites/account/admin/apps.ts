// Admin-only routes: apps of every developer (list, disable, enable), the audit log with filters
// and CSV export, system status.
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { isEmbedded } from '../../../config.ts';
import type { Context } from '../../../context.ts';
import { csvLine } from '../../../core/csv.ts';
import { typed } from '../../../http/typed.ts';
import type { AuditRow } from '../../../services/audit.ts';
import { OPAL_VERSION } from '../../../version.ts';
import { ApiError } from '../json-errors.ts';
import { actorOf } from './auth.ts';
import { AppOut, AuditEventOut, ClientIdParams } from './schemas.ts';

const AppsQuery = Type.Object({ developer: Type.Optional(Type.String({ pattern: '^[0-9]{1,20}$', description: 'developer id' })) });

const Time = Type.String({ maxLength: 40, description: 'epoch milliseconds or an ISO 8601 date/time' });
const AuditQuery = Type.Object({
  actor: Type.Optional(Type.String({ maxLength: 100 })),
  app: Type.Optional(Type.String({ maxLength: 20, description: 'clientId' })),
  subject: Type.Optional(Type.String({ maxLength: 100 })),
  kind: Type.Optional(Type.String({ maxLength: 100, description: 'event type, or a prefix ending in "." (e.g. "user.")' })),
  from: Type.Optional(Time),
  to: Type.Optional(Time),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'only events with a smaller id (paging)' })),
  limit: Type.Integer({ minimum: 1, maximum: 10000, default: 100 }),
});
type AuditQueryT = Static<typeof AuditQuery>;

function timeOf(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = /^\d{1,15}$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) throw new ApiError(400, 'invalid_request', `${name} must be epoch milliseconds or an ISO 8601 time`);
  return ms;
}

function parseDetail(s: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const eventOf = (r: AuditRow) => ({
  id: r.id,
  at: r.at,
  type: r.type,
  actor: r.actor,
  subject: r.subject,
  clientId: r.client_id,
  ip: r.ip,
  detail: parseDetail(r.detail),
});

const CSV_COLUMNS = ['id', 'time', 'type', 'actor', 'subject', 'clientId', 'ip', 'detail'];

const Status = Type.Object({
  version: Type.String(),
  node: Type.Object({ pid: Type.Integer(), uptimeSeconds: Type.Number(), sites: Type.Array(Type.String()) }),
  database: Type.Object({ dialect: Type.String(), embedded: Type.Boolean() }),
  cache: Type.Object({ kind: Type.String() }),
  blobs: Type.Object({ kind: Type.String() }),
  counts: Type.Object({
    users: Type.Integer(),
    developers: Type.Integer(),
    apps: Type.Integer(),
    grants: Type.Integer(),
    buckets: Type.Integer(),
    objects: Type.Integer(),
    auditEvents: Type.Integer(),
  }),
});

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

  const events = (q: AuditQueryT) =>
    audit.list({
      actor: q.actor,
      clientId: q.app,
      subject: q.subject,
      type: q.kind,
      from: timeOf('from', q.from),
      to: timeOf('to', q.to),
      beforeId: q.before,
      limit: q.limit,
    });

  app.get(
    '/audit',
    { schema: { querystring: AuditQuery, response: { 200: Type.Object({ events: Type.Array(AuditEventOut) }) } } },
    async (req) => ({ events: (await events(req.query)).map(eventOf) }),
  );

  app.get('/audit.csv', { schema: { querystring: AuditQuery } }, async (req, reply) => {
    const lines = [csvLine(CSV_COLUMNS)];
    for (const r of await events(req.query)) {
      lines.push(csvLine([r.id, new Date(r.at).toISOString(), r.type, r.actor, r.subject, r.client_id, r.ip, r.detail]));
    }
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="opal-audit.csv"')
      .send(lines.join(''));
  });

  app.get('/status', { schema: { response: { 200: Status } } }, async () => ({
    version: OPAL_VERSION,
    node: { pid: process.pid, uptimeSeconds: Math.round(process.uptime()), sites: ctx.config.sites },
    database: { dialect: ctx.db.dialect, embedded: isEmbedded(ctx.config) },
    cache: { kind: ctx.config.redisUrl ? 'redis' : 'memory' },
    blobs: { kind: ctx.config.blobUrl ? 's3' : 'filesystem' },
    counts: await ctx.services.stats.counts(),
  }));
}
