// The authenticator chain, in the order of fds-protocol §2.1: presigned URL, Galaxy-V2 signature,
// then the token kinds (OAuth storage token, SSO serviceToken: add their factories here, in their
// own files). A request none of them claims is anonymous and can do only what ACLs grant ALL_USERS.
import { ANONYMOUS } from '../../../core/fds/acl.ts';
import type { AuthDeps, Authenticator, AuthenticatorFactory, AuthRequest } from './authenticator.ts';
import type { Caller } from './identities.ts';
import { presignedAuthenticator } from './presigned.ts';
import { signatureAuthenticator } from './signature.ts';
import { ssoAuthenticator } from './sso.ts';
import { storageTokenAuthenticator } from './storage-token.ts';

export const AUTHENTICATORS: AuthenticatorFactory[] = [
  presignedAuthenticator,
  signatureAuthenticator,
  storageTokenAuthenticator,
  ssoAuthenticator,
];

export class AuthChain {
  private readonly chain: Authenticator[];

  constructor(deps: AuthDeps, factories: AuthenticatorFactory[] = AUTHENTICATORS) {
    this.chain = factories.map((f) => f(deps));
  }

  async identify(req: AuthRequest): Promise<Caller> {
    for (const a of this.chain) {
      const who = await a.authenticate(req);
      if (who) return who;
    }
    return ANONYMOUS;
  }
}
