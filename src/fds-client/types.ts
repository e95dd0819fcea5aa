// JSON shapes the FDS server answers with (fds-protocol §13), as far as the client reads them.

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

export interface ListObjectsResult {
  name: string;
  prefix: string;
  delimiter: string;
  marker: string;
  nextMarker: string | null;
  maxKeys: number;
  truncated: boolean;
  objects: ObjectEntry[];
  commonPrefixes: string[];
}

export interface PutObjectResult {
  bucketName: string;
  objectName: string;
  accessKeyId: string;
  signature: string;
  expires: number;
  previousVersionId?: string | null;
}

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
