// Passbook: pass plans and issued passes.
import type { Kysely } from 'kysely';
import { type Dialect, timeColumn } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const time = timeColumn(dialect);
  await db.schema
    .createTable('pass_plans')
    .addColumn('plan_id', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull().references('apps.client_id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('logo_url', 'text', (c) => c.notNull())
    .addColumn('valid_start', time, (c) => c.notNull())
    .addColumn('valid_end', time, (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pass_plans_client').on('pass_plans').column('client_id').execute();
  await db.schema
    .createTable('passes')
    .addColumn('pass_id', 'text', (c) => c.primaryKey())
    .addColumn('plan_id', 'text', (c) => c.notNull().references('pass_plans.plan_id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.references('users.user_id').onDelete('cascade'))
    .addColumn('imei_md5', 'text')
    .addColumn('pass_code', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('revoked_at', time)
    .execute();
  await db.schema.createIndex('passes_client_user').on('passes').columns(['client_id', 'user_id']).execute();
  await db.schema.createIndex('passes_client_imei').on('passes').columns(['client_id', 'imei_md5']).execute();
  await db.schema.createIndex('passes_plan').on('passes').column('plan_id').execute();
}
