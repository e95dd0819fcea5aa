// Small blobs of the embedded store (issue 10): the bytes of a blob up to SMALL_BLOB_MAX bytes,
// written in one statement and made durable by the database's own group commit instead of a file,
// its sync and its directory's (store/blobs/small-blob-store.ts). Created on PostgreSQL too, where
// nothing writes to it, so that both dialects have the same tables.
import type { Kysely } from 'kysely';
import { bytesColumn, type Dialect } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('fds_small_blobs')
    .addColumn('blob_key', 'text', (c) => c.primaryKey())
    .addColumn('data', bytesColumn(dialect), (c) => c.notNull())
    .execute();
}
