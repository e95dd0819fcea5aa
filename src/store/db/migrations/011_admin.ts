// Roles, locks, disabled apps, admin API tokens and per-app usage counters (issue 13).
// A user's role lives on the users row; the developer record that owns apps and FDS buckets
// (developers, unchanged owner ids) is linked to the user who acts for it by developers.user_id.
import type { Kysely } from 'kysely';
import { type Dialect, timeColumn } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const time = timeColumn(dialect);
  await db.schema
    .alterTable('users')
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('user'))
    .execute();
  await db.schema.alterTable('users').addColumn('locked_at', time).execute();
  await db.schema.alterTable('developers').addColumn('user_id', 'text').execute();
  await db.schema.createIndex('developers_user').unique().on('developers').column('user_id').execute();
  await db.schema.alterTable('apps').addColumn('disabled_at', time).execute();
  await db.schema
    .createTable('admin_tokens')
    .addColumn('token_id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.user_id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('last_used_at', time)
    .execute();
  await db.schema.createIndex('admin_tokens_user').on('admin_tokens').column('user_id').execute();
  await db.schema
    .createTable('app_usage')
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('count', time, (c) => c.notNull())
    .addPrimaryKeyConstraint('app_usage_pk', ['client_id', 'day', 'metric'])
    .execute();
  await db.schema.createIndex('audit_events_actor').on('audit_events').column('actor').execute();
  await db.schema.createIndex('audit_events_client').on('audit_events').column('client_id').execute();
}
