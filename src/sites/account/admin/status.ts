// The system status the admin API (/status) and the admin console show: version, this node, the
// live nodes of the node registry (services/node-registry.ts: every serving node, in scale-out mode
// too), the stores, the cache and blob backends, and row counts.
import { Type } from '@sinclair/typebox';
import { isEmbedded } from '../../../config.ts';
import type { Context } from '../../../context.ts';
import { MAX_LISTED } from '../../../services/node-registry.ts';
import { OPAL_VERSION } from '../../../version.ts';

export const Status = Type.Object({
  version: Type.String(),
  node: Type.Object({ pid: Type.Integer(), uptimeSeconds: Type.Number(), sites: Type.Array(Type.String()), nodeVersion: Type.String() }),
  nodes: Type.Object({
    known: Type.Boolean({ description: 'Always true: the list comes from the node registry' }),
    note: Type.String(),
    registry: Type.Union([Type.Literal('redis'), Type.Literal('database')]),
    ttlSeconds: Type.Number({ description: 'A node that misses its heartbeats for this long is no longer listed' }),
    list: Type.Array(
      Type.Object({
        nodeId: Type.String(),
        version: Type.String(),
        host: Type.String(),
        pid: Type.Integer(),
        urls: Type.Record(Type.String(), Type.String()),
        startedAt: Type.Number(),
        lastSeenAt: Type.Number(),
        self: Type.Boolean({ description: 'The node that answered' }),
      }),
      { maxItems: MAX_LISTED },
    ),
  }),
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
  const nodes = ctx.services.nodes;
  return {
    version: OPAL_VERSION,
    node: { pid: process.pid, uptimeSeconds: Math.round(process.uptime()), sites: ctx.config.sites, nodeVersion: process.version },
    nodes: {
      known: true,
      note: scaleOut ? 'nodes sharing this Redis' : 'nodes sharing this database',
      registry: scaleOut ? ('redis' as const) : ('database' as const),
      ttlSeconds: nodes.ttlMs / 1000,
      list: (await nodes.list()).map((n) => ({ ...n, self: n.nodeId === nodes.nodeId })),
    },
    database: { dialect: ctx.db.dialect, embedded: isEmbedded(ctx.config) },
    cache: { kind: ctx.config.redisUrl ? 'redis' : 'memory' },
    blobs: { kind: ctx.config.blobUrl ? 's3' : 'filesystem' },
    counts: await ctx.services.stats.counts(),
  };
}
