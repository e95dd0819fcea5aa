// FDS object storage tables (fds-protocol §4–§9). Object bytes live in the blob store under keys
// generated here; these rows are the metadata. A row in fds_objects is one version of an object.
// The JSON text columns are parsed (and written) only by columns.ts: repositories hand out objects.

export interface FdsAccessKeysTable {
  /** Public access key id (`GalaxyAccessKeyId`). */
  access_key_id: string;
  /** The app (clientId) the key belongs to; its developer owns the buckets. */
  client_id: string;
  /** Secret derivation version: secret = base64url(HMAC-SHA256(serverSecret, `fds-secret|<ak>|<version>`)). */
  version: number;
  created_at: number;
  updated_at: number;
}

export interface FdsBucketsTable {
  name: string;
  /** Owner: the creator's developer id. */
  owner_id: string;
  created_at: number;
  /** JSON AclMap ("id:TYPE" → mask). */
  acl: string;
  /** `?versioning=<int>` as set, or null. */
  versioning: number | null;
  /** JSON lifecycle config, or null. */
  lifecycle: string | null;
  /** JSON CORS config, or null. */
  cors: string | null;
  /** JSON object of other stored configs (accessLog, antiStealingLink, …). */
  configs: string;
}

export interface FdsObjectsTable {
  /** Opaque, URL-safe, sortable by creation (newest is greatest). */
  version_id: string;
  bucket: string;
  name: string;
  /** 1 for the current version of (bucket, name), else 0. */
  is_current: number;
  size: number;
  /** Lower-case hex MD5 of the whole object. */
  md5: string;
  content_type: string;
  /** JSON of stored headers (cache-control, content-encoding, content-disposition, x-xiaomi-meta-*). */
  meta: string;
  /** JSON AclMap of the object. */
  acl: string;
  owner_id: string;
  blob_key: string;
  storage_class: string | null;
  created_at: number;
  /** When this version stopped being current (lifecycle nonCurrentVersionExpiration). */
  noncurrent_at: number | null;
}

export interface FdsTrashTable {
  /** Developer whose trash holds the entry (the bucket owner). */
  owner_id: string;
  /** `<bucket>/<object>`, the name listed under /trash. */
  trash_name: string;
  bucket: string;
  name: string;
  version_id: string;
  deleted_at: number;
}

export interface FdsUploadsTable {
  upload_id: string;
  bucket: string;
  name: string;
  owner_id: string;
  content_type: string | null;
  /** JSON of the metadata headers given at initiation. */
  meta: string;
  created_at: number;
}

export interface FdsPartsTable {
  upload_id: string;
  part_number: number;
  blob_key: string;
  size: number;
  md5: string;
  created_at: number;
}

/** Blobs not (or no longer) referenced by metadata: 'pending' while an upload runs, 'dead' once unreferenced. */
export interface FdsBlobGcTable {
  blob_key: string;
  state: string;
  at: number;
}

/** The bytes of a small blob of the embedded store (migration 020, store/blobs/small-blob-store.ts). */
export interface FdsSmallBlobsTable {
  blob_key: string;
  data: Buffer;
}

/** A processed image (migration 010): cached per source version and canonical parameters. */
export interface FdsDerivedTable {
  source_version_id: string;
  /** Canonical parameters, e.g. `thumb:w=256,h=256` (core/fds/image-params.ts). */
  params: string;
  blob_key: string;
  size: number;
  content_type: string;
  created_at: number;
  /** Last hit: the least recently used entries go first when the cache is over its size. */
  used_at: number;
}

export interface FdsTables {
  fds_access_keys: FdsAccessKeysTable;
  fds_buckets: FdsBucketsTable;
  fds_objects: FdsObjectsTable;
  fds_trash: FdsTrashTable;
  fds_uploads: FdsUploadsTable;
  fds_parts: FdsPartsTable;
  fds_blob_gc: FdsBlobGcTable;
  fds_derived: FdsDerivedTable;
  fds_small_blobs: FdsSmallBlobsTable;
}
