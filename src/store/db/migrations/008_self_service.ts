// Self-service accounts (issue 12): sign-up invites, sign-ups waiting for their verification code,
// and password recoveries (link or code). Every secret is stored as its SHA-256 only.
import type { Kysely } from 'kysely';
import { type Dialect, timeColumn } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const time = timeColumn(dialect);
  await db.schema
    .createTable('signup_invites')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('expires_at', time, (c) => c.notNull())
    .addColumn('used_at', time)
    .addColumn('used_by', 'text')
    .execute();
  await db.schema
    .createTable('signup_pending')
    .addColumn('flow_hash', 'text', (c) => c.primaryKey())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('invite_hash', 'text')
    // NULL: no code was sent (the address already belongs to an account), so none can match.
    .addColumn('code_hash', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('verified_at', time)
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('expires_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('signup_pending_expires').on('signup_pending').column('expires_at').execute();
  await db.schema
    .createTable('password_resets')
    .addColumn('flow_hash', 'text', (c) => c.primaryKey())
    // NULL for an address no account has: the flow exists so that the answer is the same.
    .addColumn('user_id', 'text')
    .addColumn('code_hash', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('expires_at', time, (c) => c.notNull())
    .addColumn('used_at', time)
    .execute();
  await db.schema.createIndex('password_resets_user').on('password_resets').column('user_id').execute();
  await db.schema.createIndex('password_resets_expires').on('password_resets').column('expires_at').execute();
}
