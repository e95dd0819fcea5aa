// JSON shapes the FDS server answers with (fds-protocol §13), as far as the client reads them.
// Listing and put results are the core's wire types.
import type { ListObjectsResult as ListObjectsResultOf } from '../../core/fds/listing.ts';

export type { PutObjectResult } from '../../core/fds/put-result.ts';

export interface Owner {
  id: string;
  displayName?: string;
}

export interface BucketEntry {
  name: string;
  creationTime?: number;
  orgId?: string;
}

export interface ListBucketsResult {
  owner: Owner;
  buckets: BucketEntry[];
}

export interface ObjectEntry {
  name: string;
  size: number;
  owner?: Owner;
  etag?: string;
  lastModified?: string;
  uploadTime?: number;
}

export type ListObjectsResult = ListObjectsResultOf<ObjectEntry>;

export interface InitMultipartUploadResult {
  bucketName: string;
  objectName: string;
  uploadId: string;
}

export interface UploadPartResult {
  partNumber: number;
  etag: string;
  partSize: number;
}

export type DeleteObjectsFailure = { object_name: string | null; error_code: number; error_description: string };
