// FDS access keys: one per app, created on demand. Secrets are derived, never stored:
// accessSecret = base64url(HMAC-SHA256(serverSecret, `fds-secret|<accessKeyId>|<version>`)).
// Rotation bumps the version (the access key id stays, so ACL grants naming it keep working).
// A secret handed out never begins with '-' (lib/random.ts, readsAsOption): a new key draws its id
// again, and a rotation bumps the version once more, when the derived secret would.
// A key acts for its app's developer: a developer's apps share its buckets.
// Every signed FDS request looks its key up: keys (with their derived secret) are kept in a
// node-local cache (store/cache/row-cache.ts) that a rotation or revocation drops on every node;
// whether the app is still enabled is asked of the app service each time (its own cache is dropped
// on every node when the app is disabled or deleted).
import { createHmac, randomBytes } from 'node:crypto';
import { NotFoundError } from '../../lib/errors.ts';
import { readsAsOption } from '../../lib/random.ts';
import type { Cache } from '../../store/cache/cache.ts';
import { RowCache } from '../../store/cache/row-cache.ts';
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

/** How long a cached key may go unseen by a change no broadcast reaches (the `opal` CLI beside a server on the embedded store). */
export const KEY_CACHE_TTL_MS = 5_000;

export interface FdsKeysOptions {
  /** The shared cache whose broadcasts reach every node; without one, every look-up reads the store. */
  cache?: () => Cache;
  /** Whether the app may use the protocols now (known, not disabled). */
  appEnabled?: (clientId: string) => Promise<boolean>;
  now?: () => number;
}

export class FdsKeys {
  private readonly byId: RowCache<FdsKey>;
  private readonly appEnabled: (clientId: string) => Promise<boolean>;

  constructor(
    private readonly repo: FdsAccessKeysRepo,
    private readonly serverSecret: string,
    o: FdsKeysOptions = {},
  ) {
    const noCache = () => {
      throw new Error('no shared cache');
    };
    this.byId = new RowCache<FdsKey>({
      cache: o.cache ?? noCache,
      channel: 'fds-keys:changed',
      ttlMs: KEY_CACHE_TTL_MS,
      maxEntries: 10_000,
      ...(o.now ? { now: o.now } : {}),
    });
    this.appEnabled = o.appEnabled ?? (async () => true);
  }

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
    let accessKeyId: string;
    do accessKeyId = `AK${randomBytes(10).toString('hex').toUpperCase()}`;
    while (readsAsOption(this.secretOf(accessKeyId, 1)));
    if (!(await this.repo.insertIfAbsent(clientId, accessKeyId, 1))) throw new NotFoundError(`no app ${clientId}`);
    const k = await this.forApp(clientId);
    if (!k) throw new Error(`FDS key for ${clientId} vanished`);
    return k;
  }

  /** A new secret for the app's key (the access key id is kept). */
  async rotate(clientId: string): Promise<FdsKey> {
    const old = await this.ensure(clientId);
    let k: FdsKey | undefined;
    do {
      await this.repo.bumpVersion(clientId);
      k = await this.forApp(clientId);
    } while (k && readsAsOption(k.accessSecret));
    await this.byId.invalidate(old.accessKeyId);
    if (!k) throw new NotFoundError(`no app ${clientId}`);
    return k;
  }

  /**
   * Revokes the app's key: requests signed with it (presigned URLs included) are refused from now
   * on, on every node (the cached key is dropped everywhere); a key created later gets a new id.
   * False when it had none.
   */
  async revoke(clientId: string): Promise<boolean> {
    const had = await this.repo.byApp(clientId);
    const deleted = await this.repo.deleteForApp(clientId);
    if (had) await this.byId.invalidate(had.accessKeyId);
    return deleted;
  }

  async forApp(clientId: string): Promise<FdsKey | undefined> {
    return this.withSecret(await this.repo.byApp(clientId));
  }

  /** Looks a key up by its id (authentication): a disabled app's key is unknown, like the app. */
  async lookup(accessKeyId: string): Promise<FdsKey | undefined> {
    if (accessKeyId.length > 128) return undefined;
    const k = await this.byId.get(accessKeyId, async () => {
      const r = await this.repo.byId(accessKeyId);
      return r?.appDisabled ? undefined : this.withSecret(r);
    });
    return k && (await this.appEnabled(k.clientId)) ? k : undefined;
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
