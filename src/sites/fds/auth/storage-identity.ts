// The FDS identity of a storage-token or serviceToken caller (fds-protocol §2.6): an app user
// owns what it uploads and may create objects where the bucket grants it (or AUTHENTICATED_USERS)
// WRITE or SSO_WRITE. Principal ids (what ACL USER grants name, and the owner id of its objects):
//   OAuth storage token: `oauth:<appId>:<provider>:<providerUserId>`
//   SSO serviceToken:    `sso:<userId>`, and the plain Opal user id (Java `testSetWriteWithSSO` style).
import type { FdsIdentity } from '../../../core/fds/acl.ts';
import type { StorageCaller } from '../../../services/storage-tokens/service.ts';

export function principalOf(c: StorageCaller): string {
  return c.kind === 'sso' ? `sso:${c.providerUserId}` : `oauth:${c.appId ?? ''}:${c.provider}:${c.providerUserId}`;
}

export function appUserIdentity(c: StorageCaller): FdsIdentity {
  const principal = principalOf(c);
  return {
    kind: 'app-user',
    grantIds: c.kind === 'sso' ? [principal, c.providerUserId] : [principal],
    ownerId: principal,
    creatorId: principal,
    ssoWrite: true,
    displayName: principal,
  };
}
