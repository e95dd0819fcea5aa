// The FDS operation table: for every operation the dispatcher can choose (core/fds/dispatch.ts,
// fds-protocol §1.2), the handler that answers it and what the request pipeline (plugin.ts) must
// know about it. The table `satisfies` a mapped type keyed by `Operation['op']`, so an operation
// added to the dispatcher without a handler here does not compile, and each handler receives its
// operation with the operation's own fields (`remove`, `config`, …).
//
// A new operation: add its variant to `Operation` and its selector to `dispatch()` (core), write
// the handler in the file of its resource (objects.ts, buckets.ts, …: throw FdsError to refuse,
// answer through replies.ts with a schema from core/fds/responses.ts), and add its entry here.
import type { Operation } from '../../core/fds/dispatch.ts';
import { FdsError } from '../../core/fds/errors.ts';
import { DeveloperInfo } from '../../core/fds/responses.ts';
import { getBucketAcl, getObjectAcl, putBucketAcl, putObjectAcl } from './acls.ts';
import type { AppUserRule } from './app-user-writes.ts';
import {
  bucketInfo,
  createBucket,
  deleteBucket,
  deleteObjects,
  headBucket,
  listAuthorizedBuckets,
  listBuckets,
  listObjects,
} from './buckets.ts';
import type { FdsCall } from './call.ts';
import { deleteBucketConfig, getBucketConfig, putBucketConfig } from './configs.ts';
import { cropImage, getImage } from './images.ts';
import { abortMultipart, completeMultipart, initMultipart, listParts, listUploads, postInitMultipart, uploadPart } from './multipart.ts';
import { cdnOperation, restoreArchive, setObjectOutsideAccess } from './object-misc.ts';
import {
  copyObject,
  deleteObject,
  getObject,
  getObjectMetadata,
  headObject,
  listVersionIds,
  postObject,
  putObject,
  renameObject,
  restoreObject,
  setObjectMetadata,
} from './objects.ts';
import { presignObjectUrl } from './presign-url.ts';
import { sendEmpty, sendJson, sendText } from './replies.ts';
import { exchangeStorageToken } from './storage-token-exchange.ts';
import { listVersions } from './versions.ts';

type OperationNamed<K extends Operation['op']> = Extract<Operation, { op: K }>;

export interface FdsOperation<K extends Operation['op'] = Operation['op']> {
  /** Answers the call (or throws FdsError). */
  run(c: FdsCall, op: OperationNamed<K>): Promise<void>;
  /**
   * Runs without authentication; the caller stays anonymous. The storage-token exchange carries
   * its own credential (an OAuth token the service verifies); a CORS preflight carries none.
   */
  skipAuth?: true;
  /** A URL this server signed for an app user may run it: the reads of its one object version. */
  serverSigned?: true;
  /** What an app user needs besides SSO_WRITE (app-user-writes.ts). */
  appUser?: AppUserRule;
}

export type FdsOperationTable = { [K in Operation['op']]: FdsOperation<K> };

export const FDS_OPERATIONS = {
  // Service (§4.4, §4.5, §2.4).
  getStorageToken: { run: exchangeStorageToken, skipAuth: true },
  listBuckets: { run: listBuckets },
  listAuthorizedBuckets: { run: listAuthorizedBuckets },
  developerInfo: {
    run: async (c) => sendJson(c, DeveloperInfo, { developerId: c.who.ownerId ?? null, displayName: c.who.displayName }),
  },
  clientMetrics: { run: async (c) => sendEmpty(c) },
  // Buckets (§4, §5.8, §5.9, §7, §9).
  headBucket: { run: headBucket },
  createBucket: { run: createBucket },
  deleteBucket: { run: deleteBucket },
  bucketInfo: { run: bucketInfo },
  listObjects: { run: listObjects },
  deleteObjects: { run: deleteObjects, appUser: 'bucket-write' },
  getBucketAcl: { run: getBucketAcl },
  putBucketAcl: { run: (c, op) => putBucketAcl(c, op.remove) },
  getBucketConfig: { run: (c, op) => getBucketConfig(c, op.config) },
  putBucketConfig: { run: (c, op) => putBucketConfig(c, op.config) },
  deleteBucketConfig: { run: (c, op) => deleteBucketConfig(c, op.config) },
  listUploads: { run: listUploads },
  listVersions: { run: listVersions },
  postObject: { run: postObject },
  postInitMultipart: { run: postInitMultipart },
  // Objects (§5, §8).
  headObject: {
    // Go presigns HEAD with `metadata` (§2.3).
    run: (c) => (c.params.has('metadata') ? getObjectMetadata(c) : headObject(c)),
    serverSigned: true,
  },
  getObject: { run: getObject, serverSigned: true },
  getObjectMetadata: { run: getObjectMetadata, serverSigned: true },
  getObjectAcl: { run: getObjectAcl },
  putObjectAcl: { run: (c, op) => putObjectAcl(c, op.remove) },
  listVersionIds: { run: listVersionIds },
  putObject: { run: putObject, appUser: 'own-object' },
  renameObject: { run: renameObject, appUser: 'own-object' },
  copyObject: { run: copyObject, appUser: 'own-object' },
  restoreObject: { run: restoreObject, appUser: 'bucket-write' },
  setObjectMetadata: { run: setObjectMetadata, appUser: 'own-object' },
  deleteObject: { run: deleteObject, appUser: 'own-object' },
  // §5.13 without a CDN, an archive tier or an internal network (object-misc.ts).
  cdnOperation: { run: cdnOperation },
  setOutsideAccess: { run: setObjectOutsideAccess },
  restoreArchive: { run: restoreArchive },
  // Image processing (§5.13, images.ts): reads like GET, and a crop writes like a put.
  imageProcess: { run: (c, op) => getImage(c, op.kind), serverSigned: true },
  cropImage: { run: cropImage, appUser: 'own-object' },
  // Multipart (§6).
  initMultipart: { run: initMultipart, appUser: 'own-object' },
  uploadPart: { run: uploadPart, appUser: 'own-object' },
  completeMultipart: { run: completeMultipart, appUser: 'own-object' },
  abortMultipart: { run: abortMultipart, appUser: 'own-object' },
  listParts: { run: listParts },
  // The JS SDK's server-side presign (§5.13): reads for app users, their own key for developers.
  presignUrl: { run: (c) => presignObjectUrl(c, (op) => operationOf(op).serverSigned === true) },
  // Everything else.
  unsupported: {
    run: async (_c, op) => {
      throw new FdsError('RequestNotSupported', op.what);
    },
  },
  options: { run: async (c) => sendText(c, ''), skipAuth: true },
  methodNotAllowed: {
    run: async (c) => {
      throw new FdsError('RequestNotSupported', `${c.method} here`);
    },
  },
} satisfies FdsOperationTable;

/** The table entry of an operation (the one cast: TypeScript cannot correlate `op` with its entry). */
export function operationOf(op: Operation): FdsOperation {
  return FDS_OPERATIONS[op.op] as FdsOperation;
}
