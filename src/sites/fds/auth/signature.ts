// `Authorization: Galaxy-V2 AK:SIG` (fds-protocol §2.2): HMAC over the StringToSign with the
// compatibility candidates of §2.2.6, and the request-time check of §2.2.5 (config fdsClockSkewMs;
// 0 disables it). A request that signs a query `Expires` as its DateLine must not be expired.
import { FdsError } from '../../../core/fds/errors.ts';
import { withinSkew } from '../../../core/fds/request-time.ts';
import { expiresParam, parseAuthorization, verifySignature } from '../../../core/fds/signer.ts';
import type { AuthenticatorFactory } from './authenticator.ts';
import { developerIdentity } from './identities.ts';

export const signatureAuthenticator: AuthenticatorFactory = ({ ctx, keys, now }) => ({
  name: 'galaxy-v2',
  async authenticate(req) {
    const header = req.header('authorization');
    if (!header || !/^Galaxy-V2\s/i.test(header.trim())) return undefined;
    const parsed = parseAuthorization(header);
    if (!parsed) throw new FdsError('AuthenticationFailed', 'malformed Galaxy-V2 authorization');
    const key = await keys.lookup(parsed.accessKeyId);
    const ok = key ? verifySignature(req, key.accessSecret, parsed.signature) : false;
    if (!key || !ok) throw new FdsError('SignatureDoesNotMatch');
    // §2.2.2 signs a query `Expires` instead of the date: then that Expires must hold, or a captured
    // presigned signature could be sent with an Authorization header and a fresh Date forever.
    const expires = expiresParam(req.query);
    if (expires !== undefined && !(/^\d{1,16}$/.test(expires) && Number(expires) >= now())) throw new FdsError('RequestExpired');
    const skew = ctx.config.fdsClockSkewMs;
    if (skew > 0) {
      const date = req.header('x-xiaomi-date') || req.header('date');
      if (!date || !withinSkew(date, now(), skew)) throw new FdsError('RequestTimeTooSkewed');
    }
    return developerIdentity(key);
  },
});
