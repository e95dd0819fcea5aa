// Issue 11 (security review), findings 6 and 7.
// Friend requests: a friendship exists only once the other side accepts.
// A request names its target by account name as typed; to_id is the account's user when one had
// that name at request time (null otherwise, or once that user is deleted), so that the sender's
// list looks the same whether or not the account exists.
import type { Kysely } from 'kysely';
import { type Dialect, timeColumn } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const time = timeColumn(dialect);
  await db.schema
    .createTable('friend_requests')
    .addColumn('from_id', 'text', (c) => c.notNull().references('users.user_id').onDelete('cascade'))
    .addColumn('to_account', 'text', (c) => c.notNull())
    .addColumn('to_id', 'text', (c) => c.references('users.user_id').onDelete('set null'))
    .addColumn('created_at', time, (c) => c.notNull())
    .addPrimaryKeyConstraint('friend_requests_pk', ['from_id', 'to_account'])
    .execute();
  await db.schema.createIndex('friend_requests_to').on('friend_requests').column('to_id').execute();
  // Codes of /oauth2/authorize are bound to the host of their redirect_uri (1); checkPassword codes
  // and codes issued before this migration are not (0).
  await db.schema
    .alterTable('oauth_codes')
    .addColumn('redirect_host_bound', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
