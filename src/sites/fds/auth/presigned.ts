// Presigned URIs (fds-protocol §2.3): `GalaxyAccessKeyId`, `Expires` (ms) and a raw `Signature` in
// the query. The check wins over any other credential on the request. `Expires` is parsed once,
// strictly (digits only; each credential parameter at most once), and that same string is the
// signed DateLine: a presigned request never signs a Date or x-xiaomi-date header, so a captured
// header-signed request cannot be replayed as a presigned URL. `Expires` in the past is
// "Request Expired". Server-signed URLs (`OPAL-SERVER.<versionId>`, keys.ts) read only that
// version and live at most a day.
import { FdsError } from '../../../core/fds/errors.ts';
import { parsePresignedQuery } from '../../../core/fds/presign.ts';
import { verifySignature } from '../../../core/fds/signer.ts';
import { boundVersionOf, SERVER_PRESIGN_MAX_MS } from '../../../services/fds/keys.ts';
import type { AuthenticatorFactory } from './authenticator.ts';
import { developerIdentity, serverIdentity } from './identities.ts';

export const presignedAuthenticator: AuthenticatorFactory = ({ keys, now }) => ({
  name: 'presigned',
  async authenticate(req) {
    const p = parsePresignedQuery(req.query);
    if (!p) return undefined;
    const signed = { ...req, dateLine: p.expires };
    const expired = Number(p.expires) < now();
    const bound = boundVersionOf(p.accessKeyId);
    if (bound !== undefined) {
      if (!verifySignature(signed, keys.serverSecretKey(bound), p.signature)) throw new FdsError('SignatureDoesNotMatch');
      if (expired) throw new FdsError('RequestExpired');
      // Issued with at most SERVER_PRESIGN_MAX_MS to live (a minute of slack for clocks of other nodes).
      if (Number(p.expires) > now() + SERVER_PRESIGN_MAX_MS + 60_000)
        throw new FdsError('RequestExpired', 'server-signed URLs live at most one day');
      return serverIdentity(bound);
    }
    const key = await keys.lookup(p.accessKeyId);
    if (!key || !verifySignature(signed, key.accessSecret, p.signature)) throw new FdsError('SignatureDoesNotMatch');
    if (expired) throw new FdsError('RequestExpired');
    return developerIdentity(key);
  },
});
