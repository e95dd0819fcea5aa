// What an app's console page reports: its usage counters (services/usage.ts) as readable rows, and
// the token endpoint's recent refusals from the audit log (oauth/token-refusals.ts).
import type { TFunction } from 'i18next';
import type { Context } from '../../../context.ts';
import { TOKEN_REFUSED } from '../oauth/token-refusals.ts';

export interface UsageLine {
  day: string;
  what: string;
  count: number;
}

export async function appUsage(ctx: Context, clientId: string, t: TFunction): Promise<UsageLine[]> {
  const rows = await ctx.services.usage.list(clientId, 30);
  return rows.map((r) => ({
    day: r.day,
    what: r.metric.startsWith('api:') ? r.metric.slice(4) : t(`console.metricName.${r.metric}`),
    count: r.count,
  }));
}

export interface Refusal {
  at: string;
  code: string;
  reason: string;
  ip: string;
}

export async function tokenRefusals(ctx: Context, clientId: string, limit = 20): Promise<Refusal[]> {
  const rows = await ctx.services.audit.list({ clientId, type: TOKEN_REFUSED, limit });
  return rows.map((r) => {
    let d: Record<string, unknown> = {};
    try {
      d = JSON.parse(r.detail) as Record<string, unknown>;
    } catch {
      // an unreadable detail shows as empty
    }
    return { at: new Date(r.at).toISOString(), code: String(d.code ?? ''), reason: String(d.reason ?? ''), ip: r.ip ?? '' };
  });
}
