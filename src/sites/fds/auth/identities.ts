// Identities for the credential kinds this folder knows (fds-protocol §2.6).
import type { FdsIdentity } from '../../../core/fds/acl.ts';
import type { FdsKey } from '../../../services/fds/keys.ts';

/**
 * Who is calling, as this server knows it: the protocol identity plus, for a developer, the access
 * key it authenticated with (PutObjectResult presigns with it without a second look-up). Carries a
 * secret: never log or serialize it whole.
 */
export type Caller = FdsIdentity & { key?: FdsKey };

/** A developer acting through one of its apps' access keys: USER grants may name the key or the developer. */
export function developerIdentity(k: FdsKey): Caller {
  return {
    key: k,
    kind: 'developer',
    grantIds: [k.accessKeyId, k.developerId],
    ownerId: k.developerId,
    creatorId: k.developerId,
    accessKeyId: k.accessKeyId,
    ssoWrite: false,
    displayName: k.developerName,
  };
}

/** A URL presigned by this server for a caller without an access key: reads one object version, nothing else. */
export function serverIdentity(versionId: string): FdsIdentity {
  return {
    kind: 'server',
    grantIds: [],
    ownerId: undefined,
    creatorId: undefined,
    ssoWrite: false,
    displayName: 'opal',
    readOnly: true,
    boundVersionId: versionId,
  };
}
