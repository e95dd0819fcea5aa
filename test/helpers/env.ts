// Test environment: temporary data directories, configuration for tests, the database and cache
// backends switched on by OPAL_TEST_DATABASE_URL / OPAL_TEST_REDIS_URL, and real servers on
// loopback ports chosen by the OS.
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Config, loadConfig } from '../../src/config.ts';
import { type Context, createContext } from '../../src/context.ts';
import { type RunningServer, startServer } from '../../src/server.ts';
import { redisTestPrefix, removeRedisKeys } from './redis.ts';

export const PG_URL = process.env.OPAL_TEST_DATABASE_URL;
export const REDIS_URL = process.env.OPAL_TEST_REDIS_URL;
export const BROWSER = process.env.OPAL_TEST_BROWSER;

export function tmpDir(prefix = 'opal-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export type DbBackend = 'sqlite' | 'postgres';

/** The database backends to run store suites on: SQLite always, PostgreSQL when configured. */
export function dbBackends(): DbBackend[] {
  return PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

export function testConfig(dataDir: string, env: Record<string, string> = {}, overrides: Partial<Config> = {}): Config {
  return loadConfig(
    {
      OPAL_DATA_DIR: dataDir,
      OPAL_PORT: '0',
      OPAL_FDS_PORT: '0',
      OPAL_LOG_LEVEL: 'silent',
      OPAL_DEMO: 'false',
      ...env,
    },
    overrides,
  );
}

export interface TestContext {
  ctx: Context;
  config: Config;
  dataDir: string;
  /** The PostgreSQL schema of a `postgres` context (another node of the deployment opens it too). */
  pgSchema?: string;
  /** Closes the context and removes its data (and its PostgreSQL schema). */
  close(): Promise<void>;
}

async function createSchema(): Promise<{ schema: string; drop(): Promise<void> }> {
  const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  return {
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

let saidMemoryCache = false;

/**
 * A `redis: true` suite without OPAL_TEST_REDIS_URL runs on the memory cache, and says so once per
 * file on stderr; where Redis is required (OPAL_TEST_REQUIRE_REDIS=1, set by scripts/test.mjs under
 * CI=true) it fails instead.
 */
function memoryCacheInsteadOfRedis(): void {
  if (process.env.OPAL_TEST_REQUIRE_REDIS === '1') {
    throw new Error('this suite asks for Redis (redis: true) but OPAL_TEST_REDIS_URL is not set, and OPAL_TEST_REQUIRE_REDIS=1');
  }
  if (saidMemoryCache) return;
  saidMemoryCache = true;
  process.stderr.write(`# ${process.argv[1] ?? 'a test file'}: redis: true suites run on the memory cache (OPAL_TEST_REDIS_URL not set)\n`);
}

/**
 * A context on the given backend (SQLite in a fresh directory, or a fresh PostgreSQL schema),
 * with the Redis cache when `redis` is true and OPAL_TEST_REDIS_URL is set (else the memory cache,
 * said on stderr).
 */
export async function createTestContext(
  opts: { backend?: DbBackend; redis?: boolean; env?: Record<string, string>; overrides?: Partial<Config> } = {},
): Promise<TestContext> {
  const dir = tmpDir();
  const env: Record<string, string> = { ...opts.env };
  let schema: Awaited<ReturnType<typeof createSchema>> | undefined;
  if (opts.backend === 'postgres') {
    if (!PG_URL) throw new Error('OPAL_TEST_DATABASE_URL is not set');
    env.OPAL_DATABASE_URL = PG_URL;
    schema = await createSchema();
  }
  let redisPrefix: string | undefined;
  if (opts.redis && !REDIS_URL) memoryCacheInsteadOfRedis();
  if (opts.redis && REDIS_URL) {
    env.OPAL_REDIS_URL = REDIS_URL;
    // Each test context has its own key space, removed on close: rate-limit counters of one test
    // file never reach another's (or another run's). Contexts that must share state (nodes of one
    // deployment) use this context's config.
    if (!env.OPAL_REDIS_PREFIX) {
      redisPrefix = redisTestPrefix();
      env.OPAL_REDIS_PREFIX = redisPrefix;
    }
  }
  const config = testConfig(dir.path, env, opts.overrides);
  const ctx = await createContext(config, schema ? { pgSchema: schema.schema } : {});
  return {
    ctx,
    config,
    dataDir: dir.path,
    pgSchema: schema?.schema,
    async close() {
      await ctx.close();
      await schema?.drop();
      if (redisPrefix && REDIS_URL) await removeRedisKeys(REDIS_URL, redisPrefix);
      dir.remove();
    },
  };
}

export interface TestServer extends TestContext {
  server: RunningServer;
  /** Base URL of the account origin. */
  accountUrl: string;
  /** Base URL of the FDS origin. */
  fdsUrl: string;
}

/** Starts a real server on loopback (ports chosen by the OS) over a fresh test context. */
export async function startTestServer(opts: Parameters<typeof createTestContext>[0] = {}): Promise<TestServer> {
  const t = await createTestContext(opts);
  const server = await startServer(t.config, { ctx: t.ctx, logger: false });
  return {
    ...t,
    server,
    accountUrl: server.urls.account ?? '',
    fdsUrl: server.urls.fds ?? '',
    async close() {
      await server.close();
      await t.close();
    },
  };
}

/** Runs `f` on a short-lived context over the store `env` configures (to look at what a CLI run did). */
export async function inspectStore<T>(env: Record<string, string | undefined>, f: (ctx: Context) => Promise<T>): Promise<T> {
  const ctx = await createContext(loadConfig({ ...env, OPAL_LOG_LEVEL: 'silent' }), { full: false });
  try {
    return await f(ctx);
  } finally {
    await ctx.close();
  }
}

/** A TCP port free on 127.0.0.1 now (for a server whose public URL must name its port before it starts). */
export async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** Paths under `under` this process holds a descriptor on (Linux: /proc/self/fd). */
export function openUnder(under: string): string[] {
  return readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return ''; // the descriptor readdir itself used
      }
    })
    .filter((p) => p.startsWith(`${under}/`));
}

/** openUnder(under) once nothing is open there, or after `ms` (descriptors close asynchronously). */
export async function openUnderSettled(under: string, ms = 2000): Promise<string[]> {
  const deadline = Date.now() + ms;
  let open = openUnder(under);
  while (open.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    open = openUnder(under);
  }
  return open;
}
