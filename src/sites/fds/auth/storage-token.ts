// `Authorization: OAuth` + `?appId=…&storageAccessToken=<token>` (fds-protocol §2.4, step 2): the
// caller is the pair (app, provider user) of an exchanged storage token. The DOC's curl form
// without the header is accepted too when the query carries a non-empty storageAccessToken.
import { FdsError } from '../../../core/fds/errors.ts';
import type { AuthenticatorFactory } from './authenticator.ts';
import { appUserIdentity } from './storage-identity.ts';

export const storageTokenAuthenticator: AuthenticatorFactory = ({ ctx }) => {
  return {
    name: 'oauth-storage-token',
    async authenticate(req) {
      const header = req.header('authorization')?.trim();
      const token = req.params.get('storageAccessToken');
      const claimed = header ? /^OAuth$/i.test(header) : token !== undefined && token !== '';
      if (!claimed) return undefined;
      if (!token) throw new FdsError('AuthenticationFailed', 'storageAccessToken is required with Authorization: OAuth');
      const appId = req.params.get('appId') || undefined;
      const caller = await ctx.services.storageTokens.authenticateStorageToken(appId, token);
      if (!caller) throw new FdsError('AuthenticationFailed', 'the storage access token is unknown, expired or revoked');
      return appUserIdentity(caller);
    },
  };
};
