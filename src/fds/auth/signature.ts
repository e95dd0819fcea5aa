// `Authorization: Galaxy-V2 AK:SIG` (fds-protocol §2.2): HMAC over the StringToSign with the
// compatibility candidates of §2.2.6, and the request-time check of §2.2.5 (config fdsClockSkewMs;
// 0 disables it).
import { FdsError } from '../../core/fds/errors.ts';
import { parseAuthorization, verifySignature } from '../../core/fds/signer.ts';
import type { AuthenticatorFactory } from './authenticator.ts';
import { developerIdentity } from './identities.ts';

/** Parses RFC 1123, RFC 850, asctime, `UTC` and numeric offsets; NaN when unparseable. */
export function parseHttpDate(s: string): number {
  return Date.parse(s.trim().replace(/\bUTC$/i, 'GMT'));
}

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
    const skew = ctx.config.fdsClockSkewMs;
    if (skew > 0) {
      const date = req.header('x-xiaomi-date') || req.header('date');
      const t = date ? parseHttpDate(date) : Number.NaN;
      if (!Number.isFinite(t) || Math.abs(now() - t) > skew) throw new FdsError('RequestTimeTooSkewed');
    }
    return developerIdentity(key);
  },
});
