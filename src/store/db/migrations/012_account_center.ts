// The account center (docs/account-center.md): page sessions remember the browser (user agent), the
// address and the last use, for the sessions list; uploaded avatars are stored in every size
// variant the open APIs serve (base64 JPEG, so that export/import carries them as text).
import type { Kysely } from 'kysely';
import { type Dialect, timeColumn } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const time = timeColumn(dialect);
  await db.schema.alterTable('web_sessions').addColumn('user_agent', 'text').execute();
  await db.schema.alterTable('web_sessions').addColumn('ip', 'text').execute();
  await db.schema.alterTable('web_sessions').addColumn('last_used_at', time).execute();
  await db.schema
    .createTable('user_avatars')
    .addColumn('avatar_key', 'text', (c) => c.notNull())
    .addColumn('variant', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.user_id').onDelete('cascade'))
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addPrimaryKeyConstraint('user_avatars_pk', ['avatar_key', 'variant'])
    .execute();
  await db.schema.createIndex('user_avatars_user').on('user_avatars').column('user_id').execute();
}
