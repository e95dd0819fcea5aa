// Result bodies shared by put, post, complete and copy (fds-protocol §5.1 PutObjectResult): the
// presigned GET triple is signed with the caller's access key, or the server's own key for callers
// without one. `expires` defaults to 30 days; the query `expires=<ms>` overrides it.
import { presignSignature } from '../core/fds/presign.ts';
import type { FdsCall } from './call.ts';
import { SERVER_ACCESS_KEY_ID } from './keys.ts';

const THIRTY_DAYS = 30 * 24 * 3600 * 1000;

export interface PutObjectResult {
  bucketName: string;
  objectName: string;
  accessKeyId: string;
  signature: string;
  expires: number;
  previousVersionId: string | null;
  versionId: string;
}

export async function putObjectResult(
  c: FdsCall,
  bucket: string,
  object: string,
  previous: string | undefined,
  versionId: string,
): Promise<PutObjectResult> {
  const asked = Number(c.params.get('expires'));
  const expires = Number.isFinite(asked) && asked > 0 ? Math.floor(asked) : c.env.now() + THIRTY_DAYS;
  const key = c.who.accessKeyId ? await c.env.keys.lookup(c.who.accessKeyId) : undefined;
  const accessKeyId = key?.accessKeyId ?? SERVER_ACCESS_KEY_ID;
  const secret = key?.accessSecret ?? c.env.keys.serverSecretKey();
  return {
    bucketName: bucket,
    objectName: object,
    accessKeyId,
    signature: presignSignature({ method: 'GET', bucket, object, expires, accessKeyId, secret }),
    expires,
    previousVersionId: previous ?? null,
    versionId,
  };
}
