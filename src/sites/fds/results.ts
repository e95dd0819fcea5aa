// Result bodies shared by put, post, complete and copy (fds-protocol §5.1 PutObjectResult): the
// presigned GET triple is signed with the caller's access key (`expires` defaults to 30 days; the
// query `expires=<ms>` overrides it), or, for callers without one (app users), with the server key
// bound to the version just written (`OPAL-SERVER.<versionId>`, keys.ts): that URL reads exactly
// that version and lives at most SERVER_PRESIGN_MAX_MS (1 day; also the default).
import type { Static } from '@sinclair/typebox/type';
import { presignSignature } from '../../core/fds/presign.ts';
import type { PutObjectResult } from '../../core/fds/responses.ts';
import { SERVER_PRESIGN_MAX_MS, serverAccessKeyId } from '../../services/fds/keys.ts';
import type { FdsCall } from './call.ts';

const THIRTY_DAYS = 30 * 24 * 3600 * 1000;

export async function putObjectResult(
  c: FdsCall,
  bucket: string,
  object: string,
  previous: string | undefined,
  versionId: string,
): Promise<Static<typeof PutObjectResult>> {
  const now = c.env.now();
  const raw = Number(c.params.get('expires'));
  const asked = Number.isFinite(raw) && raw > 0 ? Math.floor(raw) : undefined;
  const key = c.who.key;
  const expires = key ? (asked ?? now + THIRTY_DAYS) : Math.min(asked ?? Number.POSITIVE_INFINITY, now + SERVER_PRESIGN_MAX_MS);
  const accessKeyId = key?.accessKeyId ?? serverAccessKeyId(versionId);
  const secret = key?.accessSecret ?? c.env.keys.serverSecretKey(versionId);
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
