// FDS access keys: one per app, created on demand. Secrets are derived, never stored:
// accessSecret = base64url(HMAC-SHA256(serverSecret, `fds-secret|<accessKeyId>|<version>`)).
// Rotation bumps the version (the access key id stays, so ACL grants naming it keep working).
// A key acts for its app's developer: a developer's apps share its buckets.
import { createHmac, randomBytes } from 'node:crypto';
import { NotFoundError } from '../../lib/errors.ts';
import type { AccessKeyRecord, FdsAccessKeysRepo } from '../../store/db/fds/access-keys-repo.ts';

export interface FdsKey {
  accessKeyId: string;
  accessSecret: string;
  clientId: string;
  developerId: string;
  developerName: string;
}

/**
 * The server's own presigning keys (PutObjectResult for callers without an access key, i.e. app
 * users): one per object version, `OPAL-SERVER.<versionId>`, with a secret derived from the server
 * secret and that version id. The id travels as `GalaxyAccessKeyId`, so the URL an SDK builds from
 * the result's triple (§2.3) names the version it may read and nothing else.
 */
export const SERVER_ACCESS_KEY_ID = 'OPAL-SERVER';

/** Longest lifetime of a server-signed URL (the default too), whatever `expires` the caller asks. */
export const SERVER_PRESIGN_MAX_MS = 24 * 3600 * 1000;

export function serverAccessKeyId(versionId: string): string {
  return `${SERVER_ACCESS_KEY_ID}.${versionId}`;
}

/** The version a server key id is bound to, or undefined when it is not a server key id. */
export function boundVersionOf(accessKeyId: string): string | undefined {
  return /^OPAL-SERVER\.([0-9a-z]{1,64})$/.exec(accessKeyId)?.[1];
}

export class FdsKeys {
  constructor(
    private readonly repo: FdsAccessKeysRepo,
    private readonly serverSecret: string,
  ) {}

  secretOf(accessKeyId: string, version: number): string {
    return createHmac('sha256', this.serverSecret).update(`fds-secret|${accessKeyId}|${version}`, 'utf8').digest('base64url');
  }

  /** Secret of the server key bound to one object version. */
  serverSecretKey(versionId: string): string {
    return createHmac('sha256', this.serverSecret).update(`fds-server-presign|${versionId}`, 'utf8').digest('base64url');
  }

  /** The app's key, created when it has none. */
  async ensure(clientId: string): Promise<FdsKey> {
    const existing = await this.forApp(clientId);
    if (existing) return existing;
    const accessKeyId = `AK${randomBytes(10).toString('hex').toUpperCase()}`;
    if (!(await this.repo.insertIfAbsent(clientId, accessKeyId, 1))) throw new NotFoundError(`no app ${clientId}`);
    const k = await this.forApp(clientId);
    if (!k) throw new Error(`FDS key for ${clientId} vanished`);
    return k;
  }

  /** A new secret for the app's key (the access key id is kept). */
  async rotate(clientId: string): Promise<FdsKey> {
    await this.ensure(clientId);
    await this.repo.bumpVersion(clientId);
    const k = await this.forApp(clientId);
    if (!k) throw new NotFoundError(`no app ${clientId}`);
    return k;
  }

  /**
   * Revokes the app's key: requests signed with it (presigned URLs included) are refused from now
   * on (look-ups are not cached); a key created later gets a new id. False when it had none.
   */
  revoke(clientId: string): Promise<boolean> {
    return this.repo.deleteForApp(clientId);
  }

  async forApp(clientId: string): Promise<FdsKey | undefined> {
    return this.withSecret(await this.repo.byApp(clientId));
  }

  /** Looks a key up by its id (authentication): a disabled app's key is unknown, like the app. */
  async lookup(accessKeyId: string): Promise<FdsKey | undefined> {
    if (accessKeyId.length > 128) return undefined;
    const r = await this.repo.byId(accessKeyId);
    return r?.appDisabled ? undefined : this.withSecret(r);
  }

  private withSecret(r: AccessKeyRecord | undefined): FdsKey | undefined {
    if (!r) return undefined;
    return {
      accessKeyId: r.accessKeyId,
      accessSecret: this.secretOf(r.accessKeyId, r.version),
      clientId: r.clientId,
      developerId: r.developerId,
      developerName: r.developerName,
    };
  }
}
