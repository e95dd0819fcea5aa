// The composition of stores and services that every site and CLI command works with.
import { randomBytes } from 'node:crypto';
import { type Config, ConfigError, isEmbedded } from './config.ts';
import { LIFETIMES } from './core/account/lifetimes.ts';
import type { Gate } from './lib/gate.ts';
import { hmacSha256Hex, safeEqual } from './lib/hash.ts';
import { type AccountServices, accountServices } from './services/account-center/index.ts';
import { AdminService } from './services/admin.ts';
import { AdminTokens } from './services/admin-tokens.ts';
import { AppService } from './services/apps.ts';
import { AuditService } from './services/audit.ts';
import { PasskeyRp } from './services/factors/passkeys.ts';
import { FactorService } from './services/factors/service.ts';
import { FactorSetup } from './services/factors/setup.ts';
import { FdsDerivedCache } from './services/fds/derived-cache.ts';
import { FdsImageRenderer, imageGate } from './services/fds/images.ts';
import { FdsKeys } from './services/fds/keys.ts';
import { FdsStorage } from './services/fds/storage.ts';
import { FdsSweeper } from './services/fds/sweeper.ts';
import { FriendService } from './services/friends.ts';
import { Messenger } from './services/messaging/messenger.ts';
import { NodeRegistry } from './services/node-registry.ts';
import { OAuthService } from './services/oauth/oauth-service.ts';
import { OidcService } from './services/oidc/service.ts';
import { PassbookService } from './services/passbook.ts';
import { RecoveryService } from './services/self-service/recovery.ts';
import { SignupService } from './services/self-service/signup.ts';
import { SignOut } from './services/sign-out.ts';
import { StorageTokenService } from './services/storage-tokens/service.ts';
import { UsageCounters } from './services/usage.ts';
import { UserService } from './services/users.ts';
import { keyringOf } from './store/blobs/blob-keys.ts';
import type { BlobStore } from './store/blobs/blob-store.ts';
import { openBlobs } from './store/blobs/open-blobs.ts';
import { ReadCachedBlobStore } from './store/blobs/read-cache.ts';
import type { Cache } from './store/cache/cache.ts';
import { dropLocalEntries } from './store/cache/invalidating-cache.ts';
import { openCache } from './store/cache/open-cache.ts';
import { AdminTokensRepo } from './store/db/admin-tokens-repo.ts';
import { AppsRepo } from './store/db/apps-repo.ts';
import { AuditRepo } from './store/db/audit-repo.ts';
import { type Db, openDb } from './store/db/connect.ts';
import { DevelopersRepo } from './store/db/developers-repo.ts';
import { FactorsRepo } from './store/db/factors-repo.ts';
import { createFdsRepos } from './store/db/fds/repos.ts';
import { FriendsRepo } from './store/db/friends-repo.ts';
import { migrate } from './store/db/migrate.ts';
import { NodesRepo } from './store/db/nodes-repo.ts';
import { OAuthCodesRepo } from './store/db/oauth-codes-repo.ts';
import { OAuthGrantsRepo } from './store/db/oauth-grants-repo.ts';
import { WebSessionsRepo } from './store/db/oauth-sessions-repo.ts';
import { OAuthTokensRepo } from './store/db/oauth-tokens-repo.ts';
import { OidcRepo } from './store/db/oidc-repo.ts';
import { PassbookRepo } from './store/db/passbook-repo.ts';
import { SelfServiceRepo } from './store/db/self-service-repo.ts';
import { SettingsRepo } from './store/db/settings-repo.ts';
import { StatsRepo } from './store/db/stats-repo.ts';
import { StorageTokensRepo } from './store/db/storage-tokens-repo.ts';
import { UsageRepo } from './store/db/usage-repo.ts';
import { UsersRepo } from './store/db/users-repo.ts';
import { hasExpiringSets } from './store/expiring-set.ts';
import { createWebKit, type WebKit } from './web/web-kit.ts';

export interface Services {
  users: UserService;
  apps: AppService;
  friends: FriendService;
  audit: AuditService;
  settings: SettingsRepo;
  oauth: OAuthService;
  /** OpenID Connect: id_tokens, signing keys, userinfo, per-app OIDC settings. */
  oidc: OidcService;
  passbook: PassbookService;
  storageTokens: StorageTokenService;
  fdsKeys: FdsKeys;
  /** FDS metadata and blobs together (store, discard, free; `repos` per table family). */
  fds: FdsStorage;
  fdsSweeper: FdsSweeper;
  /** Image processing (sharp, loaded on first use) and its derived-blob cache. */
  fdsImages: FdsImageRenderer;
  /** The gate of every sharp job in the process (FDS image operations, avatar uploads). */
  imageGate: Gate;
  fdsDerived: FdsDerivedCache;
  /** Page toolkit: CSRF, sessions, locale. */
  web: WebKit;
  /** E-mail and SMS (sign-up codes, recovery), or the developer outbox. */
  messenger: Messenger;
  signup: SignupService;
  recovery: RecoveryService;
  /** Roles, locks, deletions, app disabling (admin API, CLI). */
  admin: AdminService;
  /** Bearer tokens of the admin API. */
  adminTokens: AdminTokens;
  /** Password changes and `opal user sessions revoke`: end every session and FDS token of a user. */
  signOut: SignOut;
  /** Second factors: TOTP, passkeys, recovery codes. */
  factors: FactorService;
  /** Setting up and removing factors from the account center (pages and JSON). */
  factorSetup: FactorSetup;
  /** Row counts (admin API status). */
  stats: StatsRepo;
  /** Live nodes (heartbeats; the admin status page). */
  nodes: NodeRegistry;
  /** Per-app usage counters (developer console), batched in memory. */
  usage: UsageCounters;
  /** The account center (/account): sessions, apps, avatars, contact and password changes. */
  account: AccountServices;
}

/** Background work a server starts for the sites it serves; close() stops all of it. */
export interface BackgroundWork {
  /** Hourly purge of expired codes, tokens and page sessions (account origin). */
  purges?: boolean;
  /** Lifecycle rules and blob collection, every `sweepIntervalMs` (FDS origin). */
  sweeper?: boolean;
  /** Revoke storage tokens when the grant they came from is revoked on any node (FDS origin). */
  storageTokenRevocations?: boolean;
}

/** Sweeper period (lifecycle and blob collection). */
export const SWEEP_INTERVAL_MS = 60_000;
/** Purge period of expired OAuth records and page sessions. */
export const PURGE_INTERVAL_MS = 3600_000;

export interface Context {
  config: Config;
  db: Db;
  cache: Cache;
  blobs: BlobStore;
  services: Services;
  /** Secret for keyed derivations (openId, unionId, client-secret hashes), shared by every node. */
  serverSecret: string;
  /** Starts background work (idempotent per kind); close() stops it before closing the stores. */
  startBackground(work: BackgroundWork, log?: (err: unknown, what: string) => void): void;
  /** Stops background work, then closes every store; idempotent. */
  close(): Promise<void>;
}

export interface ContextOptions {
  /** Apply migrations (default true). */
  migrate?: boolean;
  /** Open the cache and blob stores too (default true; the CLI's data commands skip them). */
  full?: boolean;
  /** PostgreSQL schema (tests). */
  pgSchema?: string;
  now?: () => number;
}

/**
 * The server secret keys client-secret hashes and openId/unionId derivations: a different secret
 * on a store that was set up with another one would silently invalidate every app secret and
 * change every openId. The store keeps a fingerprint of the first secret and refuses others.
 */
async function checkServerSecret(settings: SettingsRepo, secret: string): Promise<void> {
  const fingerprint = hmacSha256Hex(secret, 'opal server secret fingerprint');
  const stored = await settings.getOrInit('server_secret_fingerprint', fingerprint);
  if (!safeEqual(stored, fingerprint)) {
    throw new ConfigError([
      'OPAL_SERVER_SECRET: differs from the secret this database was set up with (it would invalidate every client secret and change every openId); use the original secret',
    ]);
  }
}

export async function createContext(config: Config, opts: ContextOptions = {}): Promise<Context> {
  const db = await openDb({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    ...(opts.pgSchema ? { pgSchema: opts.pgSchema } : {}),
    // Reads may have seen the lost writes: nothing cached from them may stay.
    onWriteLost: dropLocalEntries,
  });
  let cache: Cache | undefined;
  let blobs: BlobStore | undefined;
  let closed = false;
  const stops: Array<() => unknown> = [];
  const close = async () => {
    if (closed) return;
    closed = true;
    await Promise.allSettled(stops.map((s) => s()));
    await Promise.allSettled([cache?.close(), blobs?.close()]);
    await db.close();
  };
  try {
    if (opts.migrate !== false) await migrate(db);
    const now = opts.now ?? Date.now;
    const settings = new SettingsRepo(db.kysely);
    const serverSecret = config.serverSecret ?? (await settings.getOrInit('server_secret', randomBytes(32).toString('base64url')));
    await checkServerSecret(settings, serverSecret);
    const cacheOf = (): Cache => {
      if (!cache) throw new Error('cache not opened in this context');
      return cache;
    };
    const users = new UserService(new UsersRepo(db.kysely), now, cacheOf);
    const apps = new AppService(new AppsRepo(db.kysely), new DevelopersRepo(db.kysely), () => serverSecret, now, cacheOf);
    const audit = new AuditService(new AuditRepo(db.kysely), now);
    const blobsOf = (): BlobStore => {
      if (!blobs) throw new Error('blob store not opened in this context');
      return blobs;
    };
    const oauth = new OAuthService({
      grants: new OAuthGrantsRepo(db.kysely),
      codes: new OAuthCodesRepo(db.kysely),
      tokens: new OAuthTokensRepo(db.kysely),
      apps,
      audit,
      cache: cacheOf,
      serverSecret,
      lifetimes: LIFETIMES[config.lifetimeProfile],
      db: db.kysely,
      now,
    });
    // The FDS hot-path caches (buckets, access keys) must see a change at once on every node:
    // only where a broadcast reaches every node (Redis) or one process serves both sites on the
    // embedded store (`--only account` and `--only fds` on one data directory are two processes
    // that nothing tells of each other's changes).
    const oneProcess = db.dialect === 'sqlite' && config.sites.includes('account') && config.sites.includes('fds');
    const broadcastCacheOf =
      config.redisUrl || oneProcess
        ? cacheOf
        : () => {
            throw new Error('no broadcast reaches the other nodes');
          };
    const fdsRepos = createFdsRepos(db.kysely, db.dialect, now, broadcastCacheOf, () => db.readFence());
    const fds = new FdsStorage(fdsRepos, blobsOf, now);
    const selfService = new SelfServiceRepo(db.kysely);
    const webSessions = new WebSessionsRepo(db.kysely);
    const messenger = Messenger.fromConfig(config, (e, what) => {
      process.stderr.write(`${JSON.stringify({ level: 'warn', msg: what, err: e instanceof Error ? e.message : String(e) })}\n`);
    });
    const storageTokens = new StorageTokenService({
      config,
      repo: new StorageTokensRepo(db.kysely),
      apps,
      audit,
      cache: cacheOf,
      oauth,
      now,
    });
    const fdsDerived = new FdsDerivedCache(fds, blobsOf, config.fdsImageCacheBytes);
    const signOut = new SignOut({ users, sessions: webSessions, storageTokens, audit, tokens: new OAuthTokensRepo(db.kysely), now });
    const passbook = new PassbookService(new PassbookRepo(db.kysely), apps, users, audit);
    const nodesRepo = new NodesRepo(db.kysely, now);
    const images = imageGate();
    const factors = new FactorService({
      repo: new FactorsRepo(db.kysely),
      passkeys: new PasskeyRp({
        publicUrl: config.publicUrl,
        rpName: () => config.brandName ?? 'Opal',
        serverSecret,
        cache: cacheOf,
        now,
      }),
      audit,
      serverSecret,
      now,
    });
    const services: Services = {
      users,
      apps,
      friends: new FriendService(new FriendsRepo(db.kysely), users, now),
      audit,
      settings,
      oauth,
      oidc: new OidcService({
        repo: new OidcRepo(db.kysely, () => db.readFence()),
        apps,
        users,
        serverSecret: () => serverSecret,
        issuer: () => config.publicUrl,
        now,
      }),
      passbook,
      storageTokens,
      fdsKeys: new FdsKeys(fdsRepos.accessKeys, serverSecret, {
        cache: broadcastCacheOf,
        appEnabled: async (clientId) => (await apps.get(clientId)) !== undefined,
        now,
      }),
      fds,
      fdsSweeper: new FdsSweeper(fds, fdsDerived),
      web: createWebKit(serverSecret, webSessions, users, config.publicUrl, {
        name: config.brandName,
        logoUrl: config.brandLogoUrl,
        color: config.brandColor,
      }),
      messenger,
      signup: new SignupService({ config, repo: selfService, users, audit, messenger, cache: cacheOf, now }),
      recovery: new RecoveryService({
        config,
        repo: selfService,
        users,
        sessions: webSessions,
        signOut,
        tokens: new OAuthTokensRepo(db.kysely),
        audit,
        messenger,
        cache: cacheOf,
        now,
      }),
      admin: new AdminService({ users, apps, oauth, sessions: webSessions, audit, signOut, recovery: () => services.recovery }),
      adminTokens: new AdminTokens(new AdminTokensRepo(db.kysely), users, now),
      signOut,
      factors,
      factorSetup: new FactorSetup({ factors, users, audit, cache: cacheOf, serverSecret }),
      stats: new StatsRepo(db.kysely),
      // Redis when configured (the cache is opened below, before anything starts), else the database.
      nodes: new NodeRegistry(
        () => (cache && hasExpiringSets(cache) ? cache.expiringSet('nodes') : nodesRepo),
        config.nodeHeartbeatMs,
        now,
      ),
      usage: new UsageCounters(new UsageRepo(db.kysely), now, (e) => {
        process.stderr.write(
          `${JSON.stringify({ level: 'warn', msg: 'usage counters not written', err: e instanceof Error ? e.message : String(e) })}\n`,
        );
      }),
      fdsImages: new FdsImageRenderer({ maxPixels: config.fdsImageMaxPixels, maxSourceBytes: config.fdsImageMaxBytes }, images),
      imageGate: images,
      fdsDerived,
      account: accountServices({
        db: db.kysely,
        users,
        apps,
        oauth,
        passbook,
        storageTokens,
        sessions: webSessions,
        signOut,
        messenger,
        audit,
        cache: cacheOf,
        publicUrl: config.publicUrl,
        imageGate: images,
        now,
      }),
    };
    stops.push(() => services.messenger.close());
    stops.push(() => services.usage.close());
    stops.push(() => services.nodes.stop());
    const started = new Set<keyof BackgroundWork>();
    const startBackground = (work: BackgroundWork, log: (err: unknown, what: string) => void = () => undefined) => {
      if (closed) return;
      if (work.purges && !started.has('purges')) {
        started.add('purges');
        const timer = setInterval(() => {
          Promise.all([
            oauth.purgeExpired(),
            services.web.sessions.purgeExpired(),
            selfService.purge(now()),
            services.oidc.keys.purgeRetired(),
          ]).catch((e: unknown) => log(e, 'oauth purge failed'));
        }, PURGE_INTERVAL_MS);
        timer.unref();
        stops.push(() => clearInterval(timer));
      }
      if (work.sweeper && !started.has('sweeper')) {
        started.add('sweeper');
        services.fdsSweeper.start(SWEEP_INTERVAL_MS);
        stops.push(() => services.fdsSweeper.stop());
      }
      if (work.storageTokenRevocations && !started.has('storageTokenRevocations')) {
        started.add('storageTokenRevocations');
        services.storageTokens.listenForGrantRevocations();
        stops.push(() => services.storageTokens.stopListening());
      }
    };
    if (opts.full !== false) {
      cache = await openCache(config.redisUrl, config.redisPrefix, config.memoryCacheMb * 1024 * 1024);
      const opened = await openBlobs(config.blobUrl, config.dataDir, keyringOf(config), db);
      blobs = config.fdsReadCacheMb > 0 ? new ReadCachedBlobStore(opened, config.fdsReadCacheMb * 1024 * 1024) : opened;
    }
    return {
      config,
      db,
      get cache(): Cache {
        if (!cache) throw new Error('cache not opened in this context');
        return cache;
      },
      get blobs(): BlobStore {
        if (!blobs) throw new Error('blob store not opened in this context');
        return blobs;
      },
      services,
      serverSecret,
      startBackground,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

export { isEmbedded };
