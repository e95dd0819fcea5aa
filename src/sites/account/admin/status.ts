// The system status the admin API (/status) and the admin console show: version, this node, the
// stores, the cache and blob backends, and row counts. Opal keeps no registry of its nodes, so a
// scale-out deployment's node list is not known here: each node reports itself (its /readyz and
// /metrics), and `nodes` says so.
import { Type } from '@sinclair/typebox';
import { isEmbedded } from '../../../config.ts';
import type { Context } from '../../../context.ts';
import { OPAL_VERSION } from '../../../version.ts';

export const Status = Type.Object({
  version: Type.String(),
  node: Type.Object({ pid: Type.Integer(), uptimeSeconds: Type.Number(), sites: Type.Array(Type.String()), nodeVersion: Type.String() }),
  nodes: Type.Object({ known: Type.Boolean(), note: Type.String() }),
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

export async function systemStatus(ctx: Context) {
  const scaleOut = Boolean(ctx.config.redisUrl);
  return {
    version: OPAL_VERSION,
    node: { pid: process.pid, uptimeSeconds: Math.round(process.uptime()), sites: ctx.config.sites, nodeVersion: process.version },
    nodes: {
      known: false,
      note: scaleOut
        ? 'Opal keeps no node registry: this is the node that answered; ask each node (/readyz, /metrics) behind the load balancer'
        : 'single node (no shared cache configured)',
    },
    database: { dialect: ctx.db.dialect, embedded: isEmbedded(ctx.config) },
    cache: { kind: ctx.config.redisUrl ? 'redis' : 'memory' },
    blobs: { kind: ctx.config.blobUrl ? 's3' : 'filesystem' },
    counts: await ctx.services.stats.counts(),
  };
}
