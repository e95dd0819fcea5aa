// Typed configuration. Every value has a default that works in the embedded mode (SQLite, local
// blobs, in-memory cache); environment variables override an optional JSON config file, which
// overrides the defaults. Invalid configuration is reported all at once (ConfigError).
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { keyringOf } from './store/blobs/blob-keys.ts';

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
  /** Blob encryption at rest (docs/storage.md): master key, inline or by file; a previous key readable during rotation. */
  blobEncryptionKey: string | undefined;
  blobEncryptionKeyFile: string | undefined;
  blobEncryptionOldKey: string | undefined;
  blobEncryptionOldKeyFile: string | undefined;
  /** Public base URL of the account origin (used in pages and metadata). */
  publicUrl: string;
  /** Public base URL of the FDS origin. */
  fdsPublicUrl: string;
  logLevel: string;
  /** Log lines: `pretty` (colored, one line per request), `json`, or `auto` (pretty on a terminal). */
  logFormat: 'auto' | 'json' | 'pretty';
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
  /** How often a node renews its entry in the node registry, ms; three missed beats and it is gone. */
  nodeHeartbeatMs: number;
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
  /** Bearer token that /metrics requires; unset: /metrics answers loopback clients only. */
  metricsToken: string | undefined;
  /** A request's headers must arrive within this, ms (both origins). */
  headersTimeoutMs: number;
  /** The whole request (headers and body) must arrive within this on the account origin, ms (0: no limit). */
  requestTimeoutMs: number;
  /** The same on the FDS origin, where bodies are object uploads, ms (0: no limit). */
  fdsRequestTimeoutMs: number;
  /** A socket with no traffic either way is closed after this, ms (0: never). */
  idleTimeoutMs: number;
  /** An idle keep-alive connection is closed after this, ms. */
  keepAliveTimeoutMs: number;
  /** Open connections per origin; past it new connections are closed (0: no cap). */
  maxConnections: number;
  /** New checkPassword flows (page views) per client IP per minute (0 disables the limit). */
  checkPasswordFlowsPerMinute: number;
  /** Byte budget of the in-process cache (embedded mode), MB; least recently used entries go past it. */
  memoryCacheMb: number;
  /** Bytes of small FDS objects (up to 64 KiB each) kept in memory per node, in MB; 0: none. */
  fdsReadCacheMb: number;
  /** Refuse to serve when the data directory or a file in it is open to group or others (default: warn). */
  strictPermissions: boolean;
  /** smtp://user:pass@host:port or smtps://… for e-mail (sign-up codes, recovery links); undefined → none. */
  smtpUrl: string | undefined;
  /** From address of every e-mail. */
  mailFrom: string;
  /** HTTPS endpoint that receives SMS as signed JSON; undefined → none. */
  smsWebhookUrl: string | undefined;
  /** HMAC-SHA256 key of the SMS webhook's signature header. */
  smsWebhookSecret: string | undefined;
  /** The developer outbox at /dev/outbox: auto (on when no sender is configured, embedded store only) or off. */
  outbox: 'auto' | 'off';
  /** Self-service sign-up: open, invite (needs a code from `opal invite create`) or off. */
  signup: 'open' | 'invite' | 'off';
  /** What a new account proves before it is usable: its e-mail, its phone, or nothing. */
  verify: 'email' | 'phone' | 'none';
  /** Operator branding on every page. */
  brandName: string | undefined;
  brandLogoUrl: string | undefined;
  /** Accent color, #rgb or #rrggbb. */
  brandColor: string;
  /** Account of the first admin, created on start when no user has it (with adminPassword). */
  adminAccount: string | undefined;
  adminPassword: string | undefined;
  /** YAML or JSON fixture applied on every start, idempotently (docs/admin-api.md). */
  seedFile: string | undefined;
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

import { ENV_NAMES } from './config-env-names.ts';

export { ENV_NAMES };

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
    blobEncryptionKey: opt('blobEncryptionKey'),
    blobEncryptionKeyFile: opt('blobEncryptionKeyFile'),
    blobEncryptionOldKey: opt('blobEncryptionOldKey'),
    blobEncryptionOldKeyFile: opt('blobEncryptionOldKeyFile'),
    publicUrl: str('publicUrl', `http://${shownHost}:${port}`).replace(/\/+$/, ''),
    fdsPublicUrl: str('fdsPublicUrl', `http://${shownHost}:${fdsPort}`).replace(/\/+$/, ''),
    logLevel: oneOf('logLevel', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    logFormat: oneOf('logFormat', ['auto', 'json', 'pretty'], 'auto'),
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
    nodeHeartbeatMs: int('nodeHeartbeatMs', 10_000, 100, 600_000),
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
    strictPermissions: bool('strictPermissions', false),
    memoryCacheMb: int('memoryCacheMb', 64, 1, 65_536),
    fdsReadCacheMb: int('fdsReadCacheMb', 16, 0, 65_536),
    metricsToken: opt('metricsToken'),
    headersTimeoutMs: int('headersTimeoutMs', 20_000, 100, 600_000),
    requestTimeoutMs: int('requestTimeoutMs', 60_000, 0, 24 * 3600_000),
    fdsRequestTimeoutMs: int('fdsRequestTimeoutMs', 3600_000, 0, 7 * 24 * 3600_000),
    idleTimeoutMs: int('idleTimeoutMs', 120_000, 0, 24 * 3600_000),
    keepAliveTimeoutMs: int('keepAliveTimeoutMs', 72_000, 1, 600_000),
    maxConnections: int('maxConnections', 10_000, 0, 10_000_000),
    checkPasswordFlowsPerMinute: int('checkPasswordFlowsPerMinute', 30, 0, 1_000_000),
    smtpUrl: url('smtpUrl', ['smtp:', 'smtps:']),
    mailFrom: str('mailFrom', `Opal <no-reply@${new URL(`http://${shownHost}`).hostname}>`),
    smsWebhookUrl: url('smsWebhookUrl', ['http:', 'https:']),
    smsWebhookSecret: opt('smsWebhookSecret'),
    outbox: oneOf('outbox', ['auto', 'off'], 'auto'),
    signup: oneOf('signup', ['open', 'invite', 'off'], raw.databaseUrl === undefined ? 'open' : 'off'),
    verify: oneOf('verify', ['email', 'phone', 'none'], 'email'),
    brandName: opt('brandName'),
    brandLogoUrl: url('brandLogoUrl', ['http:', 'https:']),
    brandColor: str('brandColor', '#c2410c'),
    adminAccount: opt('adminAccount'),
    adminPassword: opt('adminPassword'),
    seedFile: opt('seedFile'),
    fdsImageMaxPixels: int('fdsImageMaxPixels', 50_000_000, 1, 1_000_000_000),
    fdsImageMaxBytes: int('fdsImageMaxBytes', 64 * 1024 * 1024, 1, 1024 * 1024 * 1024),
    fdsImageCacheBytes: int('fdsImageCacheBytes', 256 * 1024 * 1024, 0, Number.MAX_SAFE_INTEGER),
  };
  if (!/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(config.brandColor)) problems.push('OPAL_BRAND_COLOR: expected #rgb or #rrggbb');
  if (config.smsWebhookUrl !== undefined && (config.smsWebhookSecret ?? '').length < 16) {
    problems.push('OPAL_SMS_WEBHOOK_SECRET: required with OPAL_SMS_WEBHOOK_URL, at least 16 characters');
  }
  if ((config.adminAccount === undefined) !== (config.adminPassword === undefined)) {
    problems.push('OPAL_ADMIN_ACCOUNT and OPAL_ADMIN_PASSWORD: set both or neither');
  }
  if (config.serverSecret !== undefined && config.serverSecret.length < 32) {
    problems.push('OPAL_SERVER_SECRET: must be at least 32 characters');
  }
  if (config.metricsToken !== undefined && !/^[\x21-\x7e]{16,}$/.test(config.metricsToken)) {
    problems.push('OPAL_METRICS_TOKEN: at least 16 printable characters without spaces');
  }
  for (const k of ['requestTimeoutMs', 'fdsRequestTimeoutMs'] as const) {
    if (config[k] > 0 && config[k] < config.headersTimeoutMs) problems.push(`${envOf(k)}: must not be below OPAL_HEADERS_TIMEOUT_MS`);
  }
  try {
    keyringOf(config);
  } catch (e) {
    problems.push((e as Error).message);
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
