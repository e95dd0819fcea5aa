// OpenID Connect: signing keys (private keys sealed), per-app OIDC settings, and the sign-in
// details an authorization code and its tokens carry for id_tokens (null for Xiaomi requests).
import type { Kysely } from 'kysely';
import { type Dialect, timeColumn } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const time = timeColumn(dialect);
  await db.schema
    .createTable('oidc_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('private_jwk', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('retired_at', time)
    .execute();
  await db.schema
    .createTable('oidc_clients')
    .addColumn('client_id', 'text', (c) => c.primaryKey().references('apps.client_id').onDelete('cascade'))
    .addColumn('post_logout_uris', 'text', (c) => c.notNull())
    .addColumn('id_token_alg', 'text', (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .execute();
  await db.schema.alterTable('oauth_codes').addColumn('oidc', 'text').execute();
  await db.schema.alterTable('oauth_tokens').addColumn('oidc', 'text').execute();
}
