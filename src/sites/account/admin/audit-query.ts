// The audit log as the admin API and the admin console read it: one query shape (actor, app,
// subject, kind, time range, paging), one event shape, one CSV (spreadsheet-safe, core/csv.ts).
import { type Static, Type } from '@sinclair/typebox';
import { csvLine } from '../../../core/csv.ts';
import { InvalidInputError } from '../../../lib/errors.ts';
import type { AuditFilter, AuditRow } from '../../../services/audit.ts';

const Time = Type.String({ maxLength: 40, description: 'epoch milliseconds or an ISO 8601 date/time' });

/** The filters of an audit query (admin API query string; the console form has the same names). */
export const AuditFilters = {
  actor: Type.Optional(Type.String({ maxLength: 100 })),
  app: Type.Optional(Type.String({ maxLength: 20, description: 'clientId' })),
  subject: Type.Optional(Type.String({ maxLength: 100 })),
  kind: Type.Optional(Type.String({ maxLength: 100, description: 'event type, or a prefix ending in "." (e.g. "user.")' })),
  from: Type.Optional(Time),
  to: Type.Optional(Time),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'only events with a smaller id (paging)' })),
};

export const AuditQuery = Type.Object({ ...AuditFilters, limit: Type.Integer({ minimum: 1, maximum: 10000, default: 100 }) });
export type AuditQueryT = Static<typeof AuditQuery>;

/** A date and time without a zone (as a datetime form field sends it): read as UTC, not server time. */
const NO_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

function timeOf(name: string, v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const t = v.trim();
  const ms = /^\d{1,15}$/.test(t) ? Number(t) : Date.parse(NO_ZONE.test(t) ? `${t}Z` : t);
  if (!Number.isFinite(ms)) throw new InvalidInputError(`${name} must be epoch milliseconds or an ISO 8601 time`);
  return ms;
}

const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** The repository filter of a query; InvalidInputError for a time that is not one. */
export function auditFilterOf(q: Omit<AuditQueryT, 'limit'> & { limit?: number | undefined }): AuditFilter {
  return {
    actor: blank(q.actor),
    clientId: blank(q.app),
    subject: blank(q.subject),
    type: blank(q.kind),
    from: timeOf('from', q.from),
    to: timeOf('to', q.to),
    beforeId: q.before,
    limit: q.limit,
  };
}

function parseDetail(s: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export const auditEventOf = (r: AuditRow) => ({
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

/** The events as CSV: a header line, then one line per event (time in ISO 8601 UTC). */
export function auditCsv(rows: readonly AuditRow[]): string {
  const lines = [csvLine(CSV_COLUMNS)];
  for (const r of rows) lines.push(csvLine([r.id, new Date(r.at).toISOString(), r.type, r.actor, r.subject, r.client_id, r.ip, r.detail]));
  return lines.join('');
}

/** The CSV download's headers. */
export const AUDIT_CSV_HEADERS = {
  'content-type': 'text/csv; charset=utf-8',
  'content-disposition': 'attachment; filename="opal-audit.csv"',
} as const;
