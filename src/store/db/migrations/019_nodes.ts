// Issue 13: the node registry of the admin status (services/node-registry.ts) when no Redis is
// configured: one row per running node, renewed by its heartbeat, ignored and pruned once expired.
import type { Kysely } from 'kysely';
import { type Dialect, timeColumn } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const time = timeColumn(dialect);
  await db.schema
    .createTable('nodes')
    .addColumn('node_id', 'text', (c) => c.primaryKey())
    .addColumn('info', 'text', (c) => c.notNull())
    .addColumn('expires_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('nodes_expires_at').on('nodes').column('expires_at').execute();
}
