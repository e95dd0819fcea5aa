// Typed configuration. Every value has a default that works in the embedded mode (SQLite, local
// blobs, in-memory cache); environment variables override an optional JSON config file, which
// overrides the defaults. Invalid configuration is reported all at once (ConfigError).
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';

export type LifetimeProfile = 'legacy' | 'hyperos';
export type Site = 'account' | 'fds';

export interface Config {
  /** Root of embedded data: SQLite file and blobs. */
  dataDir: string;
  host: string;
  /** Account origin: OAuth, open APIs, passbook, pages. */
  port: number;
  /** FDS origin. */
  fdsPort: number;
  /** postgres://… for scale-out; undefined → SQLite in dataDir. */
  databaseUrl: string | undefined;
  /** redis://… for scale-out; undefined → in-memory cache. */
  redisUrl: string | undefined;
  /** Prefix of every Redis key and channel, so that deployments can share one Redis. */
  redisPrefix: string;
  /** s3://bucket?endpoint=…&region=…&accessKeyId=…&secretAccessKey=…&forcePathStyle=true; undefined → dataDir/blobs. */
  blobUrl: string | undefined;
  /** Public base URL of the account origin (used in pages and metadata). */
  publicUrl: string;
  /** Public base URL of the FDS origin. */
  fdsPublicUrl: string;
  logLevel: string;
  /** Create a demo developer, app and user on first start of an empty embedded store. */
  demo: boolean;
  /** Secret for deriving openId/unionId and signing sessions; generated and kept in dataDir if unset. */
  serverSecret: string | undefined;
  /** Token lifetime profile (account-protocol §2.5). */
  lifetimeProfile: LifetimeProfile;
  /** Host names that MAC canonical strings may carry (account-protocol §5.4). */
  macHosts: string[];
  /** Open-API error HTTP status mode (account-protocol §6.3). */
  openApiErrorStatus: 'mapped' | '200';
  /** Prefix policy on /oauth2/token responses (account-protocol §4.6). */
  tokenPrefix: 'always' | 'get-only';
  /** Default of skip_confirm when absent (account-protocol §3.5). */
  skipConfirmDefault: boolean;
  /** Allowed MAC nonce clock window in minutes (account-protocol §5.4). */
  macNonceWindowMinutes: number;
  /** Also accept MAC nonces off by whole 15-minute steps up to 14 h (C# SDK local time, §5.4). */
  macNonceCsharpCompat: boolean;
  /** Host line of the checkPassword `_xmSign` canonical string: as java.net.URI.getHost() or always empty (§7.4). */
  xmSignHostMode: 'uri' | 'empty';
  /** Galaxy-V2 request clock skew tolerance in ms (fds-protocol §2.2.5); 0 disables the check. */
  fdsClockSkewMs: number;
  /** Host name on which passbook paths are also served (optional). */
  passbookHost: string | undefined;
  /** Sites this process serves (`opal serve --only`). */
  sites: Site[];
  /** Grace period for in-flight requests on shutdown, ms. */
  shutdownGraceMs: number;
  /**
   * Which peers may set X-Forwarded-For/-Proto/-Host: true (any), false (none), or a
   * comma-separated list of addresses, CIDR ranges and the names loopback, linklocal, uniquelocal.
   */
  trustProxy: boolean | string;
  /** FDS storage tokens (docs/storage-tokens.md): lifetime of an exchanged storage token, ms. */
  fdsStorageTokenTtlMs: number;
  /** Lifetime of an SSO serviceToken for sid=galaxy-fds, ms. */
  fdsServiceTokenTtlMs: number;
  /** OAuth providers accepted by the storage-token exchange (XiaoMi, QQ, Sina, RenRen; "none" for none). */
  fdsOauthProviders: string[];
  /** XiaoMi open-API base URL for the exchange; undefined → this Opal's publicUrl. */
  fdsOauthXiaomiUrl: string | undefined;
  fdsOauthQqUrl: string;
  fdsOauthSinaUrl: string;
  fdsOauthRenrenUrl: string;
  /** Timeout of each call to a provider, ms. */
  fdsOauthTimeoutMs: number;
  /** Storage-token exchanges allowed per client IP per minute (0 disables the limit). */
  fdsTokenExchangePerMinute: number;
  /** Image processing (docs/fds.md): largest source in pixels (decompression bombs), in bytes, and the derived-image cache size. */
  fdsImageMaxPixels: number;
  fdsImageMaxBytes: number;
  fdsImageCacheBytes: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Raw = Record<string, string | undefined>;

/** Environment variable → config key; the same keys are accepted in the JSON file. */
export const ENV_NAMES = {
  OPAL_DATA_DIR: 'dataDir',
  OPAL_HOST: 'host',
  OPAL_PORT: 'port',
  OPAL_FDS_PORT: 'fdsPort',
  OPAL_DATABASE_URL: 'databaseUrl',
  OPAL_REDIS_URL: 'redisUrl',
  OPAL_REDIS_PREFIX: 'redisPrefix',
  OPAL_BLOB_URL: 'blobUrl',
  OPAL_PUBLIC_URL: 'publicUrl',
  OPAL_FDS_PUBLIC_URL: 'fdsPublicUrl',
  OPAL_LOG_LEVEL: 'logLevel',
  OPAL_DEMO: 'demo',
  OPAL_SERVER_SECRET: 'serverSecret',
  OPAL_LIFETIME_PROFILE: 'lifetimeProfile',
  OPAL_MAC_HOSTS: 'macHosts',
  OPAL_OPEN_API_ERROR_STATUS: 'openApiErrorStatus',
  OPAL_TOKEN_PREFIX: 'tokenPrefix',
  OPAL_SKIP_CONFIRM_DEFAULT: 'skipConfirmDefault',
  OPAL_MAC_NONCE_WINDOW_MINUTES: 'macNonceWindowMinutes',
  OPAL_MAC_NONCE_CSHARP_COMPAT: 'macNonceCsharpCompat',
  OPAL_XM_SIGN_HOST_MODE: 'xmSignHostMode',
  OPAL_FDS_CLOCK_SKEW_MS: 'fdsClockSkewMs',
  OPAL_PASSBOOK_HOST: 'passbookHost',
  OPAL_SITES: 'sites',
  OPAL_SHUTDOWN_GRACE_MS: 'shutdownGraceMs',
  OPAL_TRUST_PROXY: 'trustProxy',
  OPAL_FDS_STORAGE_TOKEN_TTL_MS: 'fdsStorageTokenTtlMs',
  OPAL_FDS_SERVICE_TOKEN_TTL_MS: 'fdsServiceTokenTtlMs',
  OPAL_FDS_OAUTH_PROVIDERS: 'fdsOauthProviders',
  OPAL_FDS_OAUTH_XIAOMI_URL: 'fdsOauthXiaomiUrl',
  OPAL_FDS_OAUTH_QQ_URL: 'fdsOauthQqUrl',
  OPAL_FDS_OAUTH_SINA_URL: 'fdsOauthSinaUrl',
  OPAL_FDS_OAUTH_RENREN_URL: 'fdsOauthRenrenUrl',
  OPAL_FDS_OAUTH_TIMEOUT_MS: 'fdsOauthTimeoutMs',
  OPAL_FDS_TOKEN_EXCHANGE_PER_MINUTE: 'fdsTokenExchangePerMinute',
  OPAL_FDS_IMAGE_MAX_PIXELS: 'fdsImageMaxPixels',
  OPAL_FDS_IMAGE_MAX_BYTES: 'fdsImageMaxBytes',
  OPAL_FDS_IMAGE_CACHE_BYTES: 'fdsImageCacheBytes',
} as const satisfies Record<string, keyof Config>;

export const DEFAULT_MAC_HOSTS = ['open.account.xiaomi.com', 'open.account.preview.n.xiaomi.net'];

function readFile(path: string, problems: string[]): Raw {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      problems.push(`OPAL_CONFIG: ${path} must hold a JSON object`);
      return {};
    }
    const out: Raw = {};
    for (const [k, v] of Object.entries(parsed)) {
      out[k] = Array.isArray(v) ? v.join(',') : v == null ? undefined : String(v);
    }
    return out;
  } catch (e) {
    problems.push(`OPAL_CONFIG: cannot read ${path}: ${(e as Error).message}`);
    return {};
  }
}

/** Builds the configuration from `env` (and the file named by OPAL_CONFIG); throws ConfigError. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const problems: string[] = [];
  const fromFile = env.OPAL_CONFIG ? readFile(env.OPAL_CONFIG, problems) : {};
  const raw: Raw = { ...fromFile };
  for (const [envName, key] of Object.entries(ENV_NAMES)) {
    const v = env[envName];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const str = (k: keyof Config, d: string) => raw[k] ?? d;
  const opt = (k: keyof Config) => raw[k];
  const int = (k: keyof Config, d: number, min: number, max: number) => {
    const v = raw[k];
    if (v === undefined) return d;
    const n = Number(v);
    if (!/^-?\d+$/.test(v) || n < min || n > max) {
      problems.push(`${envOf(k)}: expected an integer from ${min} to ${max}, got "${v}"`);
      return d;
    }
    return n;
  };
  const bool = (k: keyof Config, d: boolean) => {
    const v = raw[k];
    if (v === undefined) return d;
    if (/^(1|true|yes|on)$/i.test(v)) return true;
    if (/^(0|false|no|off)$/i.test(v)) return false;
    problems.push(`${envOf(k)}: expected true or false, got "${v}"`);
    return d;
  };
  function oneOf<T extends string>(k: keyof Config, values: readonly T[], d: T): T {
    const v = raw[k];
    if (v === undefined) return d;
    if ((values as readonly string[]).includes(v)) return v as T;
    problems.push(`${envOf(k)}: expected one of ${values.join(', ')}, got "${v}"`);
    return d;
  }
  const url = (k: keyof Config, schemes: string[]) => {
    const v = opt(k);
    if (v === undefined) return undefined;
    try {
      const u = new URL(v);
      if (!schemes.includes(u.protocol)) problems.push(`${envOf(k)}: expected a ${schemes.join(' or ')} URL`);
    } catch {
      problems.push(`${envOf(k)}: not a valid URL`);
    }
    return v;
  };

  const dataDir = resolve(str('dataDir', './data'));
  const host = str('host', '127.0.0.1');
  const port = int('port', 8080, 0, 65535);
  const fdsPort = int('fdsPort', 8081, 0, 65535);
  const sitesRaw = str('sites', 'account,fds')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const sites: Site[] = [];
  for (const s of sitesRaw) {
    if (s === 'account' || s === 'fds') sites.push(s);
    else problems.push(`OPAL_SITES: unknown site "${s}" (expected account, fds)`);
  }
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const config: Config = {
    dataDir,
    host,
    port,
    fdsPort,
    databaseUrl: url('databaseUrl', ['postgres:', 'postgresql:']),
    redisUrl: url('redisUrl', ['redis:', 'rediss:']),
    redisPrefix: str('redisPrefix', 'opal:'),
    blobUrl: url('blobUrl', ['s3:']),
    publicUrl: str('publicUrl', `http://${shownHost}:${port}`).replace(/\/+$/, ''),
    fdsPublicUrl: str('fdsPublicUrl', `http://${shownHost}:${fdsPort}`).replace(/\/+$/, ''),
    logLevel: oneOf('logLevel', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    demo: bool('demo', true),
    serverSecret: opt('serverSecret'),
    lifetimeProfile: oneOf('lifetimeProfile', ['legacy', 'hyperos'], 'legacy'),
    macHosts: (raw.macHosts ?? DEFAULT_MAC_HOSTS.join(','))
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
    openApiErrorStatus: oneOf('openApiErrorStatus', ['mapped', '200'], 'mapped'),
    tokenPrefix: oneOf('tokenPrefix', ['always', 'get-only'], 'always'),
    skipConfirmDefault: bool('skipConfirmDefault', false),
    macNonceWindowMinutes: int('macNonceWindowMinutes', 15, 1, 24 * 60),
    macNonceCsharpCompat: bool('macNonceCsharpCompat', true),
    xmSignHostMode: oneOf('xmSignHostMode', ['uri', 'empty'], 'uri'),
    fdsClockSkewMs: int('fdsClockSkewMs', 15 * 60 * 1000, 0, 7 * 24 * 3600 * 1000),
    passbookHost: opt('passbookHost')?.toLowerCase(),
    sites,
    shutdownGraceMs: int('shutdownGraceMs', 10_000, 0, 600_000),
    trustProxy: trustProxyOf(raw.trustProxy ?? 'loopback', problems),
    fdsStorageTokenTtlMs: int('fdsStorageTokenTtlMs', 7 * 24 * 3600 * 1000, 1000, 366 * 24 * 3600 * 1000),
    fdsServiceTokenTtlMs: int('fdsServiceTokenTtlMs', 24 * 3600 * 1000, 1000, 366 * 24 * 3600 * 1000),
    fdsOauthProviders: (raw.fdsOauthProviders ?? 'XiaoMi,QQ,Sina,RenRen')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s && s.toLowerCase() !== 'none'),
    fdsOauthXiaomiUrl: url('fdsOauthXiaomiUrl', ['http:', 'https:'])?.replace(/\/+$/, ''),
    fdsOauthQqUrl: (url('fdsOauthQqUrl', ['http:', 'https:']) ?? 'https://graph.qq.com').replace(/\/+$/, ''),
    fdsOauthSinaUrl: (url('fdsOauthSinaUrl', ['http:', 'https:']) ?? 'https://api.weibo.com').replace(/\/+$/, ''),
    fdsOauthRenrenUrl: (url('fdsOauthRenrenUrl', ['http:', 'https:']) ?? 'https://api.renren.com').replace(/\/+$/, ''),
    fdsOauthTimeoutMs: int('fdsOauthTimeoutMs', 5000, 100, 120_000),
    fdsTokenExchangePerMinute: int('fdsTokenExchangePerMinute', 60, 0, 1_000_000),
    fdsImageMaxPixels: int('fdsImageMaxPixels', 50_000_000, 1, 1_000_000_000),
    fdsImageMaxBytes: int('fdsImageMaxBytes', 64 * 1024 * 1024, 1, 1024 * 1024 * 1024),
    fdsImageCacheBytes: int('fdsImageCacheBytes', 256 * 1024 * 1024, 0, Number.MAX_SAFE_INTEGER),
  };
  if (config.serverSecret !== undefined && config.serverSecret.length < 32) {
    problems.push('OPAL_SERVER_SECRET: must be at least 32 characters');
  }
  if (config.sites.length === 0) problems.push('OPAL_SITES: at least one site is required');
  for (const p of config.fdsOauthProviders) {
    if (!['XiaoMi', 'QQ', 'Sina', 'RenRen'].includes(p)) {
      problems.push(`OPAL_FDS_OAUTH_PROVIDERS: unknown provider "${p}" (expected XiaoMi, QQ, Sina, RenRen or none)`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...config, ...overrides };
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function trustProxyOf(v: string, problems: string[]): boolean | string {
  if (/^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  const list = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of list) {
    const [addr = '', bits, extra] = entry.split('/');
    const family = isIP(addr);
    const maxBits = family === 6 ? 128 : 32;
    const ok =
      PROXY_NAMES.has(entry) ||
      (family !== 0 && extra === undefined && (bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits)));
    if (!ok) problems.push(`OPAL_TRUST_PROXY: "${entry}" is not an address, a CIDR range, loopback, linklocal or uniquelocal`);
  }
  if (list.length === 0) problems.push('OPAL_TRUST_PROXY: expected true, false or a list of addresses');
  return list.join(',');
}

function envOf(key: keyof Config): string {
  for (const [envName, k] of Object.entries(ENV_NAMES)) if (k === key) return envName;
  return key;
}

/** True when the configuration uses only embedded stores (SQLite, local blobs, memory cache). */
export function isEmbedded(c: Config): boolean {
  return c.databaseUrl === undefined;
}
