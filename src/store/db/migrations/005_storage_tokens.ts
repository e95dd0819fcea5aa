// FDS storage tokens and SSO service tokens (issue 6).
import type { Kysely } from 'kysely';
import { type Dialect, timeColumn } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const time = timeColumn(dialect);
  await db.schema
    .createTable('fds_storage_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text')
    .addColumn('developer_id', 'text')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('provider_app_id', 'text', (c) => c.notNull())
    .addColumn('provider_user_id', 'text', (c) => c.notNull())
    .addColumn('opal_user_id', 'text')
    .addColumn('grant_id', 'text')
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('expires_at', time, (c) => c.notNull())
    .addColumn('revoked_at', time)
    .execute();
  await db.schema.createIndex('fds_storage_tokens_app').on('fds_storage_tokens').columns(['app_id', 'provider_user_id']).execute();
  await db.schema.createIndex('fds_storage_tokens_opal_user').on('fds_storage_tokens').column('opal_user_id').execute();
  await db.schema.createIndex('fds_storage_tokens_grant').on('fds_storage_tokens').column('grant_id').execute();
  await db.schema.createIndex('fds_storage_tokens_expires').on('fds_storage_tokens').column('expires_at').execute();
  await db.schema
    .createTable('fds_oauth_bindings')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('oauth_app_id', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addPrimaryKeyConstraint('fds_oauth_bindings_pk', ['app_id', 'provider', 'oauth_app_id'])
    .execute();
}
