// The identifiers derived from the server secret (core/account/ids.ts): openId per (client, user),
// unionId per (developer, user), and the MAC key of an access token. Never stored.
import { deriveMacKey, deriveOpenId, deriveUnionId } from '../../core/account/ids.ts';

export class DerivedIds {
  constructor(private readonly serverSecret: string) {}

  openIdOf(clientId: string, userId: string): string {
    return deriveOpenId(this.serverSecret, clientId, userId);
  }

  unionIdOf(developerId: string, userId: string): string {
    return deriveUnionId(this.serverSecret, developerId, userId);
  }

  macKeyOf(accessToken: string): string {
    return deriveMacKey(this.serverSecret, accessToken);
  }
}
