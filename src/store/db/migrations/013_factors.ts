// Second factors (issue 12 item 4): TOTP authenticators and passkeys per user, single-use recovery
// codes (their HMAC only), and how each page session was signed in (OpenID Connect `amr`).
// A TOTP secret is stored sealed with the server secret (lib/secret-box.ts), never in plain text.
import type { Kysely } from 'kysely';
import { type Dialect, timeColumn } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const time = timeColumn(dialect);
  await db.schema
    .createTable('user_factors')
    .addColumn('factor_id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.user_id').onDelete('cascade'))
    // 'totp' or 'passkey'
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // TOTP: the sealed base32 secret and the last time step accepted (a code is good once).
    .addColumn('secret_sealed', 'text')
    .addColumn('last_step', time)
    // Passkey: the credential id and COSE public key (base64url), signature counter, transports.
    .addColumn('credential_id', 'text', (c) => c.unique())
    .addColumn('public_key', 'text')
    .addColumn('sign_count', time)
    .addColumn('transports', 'text')
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('last_used_at', time)
    .execute();
  await db.schema.createIndex('user_factors_user').on('user_factors').column('user_id').execute();
  await db.schema
    .createTable('recovery_codes')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.user_id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('used_at', time)
    .addPrimaryKeyConstraint('recovery_codes_pk', ['user_id', 'code_hash'])
    .execute();
  // Comma-separated RFC 8176 methods of the sign-in (NULL: a password alone, sessions from before).
  await db.schema.alterTable('web_sessions').addColumn('amr', 'text').execute();
}
