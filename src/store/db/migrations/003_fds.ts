// FDS object storage (issue 5). Names compare byte-wise on both backends (COLLATE "C" on
// PostgreSQL, SQLite's BINARY) so that listings sort by code point and range scans are exact.
// Foreign keys: an app's access key goes with the app (cascade). Objects, uploads and parts hold
// blob keys, so their parents (bucket, upload) refuse deletion while they remain (no cascade): the
// repo deletes them first, collecting their blob keys to free, and a cascade would leak blobs.
import { type Kysely, sql } from 'kysely';
import { type Dialect, timeColumn } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const time = timeColumn(dialect);
  const name = dialect === 'postgres' ? sql`text collate "C"` : 'text';
  await db.schema
    .createTable('fds_access_keys')
    .addColumn('access_key_id', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull().unique().references('apps.client_id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('fds_buckets')
    .addColumn('name', name, (c) => c.primaryKey())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('acl', 'text', (c) => c.notNull())
    .addColumn('versioning', 'integer')
    .addColumn('lifecycle', 'text')
    .addColumn('cors', 'text')
    .addColumn('configs', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.createIndex('fds_buckets_owner').on('fds_buckets').columns(['owner_id', 'name']).execute();
  await db.schema
    .createTable('fds_objects')
    .addColumn('version_id', 'text', (c) => c.primaryKey())
    .addColumn('bucket', name, (c) => c.notNull().references('fds_buckets.name'))
    .addColumn('name', name, (c) => c.notNull())
    .addColumn('is_current', 'integer', (c) => c.notNull())
    .addColumn('size', time, (c) => c.notNull())
    .addColumn('md5', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('meta', 'text', (c) => c.notNull())
    .addColumn('acl', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('blob_key', 'text', (c) => c.notNull())
    .addColumn('storage_class', 'text')
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('noncurrent_at', time)
    .execute();
  // At most one current version per name; listings scan this index in name order.
  await db.schema
    .createIndex('fds_objects_current')
    .on('fds_objects')
    .columns(['bucket', 'name'])
    .unique()
    .where(sql.ref('is_current'), '=', 1)
    .execute();
  await db.schema.createIndex('fds_objects_versions').on('fds_objects').columns(['bucket', 'name', 'version_id']).execute();
  await db.schema
    .createTable('fds_trash')
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('trash_name', name, (c) => c.notNull())
    .addColumn('bucket', name, (c) => c.notNull())
    .addColumn('name', name, (c) => c.notNull())
    .addColumn('version_id', 'text', (c) => c.notNull())
    .addColumn('deleted_at', time, (c) => c.notNull())
    .addPrimaryKeyConstraint('fds_trash_pk', ['owner_id', 'trash_name'])
    .execute();
  await db.schema.createIndex('fds_trash_bucket').on('fds_trash').columns(['bucket', 'name']).execute();
  await db.schema.createIndex('fds_trash_version').on('fds_trash').column('version_id').execute();
  await db.schema
    .createTable('fds_uploads')
    .addColumn('upload_id', 'text', (c) => c.primaryKey())
    .addColumn('bucket', name, (c) => c.notNull().references('fds_buckets.name'))
    .addColumn('name', name, (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text')
    .addColumn('meta', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('fds_uploads_bucket').on('fds_uploads').columns(['bucket', 'name']).execute();
  await db.schema
    .createTable('fds_parts')
    .addColumn('upload_id', 'text', (c) => c.notNull().references('fds_uploads.upload_id'))
    .addColumn('part_number', 'integer', (c) => c.notNull())
    .addColumn('blob_key', 'text', (c) => c.notNull())
    .addColumn('size', time, (c) => c.notNull())
    .addColumn('md5', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addPrimaryKeyConstraint('fds_parts_pk', ['upload_id', 'part_number'])
    .execute();
  await db.schema
    .createTable('fds_blob_gc')
    .addColumn('blob_key', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('fds_blob_gc_state').on('fds_blob_gc').columns(['state', 'at']).execute();
}
