// Presigned URIs (fds-protocol §2.3): `GalaxyAccessKeyId`, `Expires` (ms) and a raw `Signature` in
// the query. The check wins over any other credential on the request. `Expires` in the past is
// "Request Expired".
import { FdsError } from '../../core/fds/errors.ts';
import { verifySignature } from '../../core/fds/signer.ts';
import { SERVER_ACCESS_KEY_ID } from '../keys.ts';
import type { AuthenticatorFactory } from './authenticator.ts';
import { developerIdentity, SERVER_IDENTITY } from './identities.ts';

export const presignedAuthenticator: AuthenticatorFactory = ({ keys, now }) => ({
  name: 'presigned',
  async authenticate(req) {
    const ak = req.params.get('GalaxyAccessKeyId');
    const sig = req.params.get('Signature');
    if (ak === undefined || sig === undefined) return undefined;
    const expires = Number(req.params.get('Expires'));
    if (ak === SERVER_ACCESS_KEY_ID) {
      if (!verifySignature(req, keys.serverSecretKey(), sig)) throw new FdsError('SignatureDoesNotMatch');
      if (!Number.isFinite(expires) || expires < now()) throw new FdsError('RequestExpired');
      return SERVER_IDENTITY;
    }
    const key = await keys.lookup(ak);
    if (!key || !verifySignature(req, key.accessSecret, sig)) throw new FdsError('SignatureDoesNotMatch');
    if (!Number.isFinite(expires) || expires < now()) throw new FdsError('RequestExpired');
    return developerIdentity(key);
  },
});
