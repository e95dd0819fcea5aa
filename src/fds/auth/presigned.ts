// Presigned URIs (fds-protocol §2.3): `GalaxyAccessKeyId`, `Expires` (ms) and a raw `Signature` in
// the query. The check wins over any other credential on the request. `Expires` is parsed once,
// strictly (digits only; each credential parameter at most once), and that same string is the
// signed DateLine: a presigned request never signs a Date or x-xiaomi-date header, so a captured
// header-signed request cannot be replayed as a presigned URL. `Expires` in the past is
// "Request Expired".
import { FdsError } from '../../core/fds/errors.ts';
import { parsePresignedQuery } from '../../core/fds/presign.ts';
import { verifySignature } from '../../core/fds/signer.ts';
import { SERVER_ACCESS_KEY_ID } from '../keys.ts';
import type { AuthenticatorFactory } from './authenticator.ts';
import { developerIdentity, SERVER_IDENTITY } from './identities.ts';

export const presignedAuthenticator: AuthenticatorFactory = ({ keys, now }) => ({
  name: 'presigned',
  async authenticate(req) {
    const p = parsePresignedQuery(req.query);
    if (!p) return undefined;
    const signed = { ...req, dateLine: p.expires };
    const expired = Number(p.expires) < now();
    if (p.accessKeyId === SERVER_ACCESS_KEY_ID) {
      if (!verifySignature(signed, keys.serverSecretKey(), p.signature)) throw new FdsError('SignatureDoesNotMatch');
      if (expired) throw new FdsError('RequestExpired');
      return SERVER_IDENTITY;
    }
    const key = await keys.lookup(p.accessKeyId);
    if (!key || !verifySignature(signed, key.accessSecret, p.signature)) throw new FdsError('SignatureDoesNotMatch');
    if (expired) throw new FdsError('RequestExpired');
    return developerIdentity(key);
  },
});
