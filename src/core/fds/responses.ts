// JSON response bodies (fds-protocol §13) as TypeBox schemas: the FDS origin serializes each
// answer from its schema (src/sites/fds/replies.ts). Field names, presence and order are what the
// SDKs read (Python raises KeyError on a missing key, Go needs numbers as numbers); the serializer
// writes required fields first, in schema order, then optional ones, so every schema lists its
// fields in the order the wire has always had them, optional ones last. Bodies stored as sent
// (lifecycle/CORS rules, other bucket configurations) have no schema and go out as stored.
import { type TSchema, Type } from '@sinclair/typebox/type';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** Errors (§10): `{"code":403,"error":"ObjectAccessDenied","message":"Object Access Denied"}`. */
export const ErrorBody = Type.Object({ code: Type.Number(), error: Type.String(), message: Type.String() });

const Owner = Type.Object({ id: Type.String(), displayName: Type.String() });
const BucketEntry = Type.Object({ name: Type.String(), creationTime: Type.Number(), orgId: Type.String() });

/** `GET /` (§4.4). */
export const ListAllBucketsResult = Type.Object({ owner: Owner, buckets: Type.Array(BucketEntry) });

/** `GET /?authorizedBuckets` (§4.5). */
export const ListAllAuthorizedBucketsResult = Type.Object({ buckets: Type.Array(BucketEntry) });

/** `GET /?developerInfo` (JS only; the real shape is unknown). */
export const DeveloperInfo = Type.Object({ developerId: Nullable(Type.String()), displayName: Type.String() });

/** `GET /{b}` (§4.6); storageClass is left out on purpose (Gson enum mismatch). */
export const BucketInfo = Type.Object({
  name: Type.String(),
  creationTime: Type.Number(),
  usedSpace: Type.Number(),
  numObjects: Type.Number(),
  allowOutsideAccess: Type.Boolean(),
  enableSSE: Type.Boolean(),
  orgId: Type.String(),
});

export const ObjectBean = Type.Object({
  name: Type.String(),
  size: Type.Number(),
  owner: Owner,
  etag: Type.String(),
  lastModified: Type.String(),
  uploadTime: Type.Number(),
  versionId: Type.String(),
  /** Only when `withMetaData` is asked for. */
  metadataBean: Type.Optional(Type.Object({ rawMeta: Type.Record(Type.String(), Type.String()) })),
});

/** `GET /{b}?prefix=…` and `GET /trash?prefix=…` (§5.9): every key always present. */
export const ListObjectsResult = Type.Object({
  name: Type.String(),
  prefix: Type.String(),
  delimiter: Type.String(),
  marker: Type.String(),
  nextMarker: Nullable(Type.String()),
  maxKeys: Type.Number(),
  truncated: Type.Boolean(),
  reverse: Type.Boolean(),
  withMetaData: Type.Boolean(),
  objects: Type.Array(ObjectBean),
  commonPrefixes: Type.Array(Type.String()),
});

/** `PUT /{b}?deleteObjects` (§5.8): the failures, `[]` when none. */
export const DeleteObjectsResult = Type.Array(
  Type.Object({ object_name: Nullable(Type.String()), error_code: Type.Number(), error_description: Type.String() }),
);

/** `GET ?acl` (§7.2). */
export const AccessControlPolicy = Type.Object({
  owner: Type.Object({ id: Type.String() }),
  accessControlList: Type.Array(
    Type.Object({
      grantee: Type.Object({ id: Type.String() }),
      permission: Type.String(),
      type: Type.String(),
    }),
  ),
});

/** Put, post, multipart complete and copy (§5.1): Opal always sends previousVersionId and adds versionId. */
export const PutObjectResult = Type.Object({
  bucketName: Type.String(),
  objectName: Type.String(),
  accessKeyId: Type.String(),
  signature: Type.String(),
  expires: Type.Number(),
  previousVersionId: Nullable(Type.String()),
  versionId: Type.String(),
});

/** `GET /{b}/{o}?versionIds` (§8.2): non-current version ids, newest first. */
export const VersionIds = Type.Array(Type.String());

/** Init multipart (§6.1). */
export const InitMultipartUploadResult = Type.Object({ bucketName: Type.String(), objectName: Type.String(), uploadId: Type.String() });

/** Upload part (§6.2). */
export const UploadPartResult = Type.Object({ partNumber: Type.Number(), etag: Type.String(), partSize: Type.Number() });

/** Go's list parts `GET /{b}/{o}?uploadId=` (§6.6). */
export const UploadPartResultList = Type.Object({
  uploadPartResultList: Type.Array(
    Type.Object({ partNumber: Type.Number(), etag: Type.String(), partSize: Type.Number(), lastModified: Type.Number() }),
  ),
});

/** Go's list uploads `GET /{b}?uploads` (§6.6); markers are not supported. */
export const ListMultipartUploadsResult = Type.Object({
  bucketName: Type.String(),
  prefix: Type.String(),
  delimiter: Type.String(),
  maxKeys: Type.Number(),
  marker: Type.String(),
  isTruncated: Type.Boolean(),
  nextMarker: Type.Null(),
  commonPrefixes: Type.Array(Type.String()),
  uploads: Type.Array(Type.Object({ objectName: Type.String(), uploadId: Type.String(), uploadParts: Type.Array(Type.Unknown()) })),
});

/** Java's `GET /{b}?versions` (§8.3, CORE result/VersionListing). */
export const VersionListing = Type.Object({
  versionSummaries: Type.Array(
    Type.Object({
      bucketName: Type.String(),
      objectName: Type.String(),
      versionId: Type.String(),
      latest: Type.Boolean(),
      lastModified: Type.String(),
      owner: Owner,
      size: Type.Number(),
      deleteMarker: Type.Boolean(),
    }),
  ),
  commonPrefixes: Type.Array(Type.String()),
  bucketName: Type.String(),
  nextKeyMarker: Nullable(Type.String()),
  nextVersionIdMarker: Nullable(Type.String()),
  truncated: Type.Boolean(),
  prefix: Type.String(),
  keyMarker: Type.String(),
  versionIdMarker: Nullable(Type.String()),
  maxKeys: Type.Number(),
  delimiter: Type.String(),
});

/** `GET ?domain` (§9). */
export const ListDomainMappingsResult = Type.Object({ domainMappings: Type.Array(Type.String()) });

/** The OAuth storage-token exchange (§2.4). */
export const StorageAccessTokenResult = Type.Object({ token: Type.String(), expireTime: Type.Number() });

/** `?prefetch` / `?refresh` (§5.13): Java parses a JSON Long. */
export const CdnOperationResult = Type.Number();
