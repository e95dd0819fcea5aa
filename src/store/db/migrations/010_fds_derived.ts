// Derived FDS blobs (issue 16): processed images (thumbnails, WebP, GIF frames) cached per source
// version and parameters, collected with their source.
import type { Kysely } from 'kysely';
import { type Dialect, timeColumn } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const time = timeColumn(dialect);
  await db.schema
    .createTable('fds_derived')
    .addColumn('source_version_id', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('blob_key', 'text', (c) => c.notNull())
    .addColumn('size', time, (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('used_at', time, (c) => c.notNull())
    .addPrimaryKeyConstraint('fds_derived_pk', ['source_version_id', 'params'])
    .execute();
  await db.schema.createIndex('fds_derived_used').on('fds_derived').column('used_at').execute();
}
