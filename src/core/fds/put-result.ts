// The PutObjectResult body (fds-protocol §5.1) that put, post, multipart complete and copy answer
// with: a presigned GET triple for the object just written. One definition for the server
// (src/sites/fds/results.ts narrows it) and the client (src/cli/fds-client/types.ts).

export interface PutObjectResult {
  bucketName: string;
  objectName: string;
  accessKeyId: string;
  signature: string;
  expires: number;
  /** Absent or null when no current object existed, the replaced version's id otherwise. */
  previousVersionId?: string | null;
}
