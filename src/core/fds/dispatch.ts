// The dispatch table of fds-protocol §1.2: the operation is chosen by method, path shape and the
// presence of selector query keys, checked in the table's order. Credential parameters are never
// selectors. Unknown keys are ignored.
import { percentDecode } from './query.ts';

export const CREDENTIAL_PARAMS: ReadonlySet<string> = new Set([
  'GalaxyAccessKeyId',
  'Expires',
  'Signature',
  'appId',
  'storageAccessToken',
  'serviceToken',
  'sid',
  'Authentication',
]);

export const BUCKET_CONFIGS = [
  'quota',
  'lifecycle',
  'cors',
  'accessLog',
  'antiStealingLink',
  'versioning',
  'domain',
  'webpQuality',
  'gifType',
  'mirror',
  'website',
  'setOutsideAccess',
  'migrate',
  'migrate2',
] as const;
export type BucketConfig = (typeof BUCKET_CONFIGS)[number] | 'tsd';

const LIST_KEYS = ['prefix', 'delimiter', 'marker', 'maxKeys', 'reverse', 'isBackup', 'withMetaData', 'archive'];

export type Operation =
  | { op: 'getStorageToken' }
  | { op: 'listAuthorizedBuckets' }
  | { op: 'developerInfo' }
  | { op: 'listBuckets' }
  | { op: 'clientMetrics' }
  | { op: 'headBucket' }
  | { op: 'putBucketAcl'; remove: boolean }
  | { op: 'deleteObjects' }
  | { op: 'putBucketConfig'; config: BucketConfig }
  | { op: 'createBucket' }
  | { op: 'deleteBucketConfig'; config: BucketConfig }
  | { op: 'deleteBucket' }
  | { op: 'getBucketAcl' }
  | { op: 'getBucketConfig'; config: BucketConfig }
  | { op: 'listUploads' }
  | { op: 'listVersions' }
  | { op: 'listObjects' }
  | { op: 'bucketInfo' }
  | { op: 'postInitMultipart' }
  | { op: 'postObject' }
  | { op: 'headObject' }
  | { op: 'getObjectAcl' }
  | { op: 'getObjectMetadata' }
  | { op: 'listVersionIds' }
  | { op: 'listParts' }
  | { op: 'unsupported'; what: string }
  | { op: 'presignUrl' }
  | { op: 'imageProcess'; kind: 'thumb' | 'webp' | 'gif' }
  | { op: 'getObject' }
  | { op: 'putObjectAcl'; remove: boolean }
  | { op: 'initMultipart' }
  | { op: 'uploadPart' }
  | { op: 'completeMultipart' }
  | { op: 'renameObject' }
  | { op: 'copyObject' }
  | { op: 'restoreObject' }
  | { op: 'setObjectMetadata' }
  | { op: 'cdnOperation' }
  | { op: 'setOutsideAccess' }
  | { op: 'restoreArchive' }
  | { op: 'cropImage' }
  | { op: 'putObject' }
  | { op: 'abortMultipart' }
  | { op: 'deleteObject' }
  | { op: 'options' }
  | { op: 'methodNotAllowed' };

export interface Target {
  /** undefined for `/`. */
  bucket: string | undefined;
  /** undefined for `/{b}`; '' for `/{b}/`. */
  object: string | undefined;
}

/** Splits a raw (percent-encoded) path into bucket and object; the object part is UTF-8 decoded. */
export function parsePath(rawPath: string): Target {
  const p = rawPath.replace(/^\/+/, '');
  if (p === '') return { bucket: undefined, object: undefined };
  const slash = p.indexOf('/');
  if (slash < 0) return { bucket: percentDecode(p), object: undefined };
  return { bucket: percentDecode(p.slice(0, slash)), object: percentDecode(p.slice(slash + 1)) };
}

/** Chooses the operation (§1.2). `query` holds decoded keys; credential parameters are skipped. */
export function dispatch(method: string, t: Target, query: ReadonlyMap<string, string>): Operation {
  const has = (k: string) => query.has(k) && !CREDENTIAL_PARAMS.has(k);
  const m = method.toUpperCase();
  if (m === 'OPTIONS') return { op: 'options' };
  if (t.bucket === undefined) {
    if (m === 'GET') {
      if (query.has('storageAccessToken') && query.has('oauthAccessToken')) return { op: 'getStorageToken' };
      if (has('authorizedBuckets')) return { op: 'listAuthorizedBuckets' };
      if (has('developerInfo')) return { op: 'developerInfo' };
      return { op: 'listBuckets' };
    }
    if (m === 'PUT' && has('clientMetrics')) return { op: 'clientMetrics' };
    return { op: 'methodNotAllowed' };
  }
  const remove = query.get('action') === 'delete';
  if (t.object === undefined || (t.object === '' && m !== 'POST')) {
    const config = [...BUCKET_CONFIGS, 'tsd' as const].find((k) => has(k));
    switch (m) {
      case 'HEAD':
        return { op: 'headBucket' };
      case 'PUT':
        if (has('acl')) return { op: 'putBucketAcl', remove };
        if (has('deleteObjects')) return { op: 'deleteObjects' };
        if (config && config !== 'tsd') return { op: 'putBucketConfig', config };
        return { op: 'createBucket' };
      case 'DELETE':
        for (const k of ['domain', 'antiStealingLink', 'mirror', 'website'] as const)
          if (has(k)) return { op: 'deleteBucketConfig', config: k };
        return { op: 'deleteBucket' };
      case 'GET':
        if (has('acl')) return { op: 'getBucketAcl' };
        if (config && config !== 'setOutsideAccess' && config !== 'migrate' && config !== 'migrate2')
          return { op: 'getBucketConfig', config };
        if (has('uploads')) return { op: 'listUploads' };
        if (has('versions')) return { op: 'listVersions' };
        if (LIST_KEYS.some((k) => has(k))) return { op: 'listObjects' };
        return { op: 'bucketInfo' };
      default:
        return { op: 'methodNotAllowed' };
    }
  }
  if (t.object === '' && m === 'POST') return has('uploads') ? { op: 'postInitMultipart' } : { op: 'postObject' };
  switch (m) {
    case 'HEAD':
      return { op: 'headObject' };
    case 'GET':
      if (has('acl')) return { op: 'getObjectAcl' };
      if (has('metadata')) return { op: 'getObjectMetadata' };
      if (has('versionIds')) return { op: 'listVersionIds' };
      if (has('uploadId') && !has('partNumber')) return { op: 'listParts' };
      if (has('thirdPartyObject')) return { op: 'unsupported', what: 'thirdPartyObject' };
      if (has('presignedUrl')) return { op: 'presignUrl' };
      if (has('thumb')) return { op: 'imageProcess', kind: 'thumb' };
      if (query.get('f') === 'webp') return { op: 'imageProcess', kind: 'webp' };
      if (has('gf')) return { op: 'imageProcess', kind: 'gif' };
      return { op: 'getObject' };
    case 'PUT':
      if (has('acl')) return { op: 'putObjectAcl', remove };
      if (has('uploads')) return { op: 'initMultipart' };
      if (has('uploadId') && has('partNumber')) return { op: 'uploadPart' };
      if (has('uploadId')) return { op: 'completeMultipart' };
      if (has('renameTo')) return { op: 'renameObject' };
      if (has('cp')) return { op: 'copyObject' };
      if (has('restore')) return { op: 'restoreObject' };
      if (has('setMetaData')) return { op: 'setObjectMetadata' };
      if (has('prefetch') || has('refresh')) return { op: 'cdnOperation' };
      if (has('restoreArchive')) return { op: 'restoreArchive' };
      if (has('cropImage')) return { op: 'cropImage' };
      if (has('setOutsideAccess')) return { op: 'setOutsideAccess' };
      return { op: 'putObject' };
    case 'POST':
      return { op: 'methodNotAllowed' };
    case 'DELETE':
      if (has('uploadId')) return { op: 'abortMultipart' };
      return { op: 'deleteObject' };
    default:
      return { op: 'methodNotAllowed' };
  }
}
