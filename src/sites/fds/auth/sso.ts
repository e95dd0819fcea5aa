// `Authorization: SSO` (or `?Authentication=SSO` on JS download links) + `?serviceToken=…[&appId=…]
// [&sid=galaxy-fds]` (fds-protocol §2.5): the caller is the Opal user the serviceToken was issued
// to on the account origin (`GET /sts?sid=galaxy-fds`, docs/storage-tokens.md). Writes need
// SSO_WRITE or WRITE on the bucket.
import { FdsError } from '../../../core/fds/errors.ts';
import type { AuthenticatorFactory } from './authenticator.ts';
import { appUserIdentity } from './storage-identity.ts';

export const ssoAuthenticator: AuthenticatorFactory = ({ ctx }) => ({
  name: 'sso-service-token',
  async authenticate(req) {
    const header = req.header('authorization')?.trim();
    const token = req.params.get('serviceToken');
    const claimed = header ? /^SSO$/i.test(header) : req.params.get('Authentication')?.toUpperCase() === 'SSO' || Boolean(token);
    if (!claimed) return undefined;
    if (!token) throw new FdsError('AuthenticationFailed', 'serviceToken is required with Authorization: SSO');
    const caller = await ctx.services.storageTokens.authenticateServiceToken(
      token,
      req.params.get('appId') || undefined,
      req.params.get('sid'),
    );
    if (!caller) throw new FdsError('AuthenticationFailed', 'the serviceToken is unknown, expired or revoked');
    return appUserIdentity(caller);
  },
});
