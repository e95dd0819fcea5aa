// The JSON columns of the FDS tables, read and written only here: repositories hand out parsed,
// typed rows (an object's stored headers and ACL, a bucket's ACL, lifecycle, CORS and other
// configurations, an upload's headers) and take them back the same way.
//
// Corrupt data has one defined behaviour: a column that does not parse, or parses to the wrong
// shape, reads as its empty value (an ACL without grants, so only the owner may act; no lifecycle
// or CORS configuration; no stored headers or configurations), and a process warning
// (OPAL_CORRUPT_JSON_COLUMN) names the row so an operator can repair it. Requests keep working;
// the next write of that column replaces the bad value.

import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { type Static, type TSchema, Type } from '@sinclair/typebox/type';
import type { Selectable, Updateable } from 'kysely';
import { type AclMap, ownerAcl } from '../../../core/fds/acl.ts';
import type { RulesConfig, StoredConfigs } from '../../../core/fds/bucket-config.ts';
import type { FdsBucketsTable, FdsObjectsTable, FdsUploadsTable } from './tables.ts';

const ACL = TypeCompiler.Compile(Type.Record(Type.String(), Type.Integer({ minimum: 0, maximum: 0xff })));
const HEADERS = TypeCompiler.Compile(Type.Record(Type.String(), Type.String()));
const RULES = TypeCompiler.Compile(Type.Object({ rules: Type.Array(Type.Object({ id: Type.Optional(Type.String()) })) }));
const CONFIGS = TypeCompiler.Compile(
  Type.Record(Type.String(), Type.Object({ value: Type.String(), body: Type.Optional(Type.Unknown()) })),
);

/** A bucket with its JSON columns parsed. */
export type Bucket = Omit<Selectable<FdsBucketsTable>, 'acl' | 'lifecycle' | 'cors' | 'configs'> & {
  acl: AclMap;
  lifecycle: RulesConfig | null;
  cors: RulesConfig | null;
  configs: StoredConfigs;
};

/** A new bucket: no configurations yet; `acl` the owner's full control unless given. */
export function newBucket(name: string, ownerId: string, createdAt: number, acl: AclMap = ownerAcl(ownerId)): Bucket {
  return { name, owner_id: ownerId, created_at: createdAt, acl, versioning: null, lifecycle: null, cors: null, configs: {} };
}

/** One version of an object, its stored headers and ACL parsed. */
export type ObjectVersion = Omit<Selectable<FdsObjectsTable>, 'meta' | 'acl'> & {
  /** Stored headers: cache-control, content-encoding, content-disposition, expires, x-xiaomi-meta-*. */
  meta: Record<string, string>;
  acl: AclMap;
};

/** A multipart upload, the headers given at initiation parsed. */
export type Upload = Omit<Selectable<FdsUploadsTable>, 'meta'> & { meta: Record<string, string> };

/** Rows warned about recently (bounded), so one bad row does not flood the log. */
const warned = new Set<string>();

function corrupt(where: string): void {
  if (warned.has(where)) return;
  if (warned.size >= 256) warned.clear();
  warned.add(where);
  process.emitWarning(`unreadable JSON in ${where}; read as empty`, { code: 'OPAL_CORRUPT_JSON_COLUMN' });
}

function read<S extends TSchema>(check: TypeCheck<S>, text: string, empty: Static<S>, where: () => string): Static<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    corrupt(where());
    return empty;
  }
  if (check.Check(value)) return value;
  corrupt(where());
  return empty;
}

const at = (table: string, column: string, key: string) => () => `${table}.${column} of ${JSON.stringify(key)}`;

function rules(text: string | null, column: string, bucket: string): RulesConfig | null {
  return text === null ? null : read(RULES, text, { rules: [] }, at('fds_buckets', column, bucket));
}

export function decodeBucket(r: Selectable<FdsBucketsTable>): Bucket {
  return {
    ...r,
    acl: read(ACL, r.acl, {}, at('fds_buckets', 'acl', r.name)),
    lifecycle: rules(r.lifecycle, 'lifecycle', r.name),
    cors: rules(r.cors, 'cors', r.name),
    configs: read(CONFIGS, r.configs, {}, at('fds_buckets', 'configs', r.name)),
  };
}

export function encodeBucket(b: Bucket): Selectable<FdsBucketsTable> {
  return {
    ...b,
    acl: JSON.stringify(b.acl),
    lifecycle: b.lifecycle === null ? null : JSON.stringify(b.lifecycle),
    cors: b.cors === null ? null : JSON.stringify(b.cors),
    configs: JSON.stringify(b.configs),
  };
}

export function decodeVersion(r: Selectable<FdsObjectsTable>): ObjectVersion {
  return {
    ...r,
    meta: read(HEADERS, r.meta, {}, at('fds_objects', 'meta', r.version_id)),
    acl: read(ACL, r.acl, {}, at('fds_objects', 'acl', r.version_id)),
  };
}

export function encodeVersion(v: ObjectVersion): Selectable<FdsObjectsTable> {
  return { ...v, meta: JSON.stringify(v.meta), acl: JSON.stringify(v.acl) };
}

export function decodeUpload(r: Selectable<FdsUploadsTable>): Upload {
  return { ...r, meta: read(HEADERS, r.meta, {}, at('fds_uploads', 'meta', r.upload_id)) };
}

export function encodeUpload(u: Upload): Selectable<FdsUploadsTable> {
  return { ...u, meta: JSON.stringify(u.meta) };
}

/** The parsed columns a bucket change may replace. */
export type BucketPatch = Partial<Pick<Bucket, 'acl' | 'lifecycle' | 'cors' | 'configs' | 'versioning'>>;

export function encodeBucketPatch(p: BucketPatch): Updateable<FdsBucketsTable> {
  const out: Updateable<FdsBucketsTable> = {};
  if (p.acl !== undefined) out.acl = JSON.stringify(p.acl);
  if (p.lifecycle !== undefined) out.lifecycle = p.lifecycle === null ? null : JSON.stringify(p.lifecycle);
  if (p.cors !== undefined) out.cors = p.cors === null ? null : JSON.stringify(p.cors);
  if (p.configs !== undefined) out.configs = JSON.stringify(p.configs);
  if (p.versioning !== undefined) out.versioning = p.versioning;
  return out;
}

/** The parsed columns a version change may replace. */
export type VersionPatch = Partial<Pick<ObjectVersion, 'acl' | 'meta' | 'content_type'>>;

export function encodeVersionPatch(p: VersionPatch): Updateable<FdsObjectsTable> {
  const out: Updateable<FdsObjectsTable> = {};
  if (p.acl !== undefined) out.acl = JSON.stringify(p.acl);
  if (p.meta !== undefined) out.meta = JSON.stringify(p.meta);
  if (p.content_type !== undefined) out.content_type = p.content_type;
  return out;
}
