// The JS SDK's server-side presign (fds-protocol §5.13, §2.3): `GET /{b}/{o}?presignedUrl&…` answers
// a presigned URL as text, `{fdsPublicUrl}/{b}/{o}?[sub&]GalaxyAccessKeyId=…&Expires=…&Signature=…`.
// Only for what the caller may do on that object:
//  - app users (SSO serviceToken, OAuth storage token) have no access key: they get a URL for a
//    read of the current version (GET, HEAD, `metadata`, image processing) when they may read it,
//    signed with the server key bound to that version (`OPAL-SERVER.<versionId>`, as in their
//    PutObjectResult, results.ts) and living at most SERVER_PRESIGN_MAX_MS (also the default);
//  - developers get a URL under their own access key (reads need the object readable, writes
//    need bucket WRITE; what the URL does is checked again when it is used, as the developer).
// `enableCdn` and `enableHttps` are accepted and do not change the URL: Opal has one public base
// URL (`fdsPublicUrl`; put https there when a TLS proxy fronts it).
import { dispatch, type Operation } from '../../core/fds/dispatch.ts';
import { FdsError } from '../../core/fds/errors.ts';
import { checkObjectName } from '../../core/fds/names.ts';
import { presignUrl } from '../../core/fds/presign.ts';
import { parsePresignRequest } from '../../core/fds/presign-request.ts';
import { parseQuery } from '../../core/fds/query.ts';
import { SERVER_PRESIGN_MAX_MS, serverAccessKeyId } from '../../services/fds/keys.ts';
import { checkReadObject, checkWrite, requireBucket } from './access.ts';
import type { FdsCall } from './call.ts';
import { sendText } from './replies.ts';

/** Whether a URL signed by the server may run an operation (operations.ts `serverSigned`). */
export type ServerSignable = (op: Operation) => boolean;

export async function presignObjectUrl(c: FdsCall, serverSignable: ServerSignable): Promise<void> {
  const req = parsePresignRequest(c.params);
  const name = c.object ?? '';
  checkObjectName(name);
  const b = await requireBucket(c);
  const target = dispatch(req.method, { bucket: b.name, object: name }, parseQuery(req.subResources.join('&')));
  const read = serverSignable(target);
  const now = c.env.now();
  const base = { method: req.method, bucket: b.name, object: name, subResources: req.subResources, algorithm: req.algorithm };
  const key = c.who.key;
  let url: string;
  if (key && c.who.kind === 'developer') {
    if (read) {
      const o = await c.env.objects.current(b.name, name);
      if (!o) throw new FdsError('ObjectNotFound');
      checkReadObject(c, b, o);
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      checkWrite(c, b);
    }
    const expires = req.expiration ?? now + SERVER_PRESIGN_MAX_MS;
    url = presignUrl(c.env.ctx.config.fdsPublicUrl, { ...base, expires, accessKeyId: key.accessKeyId, secret: key.accessSecret });
  } else if (c.who.kind === 'app-user') {
    if (!read) throw new FdsError('ObjectAccessDenied', 'an app user can presign reads of an object only');
    const o = await c.env.objects.current(b.name, name);
    if (!o) throw new FdsError('ObjectNotFound');
    checkReadObject(c, b, o);
    const expires = Math.min(req.expiration ?? Number.POSITIVE_INFINITY, now + SERVER_PRESIGN_MAX_MS);
    url = presignUrl(c.env.ctx.config.fdsPublicUrl, {
      ...base,
      expires,
      accessKeyId: serverAccessKeyId(o.version_id),
      secret: c.env.keys.serverSecretKey(o.version_id),
    });
  } else {
    throw new FdsError('ObjectAccessDenied');
  }
  sendText(c, url);
}
